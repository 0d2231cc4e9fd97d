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

var errClosed = errors.New("recorder closed")

// StartExchange queues the start of an exchange. It is never dropped: when
// the queue is full it waits for room. The store keeps ex; the caller must
// not modify it (headers and body included) afterwards.
func (s *Store) StartExchange(ex *Exchange) {
	if err := s.send(context.Background(), item{start: ex}); err != nil {
		s.counters.ignored.Add(1)
		s.log.Warn("exchange start after close", "exchange_id", ex.ID)
	}
}

// RecordEvent queues an event of an exchange already started. In drop mode
// it never waits: when the queue is full it drops the event, counts it and
// returns false (the caller marks the recording incomplete). In lossless mode
// it waits for room. It also returns false after Close. The store keeps ev;
// the caller must not modify it afterwards.
func (s *Store) RecordEvent(ev *Event) bool {
	s.sendMu.RLock()
	defer s.sendMu.RUnlock()
	if s.closed {
		s.counters.dropped.Add(1)
		return false
	}
	if s.lossless {
		s.queue <- item{event: ev}
		return true
	}
	select {
	case s.queue <- item{event: ev}:
		return true
	default:
		s.counters.dropped.Add(1)
		return false
	}
}

// FinishExchange queues the end of an exchange. It is never dropped: when
// the queue is full it waits for room.
func (s *Store) FinishExchange(end *ExchangeEnd) {
	if err := s.send(context.Background(), item{end: end}); err != nil {
		s.counters.ignored.Add(1)
		s.log.Warn("exchange end after close", "exchange_id", end.ExchangeID)
	}
}

// Flush returns once everything queued before the call is committed, or with
// ctx's error. After Close it waits for Close's final commit. Items that
// could not be committed are logged and counted in Stats.FailedItems, not
// reported here.
func (s *Store) Flush(ctx context.Context) error {
	flushed := make(chan struct{})
	err := s.send(ctx, item{flushed: flushed})
	switch {
	case errors.Is(err, errClosed):
		flushed = s.writerDone
	case err != nil:
		return err
	}
	select {
	case <-flushed:
		return nil
	case <-ctx.Done():
		return ctx.Err()
	}
}

// send queues it, waiting for room until ctx is done.
func (s *Store) send(ctx context.Context, it item) error {
	s.sendMu.RLock()
	defer s.sendMu.RUnlock()
	if s.closed {
		return errClosed
	}
	select {
	case s.queue <- it:
		return nil
	case <-ctx.Done():
		return ctx.Err()
	}
}
