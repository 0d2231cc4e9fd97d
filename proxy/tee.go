package proxy

import (
	"bytes"
	"errors"
	"io"
	"runtime"
	"sync"
	"time"

	"github.com/a2aproxy/a2a-proxy/internal/a2awire"
	"github.com/a2aproxy/a2a-proxy/recorder"
)

// tee wraps the upstream response body. ReverseProxy reads a chunk from it,
// writes and flushes the chunk to the client, then reads again; the tee cuts
// each chunk into SSE event blocks on the way through and records them at the
// start of the next Read, after the client already has them. Parsing,
// recording and tracing thus never delay an event.
type tee struct {
	body      io.ReadCloser
	ex        *exchange
	streaming bool
	limit     int64 // unary bodies are recorded up to this many bytes

	splitter a2awire.Splitter // keeps at most Options.MaxEventBytes of an event
	pending  []heldBlock      // blocks read, not yet recorded
	readAt   time.Time        // when the pending blocks arrived
	carry    []byte           // comment-only blocks (keep-alives), stored with the next event
	unary    bytes.Buffer
	overflow bool // the unary body exceeded limit

	idle idleWatch // cuts the body when the agent goes quiet

	shallow bool           // the reader's goroutine keeps a shallow stack (detach.go)
	parsed  sync.WaitGroup // the pending blocks are recorded, off that stack

	seq     int   // events recorded or dropped so far
	dropped int   // events the recorder refused
	readErr error // the upstream broke off
	once    sync.Once
}

// heldBlock is an SSE block waiting to be recorded; over counts its bytes
// past the event cap, which went to the client but are not kept.
type heldBlock struct {
	raw  []byte
	over int64
}

func newTee(ex *exchange, body io.ReadCloser, streaming bool, limit int64, maxEvent int) *tee {
	t := &tee{body: body, ex: ex, streaming: streaming, limit: limit}
	t.splitter.Max = maxEvent
	return t
}

func (t *tee) Read(p []byte) (int, error) {
	if t.shallow && len(t.pending) > 0 {
		// Parsing an event grows a goroutine's stack to 16 KiB, which the
		// GC halves at best while the reader idles in the Read below: a
		// detached stream parses on another goroutine, and waits with the
		// stack its copy loop needs.
		parseOffStack(t)
	}
	t.recordPending()
	t.idle.arm()
	n, err := t.body.Read(p)
	t.idle.disarm()
	if n > 0 {
		t.readAt = time.Now()
		if t.streaming {
			t.splitter.Split(p[:n], t.hold)
		} else {
			t.keepUnary(p[:n])
		}
	}
	if err != nil && !errors.Is(err, io.EOF) {
		t.readErr = err
	}
	return n, err
}

// Close is called by ReverseProxy when it is done with the body, on success
// and on failure alike.
func (t *tee) Close() error {
	err := t.body.Close()
	t.finish()
	return err
}

// finish records whatever is left, once.
func (t *tee) finish() {
	t.once.Do(func() {
		t.idle.disarm()
		if !t.streaming {
			flag := ""
			if t.overflow {
				flag = recorder.FlagIncomplete
			}
			if t.unary.Len() > 0 || t.overflow {
				t.record(t.unary.Bytes(), t.readAt, flag)
			}
			return
		}
		rest, over := t.splitter.End(t.hold)
		t.recordPending()
		switch {
		case over > 0:
			t.recordOversized(rest)
		case len(rest) > 0:
			t.record(t.withCarry(rest), t.readAt, recorder.FlagIncomplete)
		}
		t.flushCarry() // keep-alives after the last event
	})
}

func (t *tee) hold(block []byte, over int64) {
	t.pending = append(t.pending, heldBlock{raw: block, over: over})
}

func (t *tee) keepUnary(p []byte) {
	room := t.limit - int64(t.unary.Len())
	if int64(len(p)) > room {
		p, t.overflow = p[:max(room, 0)], true
	}
	t.unary.Write(p)
}

// parsers are the goroutines detached streams parse on: a few that live
// for the process, so their stacks stay grown. A goroutine per Read started
// small and grew its stack to parse every time (runtime.newstack took 6% of
// the proxy's CPU at 200 streams x 20 ms).
var parsers struct {
	once sync.Once
	jobs chan *tee
}

// parseOffStack records t's pending blocks on one of the parsers, and
// returns once they are recorded.
func parseOffStack(t *tee) {
	parsers.once.Do(func() {
		parsers.jobs = make(chan *tee)
		for range runtime.GOMAXPROCS(0) {
			go func() {
				for t := range parsers.jobs {
					t.recordPending()
					t.parsed.Done()
				}
			}()
		}
	})
	t.parsed.Add(1)
	parsers.jobs <- t
	t.parsed.Wait()
}

func (t *tee) recordPending() {
	for i, b := range t.pending {
		if b.over > 0 {
			t.recordOversized(b.raw)
		} else {
			t.recordBlock(b.raw)
		}
		t.pending[i] = heldBlock{}
	}
	t.pending = t.pending[:0]
}

// recordBlock records one SSE event block. Comment-only blocks are carried
// into the next event so the recording still adds up to the stream, byte for
// byte, without keep-alives showing up as events.
func (t *tee) recordBlock(block []byte) {
	fields, isEvent := a2awire.ParseSSE(block)
	if !isEvent {
		if isControlBlock(block) {
			if len(t.carry)+len(block) > t.splitter.Max {
				t.flushCarry() // keep-alives alone must not grow past the cap either
			}
			t.carry = append(t.carry, block...)
			return
		}
		t.record(t.withCarry(block), t.readAt, recorder.FlagMalformedSSE)
		return
	}
	t.recordParsed(t.withCarry(block), fields.Data)
}

// recordOversized records the kept prefix of an event longer than the cap.
// The keep-alives before it go as their own record, so the prefix is neither
// copied nor grown past the cap.
func (t *tee) recordOversized(prefix []byte) {
	t.flushCarry()
	t.record(prefix, t.readAt, recorder.FlagOversized)
}

func (t *tee) flushCarry() {
	if len(t.carry) > 0 {
		t.record(t.carry, t.readAt, "")
		t.carry = nil
	}
}

func (t *tee) withCarry(block []byte) []byte {
	if len(t.carry) == 0 {
		return block
	}
	block = append(t.carry, block...)
	t.carry = nil
	return block
}

// record stores raw as the next event, reading its A2A fields when raw is a
// unary JSON body.
func (t *tee) record(raw []byte, at time.Time, flag string) {
	if !t.streaming && flag == "" {
		t.recordParsed(raw, raw)
		return
	}
	t.send(&recorder.Event{Raw: raw, Flag: flag}, at)
}

func (t *tee) recordParsed(raw, doc []byte) {
	ev := &recorder.Event{Raw: raw}
	if parsed, err := a2awire.ParseEvent(doc); err != nil {
		ev.Flag = recorder.FlagNonJSON
	} else {
		ev.Fields = parsed.Fields
		if parsed.Kind == a2awire.KindError {
			t.ex.spans.rpcError(parsed.ErrorCode)
		}
	}
	t.send(ev, t.readAt)
}

func (t *tee) send(ev *recorder.Event, at time.Time) {
	ev.ExchangeID = t.ex.id
	ev.Agent = t.ex.agent.Name
	ev.Seq = t.seq
	ev.At = at
	ev.Offset = at.Sub(t.ex.start)
	t.seq++
	t.ex.observeEvent(ev, t.streaming)
	if !t.ex.rec.RecordEvent(ev) {
		t.dropped++
	}
}

// isControlBlock reports whether a block that dispatches no event holds only
// comments, blank lines and retry fields: legal SSE, not malformed.
func isControlBlock(block []byte) bool {
	for line := range bytes.Lines(block) {
		line = bytes.TrimRight(line, "\r\n")
		if len(line) == 0 || line[0] == ':' || bytes.HasPrefix(line, []byte("retry:")) {
			continue
		}
		return false
	}
	return true
}
