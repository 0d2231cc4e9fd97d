package recorder

import (
	"bufio"
	"bytes"
	"cmp"
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"reflect"
	"slices"
	"time"

	"github.com/a2aproxy/a2a-proxy/internal/a2awire"
)

// FormatError is a line of an NDJSON recording file that cannot be read.
type FormatError struct {
	Source string // the file name, as given to ReadRecordings
	Line   int    // 1-based
	Err    error
}

func (e *FormatError) Error() string { return fmt.Sprintf("%s:%d: %v", e.Source, e.Line, e.Err) }

func (e *FormatError) Unwrap() error { return e.Err }

// ReadRecordings reads every recording of an NDJSON file written by
// WriteRecordings (or by hand, see docs/replay.md) and checks it whole: the
// first line that cannot be read or breaks a rule fails the file with a
// *FormatError naming source and the line. Blank lines are skipped. Events
// are put in timeline order (exchange, then seq) whatever their order in the
// file.
func ReadRecordings(r io.Reader, source string) ([]*Recording, error) {
	rd := recordingReader{source: source}
	br := bufio.NewReader(r)
	for {
		line, err := br.ReadBytes('\n')
		if len(line) > 0 {
			rd.line++
			if lineErr := rd.readLine(bytes.TrimSpace(line)); lineErr != nil {
				return nil, &FormatError{Source: source, Line: rd.line, Err: lineErr}
			}
		}
		if errors.Is(err, io.EOF) {
			break
		}
		if err != nil {
			return nil, fmt.Errorf("read %s: %w", source, err)
		}
	}
	if len(rd.recs) == 0 {
		return nil, &FormatError{Source: source, Line: rd.line, Err: errors.New("no recording: want a header line first")}
	}
	rd.finish()
	return rd.recs, nil
}

// recordingReader checks the lines of one file as they come.
type recordingReader struct {
	source string
	line   int
	recs   []*Recording
	// Of the recording being read:
	exchanges map[string]int // exchange id -> index in Exchanges
	seen      map[eventKey]bool
}

type eventKey struct {
	exchangeID string
	seq        int
}

func (rd *recordingReader) readLine(line []byte) error {
	if len(line) == 0 {
		return nil
	}
	var probe struct {
		Format *string `json:"format"`
	}
	if err := json.Unmarshal(line, &probe); err != nil {
		return fmt.Errorf("not a JSON object: %w", err)
	}
	if probe.Format != nil {
		return rd.readHeader(line)
	}
	if len(rd.recs) == 0 {
		return errors.New("event line before any header line")
	}
	return rd.readEvent(line)
}

func (rd *recordingReader) readHeader(line []byte) error {
	var h headerLine
	if err := decodeStrict(line, &h); err != nil {
		return fmt.Errorf("header: %w", err)
	}
	if h.Format != RecordingFormat {
		return fmt.Errorf("format %q, want %q", h.Format, RecordingFormat)
	}
	if h.Version != RecordingVersion {
		return fmt.Errorf("format version %d, this a2a-proxy reads version %d", h.Version, RecordingVersion)
	}
	if h.Task.TaskID == "" {
		return errors.New("header: task.taskId is empty")
	}
	rec := &Recording{Task: h.Task, Exchanges: make([]RecordedExchange, len(h.Exchanges))}
	rd.exchanges = make(map[string]int, len(h.Exchanges))
	rd.seen = make(map[eventKey]bool)
	for i, x := range h.Exchanges {
		if x.ID == "" {
			return fmt.Errorf("header: exchange %d has no id", i)
		}
		if _, dup := rd.exchanges[x.ID]; dup {
			return fmt.Errorf("header: exchange %s appears twice", x.ID)
		}
		rd.exchanges[x.ID] = i
		rec.Exchanges[i] = x.recorded()
	}
	rd.recs = append(rd.recs, rec)
	return nil
}

func (x *exchangeLine) recorded() RecordedExchange {
	rx := RecordedExchange{Exchange: Exchange{
		ID: x.ID, Agent: x.Agent, Method: x.Method, ProtocolVersion: x.ProtocolVersion,
		Binding: x.Binding, HTTPMethod: x.HTTPMethod, Path: x.Path,
		RequestHeaders: x.RequestHeaders, RequestBody: x.RequestBody,
		RequestBodyTruncated: x.RequestBodyTruncated, RPCID: x.RPCID,
		TaskID: x.TaskID, ContextID: x.ContextID, MessageID: x.MessageID,
		StartedAt: x.StartedAt, TraceID: x.TraceID, SpanID: x.SpanID,
	}}
	if x.EndedAt != nil {
		rx.End = &ExchangeEnd{
			ExchangeID: x.ID, Status: x.Status, ContentType: x.ContentType, Streaming: x.Streaming,
			EndedAt: *x.EndedAt, Outcome: x.Outcome, Error: x.Error,
			EventCount: x.EventCount, DroppedEvents: x.DroppedEvents,
		}
	}
	return rx
}

func (rd *recordingReader) readEvent(line []byte) error {
	var l eventLine
	if err := decodeStrict(line, &l); err != nil {
		return fmt.Errorf("event: %w", err)
	}
	rec := rd.recs[len(rd.recs)-1]
	i, ok := rd.exchanges[l.ExchangeID]
	switch {
	case !ok:
		return fmt.Errorf("event of exchange %q, which the header does not list", l.ExchangeID)
	case l.Seq < 0:
		return fmt.Errorf("event %s/%d: negative seq", l.ExchangeID, l.Seq)
	case l.OffsetNs < 0:
		return fmt.Errorf("event %s/%d: negative offsetNs", l.ExchangeID, l.Seq)
	case l.Raw == nil:
		return fmt.Errorf("event %s/%d: no raw bytes", l.ExchangeID, l.Seq)
	case rd.seen[eventKey{l.ExchangeID, l.Seq}]:
		return fmt.Errorf("event %s/%d appears twice", l.ExchangeID, l.Seq)
	}
	rd.seen[eventKey{l.ExchangeID, l.Seq}] = true
	x := &rec.Exchanges[i]
	offset := time.Duration(l.OffsetNs)
	at := l.At
	if at.IsZero() {
		at = x.StartedAt.Add(offset)
	}
	rec.Events = append(rec.Events, Event{
		ExchangeID: l.ExchangeID, Agent: x.Agent, Seq: l.Seq, Offset: offset, At: at,
		Raw: *l.Raw, Fields: a2awire.Fields{Kind: l.Kind, TaskID: l.TaskID, ContextID: l.ContextID, State: l.State, Final: l.Final, ArtifactID: l.ArtifactID}, Flag: l.Flag,
	})
	return nil
}

// finish sorts each recording's events into timeline order.
func (rd *recordingReader) finish() {
	for _, rec := range rd.recs {
		order := make(map[string]int, len(rec.Exchanges))
		for i, x := range rec.Exchanges {
			order[x.ID] = i
		}
		slices.SortStableFunc(rec.Events, func(a, b Event) int {
			return cmp.Or(cmp.Compare(order[a.ExchangeID], order[b.ExchangeID]), cmp.Compare(a.Seq, b.Seq))
		})
	}
}

// decodeStrict refuses unknown fields: in a hand-edited file they are typos.
func decodeStrict(line []byte, v any) error {
	dec := json.NewDecoder(bytes.NewReader(line))
	dec.DisallowUnknownFields()
	if err := dec.Decode(v); err != nil {
		return err
	}
	if dec.More() {
		return errors.New("more than one JSON document on the line")
	}
	return nil
}

// ImportBatch turns recordings into the Batch a backend's Import commits:
// each exchange and event once, in the order the proxy would have queued them
// (by time), with the task rollup the writer would have computed, so that the
// task rows come out as they did when the traffic was recorded. It fails on
// an exchange or event that differs between recordings, and on an event of
// an exchange its recording does not list.
func ImportBatch(recs []*Recording) (*Batch, ImportResult, error) {
	type timed struct {
		at   time.Time
		rank int // at equal times: a start, then events, then an end
		it   Item
	}
	var all []timed
	exchanges := make(map[string]*RecordedExchange)
	events := make(map[eventKey]*Event)
	res := ImportResult{Recordings: len(recs)}
	for _, rec := range recs {
		for i := range rec.Exchanges {
			x := &rec.Exchanges[i]
			if prev, ok := exchanges[x.ID]; ok {
				if !reflect.DeepEqual(prev, x) {
					return nil, ImportResult{}, fmt.Errorf("import: exchange %s differs between recordings", x.ID)
				}
				continue
			}
			exchanges[x.ID] = x
			res.Exchanges++
			all = append(all, timed{at: x.StartedAt, rank: 0, it: Item{Start: &x.Exchange}})
			if x.End != nil {
				all = append(all, timed{at: x.End.EndedAt, rank: 2, it: Item{End: x.End}})
			}
		}
		for i := range rec.Events {
			ev := &rec.Events[i]
			key := eventKey{ev.ExchangeID, ev.Seq}
			if prev, ok := events[key]; ok {
				if !reflect.DeepEqual(prev, ev) {
					return nil, ImportResult{}, fmt.Errorf("import: event %s/%d differs between recordings", ev.ExchangeID, ev.Seq)
				}
				continue
			}
			if _, ok := exchanges[ev.ExchangeID]; !ok {
				return nil, ImportResult{}, fmt.Errorf("import: event %s/%d of an exchange the recording does not list", ev.ExchangeID, ev.Seq)
			}
			events[key] = ev
			res.Events++
			all = append(all, timed{at: ev.At, rank: 1, it: Item{Event: ev}})
		}
	}
	slices.SortStableFunc(all, func(a, b timed) int {
		return cmp.Or(a.at.Compare(b.at), cmp.Compare(a.rank, b.rank))
	})
	b := &Batch{Items: make([]Item, len(all))}
	rollup := newTaskRollup()
	for i, t := range all {
		b.Items[i] = t.it
		switch {
		case t.it.Start != nil:
			rollup.addExchange(t.it.Start)
		case t.it.Event != nil:
			rollup.addEvent(t.it.Event)
		}
	}
	rollup.fill(b)
	return b, res, nil
}
