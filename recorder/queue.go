package recorder

import (
	"sync"
	"time"
)

// EventOverhead is what an event costs Options.BufferBytes beyond its Raw
// bytes: the struct, its strings and its queue slot, rounded up.
const EventOverhead = 256

// What exchange starts (beyond their request body) and ends cost the budget.
const (
	exchangeOverhead = 1024
	endOverhead      = 256
)

// size is what an item costs the queue's byte budget.
func (it item) size() int64 {
	switch {
	case it.event != nil:
		return int64(len(it.event.Raw)) + EventOverhead
	case it.start != nil:
		return int64(len(it.start.RequestBody)) + exchangeOverhead
	case it.end != nil:
		return int64(len(it.end.Error)) + endOverhead
	case it.checks != nil:
		return it.checks.size()
	}
	return 0
}

// queue is the FIFO between the senders and the writer, bounded by the bytes
// it holds rather than by a number of items, so that a burst of small events
// that fits in memory is kept. Exchange starts and ends and flushes are always
// accepted (they are few and small; they count in the bytes); events are
// refused, or wait in lossless mode, while the budget is spent. Nothing here
// knows the database.
type queue struct {
	mu      sync.Mutex
	items   []item // items[head:] are queued
	head    int
	bytes   int64 // budget spent by items[head:]
	limit   int64
	flushes int  // flush and import markers among items[head:]
	closed  bool // no more items; the writer drains what is left
	// want, when > 0, is how many items the waiting writer needs before it
	// is woken (a flush or Close wakes it at once).
	want int
	wake chan struct{} // size 1: a send never blocks
	done chan struct{} // closed by close
	room sync.Cond     // lossless senders wait here for budget
	// roomWaiters counts the senders waiting on room, so that the writer
	// broadcasts only when someone listens.
	roomWaiters int
}

func newQueue(limit int64) *queue {
	q := &queue{limit: limit, wake: make(chan struct{}, 1), done: make(chan struct{})}
	q.room.L = &q.mu
	return q
}

// put queues an item that is never refused for room: an exchange start or
// end, or a flush marker. It reports false after close.
func (q *queue) put(it item) bool {
	q.mu.Lock()
	if q.closed {
		q.mu.Unlock()
		return false
	}
	q.push(it)
	q.mu.Unlock()
	return true
}

// putEvent queues an event if the budget has room for it (or the queue is
// empty, so that an event larger than the whole budget can pass). Otherwise
// it waits for room if wait is set, and refuses the event if not. It reports
// why an event was refused: errBufferFull or errClosed.
func (q *queue) putEvent(it item, wait bool) error {
	size := it.size()
	q.mu.Lock()
	for !q.closed && q.bytes > 0 && q.bytes+size > q.limit {
		if !wait {
			q.mu.Unlock()
			return errBufferFull
		}
		q.roomWaiters++
		q.room.Wait()
		q.roomWaiters--
	}
	if q.closed {
		q.mu.Unlock()
		return errClosed
	}
	q.push(it)
	q.mu.Unlock()
	return nil
}

// push appends it and wakes the writer if it waits for this; q.mu is held.
func (q *queue) push(it item) {
	q.items = append(q.items, it)
	q.bytes += it.size()
	if it.marker() {
		q.flushes++
	}
	if q.want > 0 && (len(q.items)-q.head >= q.want || it.marker()) {
		q.want = 0
		q.signal()
	}
}

// signal wakes the writer without ever blocking.
func (q *queue) signal() {
	select {
	case q.wake <- struct{}{}:
	default:
	}
}

// close refuses further items and wakes everyone; the writer still drains
// what is queued.
func (q *queue) close() {
	q.mu.Lock()
	if !q.closed {
		close(q.done)
	}
	q.closed = true
	q.room.Broadcast()
	q.mu.Unlock()
	q.signal()
}

// sleep waits for d, and reports false if the queue was closed first (or
// already).
func (q *queue) sleep(d time.Duration) bool {
	t := time.NewTimer(d)
	defer t.Stop()
	select {
	case <-t.C:
		return true
	case <-q.done:
		return false
	}
}

// ready reports whether the writer has n items, a flush or the end to act on,
// and if not, asks to be woken when it has; q.mu is held.
func (q *queue) ready(n int) bool {
	if q.closed || q.flushes > 0 || len(q.items)-q.head >= n {
		q.want = 0
		return true
	}
	q.want = n
	return false
}

// waitFor blocks the writer until the queue holds n items, a flush marker or
// is closed, or until timeout fires (nil: no timeout).
func (q *queue) waitFor(n int, timeout <-chan time.Time) {
	for {
		q.mu.Lock()
		ok := q.ready(n)
		q.mu.Unlock()
		if ok {
			return
		}
		select {
		case <-q.wake:
		case <-timeout:
			q.mu.Lock()
			q.want = 0
			q.mu.Unlock()
			return
		}
	}
}

// take moves up to n queued items to batch, frees their budget and reports
// false once the queue is closed and empty.
func (q *queue) take(batch []item, n int) ([]item, bool) {
	q.mu.Lock()
	defer q.mu.Unlock()
	queued := q.items[q.head:]
	if len(queued) == 0 {
		return batch, !q.closed
	}
	queued = queued[:min(n, len(queued))]
	batch = append(batch, queued...)
	for _, it := range queued {
		q.bytes -= it.size()
		if it.marker() {
			q.flushes--
		}
	}
	clear(queued) // let the events' bytes go once written
	q.head += len(queued)
	switch {
	case q.head == len(q.items):
		q.items, q.head = q.items[:0], 0
	case q.head >= cap(q.items)/2:
		// Slide the rest down so that the backing array is reused, not grown.
		rest := copy(q.items, q.items[q.head:])
		clear(q.items[rest:])
		q.items, q.head = q.items[:rest], 0
	}
	if q.roomWaiters > 0 {
		q.room.Broadcast()
	}
	return batch, true
}

// stats returns the number of items queued and the budget they spend.
func (q *queue) stats() (items int, bytes int64) {
	q.mu.Lock()
	defer q.mu.Unlock()
	return len(q.items) - q.head, q.bytes
}
