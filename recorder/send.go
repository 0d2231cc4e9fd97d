package recorder

import (
	"context"
	"errors"
	"fmt"
)

// item is one unit of work for the writer; exactly one field is set.
type item struct {
	start   *Exchange
	event   *Event
	end     *ExchangeEnd
	checks  *ExchangeChecks
	flushed chan<- struct{} // closed once everything queued before is committed
	imp     *importJob      // run by the writer once everything queued before is committed
}

// importJob is an Import waiting for the writer.
type importJob struct {
	ctx  context.Context
	recs []*Recording
	done chan importDone // buffered: the writer never waits for the caller
}

type importDone struct {
	res ImportResult
	err error
}

// marker reports whether it wakes the writer at once: a flush or an import.
func (it item) marker() bool { return it.flushed != nil || it.imp != nil }

var (
	errClosed     = errors.New("recorder closed")
	errBufferFull = errors.New("recorder buffer full")
)

// StartExchange queues the start of an exchange. It never waits: starts are
// accepted whatever the queue holds (they count in its budget). The store
// keeps ex; the caller must not modify it (headers and body included)
// afterwards. After Close it is counted as lost and ignored.
func (s *Recorder) StartExchange(ex *Exchange) {
	if !s.queue.put(item{start: ex}) {
		s.counters.ignored.Add(1)
		s.losses.add(LossClosed, 1, nil)
		s.log.Warn("exchange start after close", "exchange_id", ex.ID)
	}
}

// RecordEvent queues an event of an exchange already started. In drop mode
// it never waits: when the queue's byte budget is spent it drops the event,
// counts it and returns false (the caller marks the recording incomplete). In
// lossless mode it waits for room. It also returns false after Close. The
// store keeps ev; the caller must not modify it afterwards.
func (s *Recorder) RecordEvent(ev *Event) bool {
	err := s.queue.putEvent(item{event: ev}, s.lossless)
	if err == nil {
		return true
	}
	s.counters.dropped.Add(1)
	if errors.Is(err, errBufferFull) {
		s.losses.add(LossBufferFull, 1, nil)
	} else {
		s.losses.add(LossClosed, 1, nil)
	}
	return false
}

// FinishExchange queues the end of an exchange. Like StartExchange, it never
// waits.
func (s *Recorder) FinishExchange(end *ExchangeEnd) {
	if !s.queue.put(item{end: end}) {
		s.counters.ignored.Add(1)
		s.losses.add(LossClosed, 1, nil)
		s.log.Warn("exchange end after close", "exchange_id", end.ExchangeID)
	}
}

// RecordChecks queues the findings of an exchange's conformance checks, to
// replace those stored for it. Like FinishExchange, it never waits; after
// Close it is counted as lost and ignored. The store keeps c.
func (s *Recorder) RecordChecks(c *ExchangeChecks) {
	if !s.queue.put(item{checks: c}) {
		s.counters.ignored.Add(1)
		s.losses.add(LossClosed, 1, nil)
		s.log.Warn("exchange checks after close", "exchange_id", c.ExchangeID)
	}
}

// Flush returns once everything queued before the call is committed, or with
// ctx's error. After Close it waits for Close's final commit. Items that
// could not be committed are logged and counted in Stats, not reported here.
func (s *Recorder) Flush(ctx context.Context) error {
	flushed := make(chan struct{})
	var done <-chan struct{} = flushed
	if !s.queue.put(item{flushed: flushed}) {
		done = s.writerDone
	}
	select {
	case <-done:
		return nil
	case <-ctx.Done():
		return ctx.Err()
	}
}

// Import writes recordings into the store in one transaction: every exchange
// and event, or nothing. Task rows are derived from them as the writer does
// for live traffic. An exchange the store already holds fails the whole
// import with ErrExists; an exchange or event that appears in several of the
// recordings (an exchange linked to two tasks of an exported context) is
// written once, and must be the same each time.
//
// The import is queued to the writer goroutine and runs between two of its
// batches, after everything queued before it: the backend sees one writer,
// and live recording waits for the import at most as long as it takes.
// Imported events do not reach OnCommit.
func (s *Recorder) Import(ctx context.Context, recs []*Recording) (ImportResult, error) {
	job := &importJob{ctx: ctx, recs: recs, done: make(chan importDone, 1)}
	if !s.queue.put(item{imp: job}) {
		return ImportResult{}, fmt.Errorf("import: %w", errClosed)
	}
	select {
	case d := <-job.done:
		return d.res, d.err
	case <-ctx.Done():
		return ImportResult{}, fmt.Errorf("import: %w", ctx.Err())
	}
}
