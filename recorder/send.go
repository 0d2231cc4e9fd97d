package recorder

import (
	"context"
	"errors"
)

// item is one unit of work for the writer; exactly one field is set.
type item struct {
	start   *Exchange
	event   *Event
	end     *ExchangeEnd
	flushed chan<- struct{} // closed once everything queued before is committed
}

var (
	errClosed     = errors.New("recorder closed")
	errBufferFull = errors.New("recorder buffer full")
)

// StartExchange queues the start of an exchange. It never waits: starts are
// accepted whatever the queue holds (they count in its budget). The store
// keeps ex; the caller must not modify it (headers and body included)
// afterwards. After Close it is counted as lost and ignored.
func (s *Store) StartExchange(ex *Exchange) {
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
func (s *Store) RecordEvent(ev *Event) bool {
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
func (s *Store) FinishExchange(end *ExchangeEnd) {
	if !s.queue.put(item{end: end}) {
		s.counters.ignored.Add(1)
		s.losses.add(LossClosed, 1, nil)
		s.log.Warn("exchange end after close", "exchange_id", end.ExchangeID)
	}
}

// Flush returns once everything queued before the call is committed, or with
// ctx's error. After Close it waits for Close's final commit. Items that
// could not be committed are logged and counted in Stats, not reported here.
func (s *Store) Flush(ctx context.Context) error {
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
