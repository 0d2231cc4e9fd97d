package recorder

import (
	"context"
	"log/slog"
	"time"
)

// Backoff of the writer while the store is unreachable.
const (
	retryFirst = 50 * time.Millisecond
	retryMax   = 5 * time.Second
)

// writer is the only goroutine that writes to the backend. It commits the
// queue in batches: up to batchSize items, or what arrived within interval of
// the batch's first item, in one transaction.
type writer struct {
	backend   Backend
	queue     *queue
	batchSize int
	interval  time.Duration
	log       *slog.Logger
	onCommit  func([]Event)
	onEnds    func([]ExchangeEnd)
	counters  *counters
	losses    *lossCounter
	rollup    taskRollup
	batch     Batch // reused by every commit
	// lostEvents counts, per open exchange, the events the writer could not
	// store: added to the exchange's dropped_events when its end is written,
	// so that its recording shows as incomplete.
	lostEvents map[string]int
	// lostStarts holds the exchanges whose start was not stored, and why:
	// their events and end are lost for the same reason instead of failing
	// batches on the missing row.
	lostStarts map[string]LossReason
}

func newWriter(backend Backend, q *queue, opts Options, c *counters, losses *lossCounter) *writer {
	return &writer{
		backend:    backend,
		queue:      q,
		batchSize:  opts.BatchSize,
		interval:   opts.FlushInterval,
		log:        opts.Logger,
		onCommit:   opts.OnCommit,
		onEnds:     opts.OnExchangesEnded,
		counters:   c,
		losses:     losses,
		rollup:     newTaskRollup(),
		lostEvents: map[string]int{},
		lostStarts: map[string]LossReason{},
	}
}

// run writes batches until the queue is closed and drained.
func (w *writer) run() {
	batch := make([]item, 0, w.batchSize)
	timer := time.NewTimer(w.interval)
	timer.Stop()
	for {
		w.queue.waitFor(1, nil)
		// A batch has begun: give it the interval to fill, unless a flush,
		// an import or Close wants it now.
		timer.Reset(w.interval)
		w.queue.waitFor(w.batchSize, timer.C)
		timer.Stop()
		var ok bool
		batch, ok = w.queue.take(batch[:0], w.batchSize)
		if !ok {
			return
		}
		if len(batch) > 0 {
			w.write(batch)
		}
		clear(batch) // let the events' bytes go
	}
}

// write commits batch, running the imports it holds in their place: after
// what was queued before them, before what was queued after.
func (w *writer) write(batch []item) {
	from := 0
	for i, it := range batch {
		if it.imp != nil {
			w.writeItems(batch[from:i])
			w.runImport(it.imp)
			from = i + 1
		}
	}
	w.writeItems(batch[from:])
}

func (w *writer) runImport(job *importJob) {
	res, err := w.backend.Import(job.ctx, job.recs)
	job.done <- importDone{res: res, err: err}
}

// writeItems commits items. If they fail as a whole for a reason of their
// own (not the disk, a lock or the store), they are retried one per
// transaction so that one bad item does not lose the others. Every item lost
// is counted by reason and, for events, marked on its exchange.
func (w *writer) writeItems(items []item) {
	if len(items) == 0 {
		return
	}
	items = w.skipLostStarts(items)
	if err := w.commitRetrying(items); err != nil {
		reason := w.lossReason(err)
		if reason != LossCommitFailed {
			w.lose(items, reason, err)
		} else {
			for i := range items {
				if err := w.commitRetrying(items[i : i+1]); err != nil {
					w.lose(items[i:i+1], w.lossReason(err), err)
				}
			}
		}
	}
	for _, it := range items {
		if it.flushed != nil {
			close(it.flushed)
		}
	}
}

func (w *writer) lossReason(err error) LossReason {
	if w.backend.Retryable(err) {
		return LossUnreachable
	}
	return w.backend.LossReason(err)
}

// commitRetrying commits items, and while the backend says the store is
// unreachable, tries the same items again with backoff: new items keep
// queueing in the byte budget meanwhile, and only what overflows it is lost.
// Once the recorder is closing, it tries once more and gives up.
func (w *writer) commitRetrying(items []item) error {
	delay := retryFirst
	for {
		err := w.commit(items)
		if err == nil || !w.backend.Retryable(err) {
			return err
		}
		w.log.Warn("recorder store unreachable, retrying", "err", err, "retry_in", delay)
		if !w.queue.sleep(delay) {
			return w.commit(items)
		}
		delay = min(2*delay, retryMax)
	}
}

// lose counts items as lost and remembers what to mark on their exchanges.
func (w *writer) lose(items []item, reason LossReason, err error) {
	n := 0
	for _, it := range items {
		switch {
		case it.start != nil:
			w.lostStarts[it.start.ID] = reason
		case it.event != nil:
			w.lostEvents[it.event.ExchangeID]++
		case it.end != nil:
			// No row to mark; the next start closes it as interrupted.
			delete(w.lostEvents, it.end.ExchangeID)
			delete(w.lostStarts, it.end.ExchangeID)
		case it.checks != nil:
		default:
			continue
		}
		n++
	}
	w.counters.failed.Add(uint64(n))
	w.losses.add(reason, n, err)
}

// markLost returns end with the events the writer lost of its exchange
// added to its dropped ones, so that its recording shows as incomplete.
func (w *writer) markLost(end *ExchangeEnd) *ExchangeEnd {
	lost := w.lostEvents[end.ExchangeID]
	if lost == 0 {
		return end
	}
	marked := *end
	marked.DroppedEvents += lost
	return &marked
}

// skipLostStarts removes the events and ends of exchanges whose start was
// lost, counting them lost for the same reason; it returns items when there
// are none, which is almost always.
func (w *writer) skipLostStarts(items []item) []item {
	if len(w.lostStarts) == 0 {
		return items
	}
	kept := items[:0:0]
	for _, it := range items {
		id := ""
		switch {
		case it.event != nil:
			id = it.event.ExchangeID
		case it.end != nil:
			id = it.end.ExchangeID
		case it.checks != nil:
			id = it.checks.ExchangeID
		}
		reason, lost := w.lostStarts[id]
		if !lost {
			kept = append(kept, it)
			continue
		}
		if it.end != nil {
			delete(w.lostStarts, id)
		}
		w.counters.failed.Add(1)
		w.losses.add(reason, 1, nil)
	}
	return kept
}

// commit hands items to the backend as one Batch, with their task rollup.
func (w *writer) commit(items []item) error {
	b := &w.batch
	b.Items = b.Items[:0]
	w.rollup.reset()
	for _, it := range items {
		switch {
		case it.start != nil:
			b.Items = append(b.Items, Item{Start: it.start})
			w.rollup.addExchange(it.start)
		case it.event != nil:
			b.Items = append(b.Items, Item{Event: it.event})
			w.rollup.addEvent(it.event)
		case it.end != nil:
			b.Items = append(b.Items, Item{End: w.markLost(it.end)})
		case it.checks != nil:
			b.Items = append(b.Items, Item{Checks: it.checks})
		}
	}
	if len(b.Items) == 0 {
		return nil
	}
	w.rollup.fill(b)
	err := w.backend.Commit(context.Background(), b)
	clear(b.Items) // let the events' bytes go
	if err != nil {
		return err
	}
	w.committed(items)
	return nil
}

// committed counts the batch's events and hands them to OnCommit, and its
// ends to OnExchangesEnded.
func (w *writer) committed(items []item) {
	var events []Event
	var ends []ExchangeEnd
	var n uint64
	for _, it := range items {
		if it.end != nil && len(w.lostEvents) > 0 {
			delete(w.lostEvents, it.end.ExchangeID) // marked
		}
		if it.end != nil && w.onEnds != nil {
			ends = append(ends, *it.end)
		}
		if it.event == nil {
			continue
		}
		n++
		if w.onCommit != nil {
			events = append(events, *it.event)
		}
	}
	w.counters.written.Add(n)
	if len(events) > 0 {
		w.onCommit(events)
	}
	if len(ends) > 0 {
		w.onEnds(ends)
	}
}
