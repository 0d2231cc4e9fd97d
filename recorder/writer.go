package recorder

import (
	"context"
	"database/sql"
	"errors"
	"fmt"
	"log/slog"
	"sync/atomic"
	"time"
)

// writer is the only goroutine that writes to the database. It commits the
// queue in batches: up to batchSize items, or what arrived within interval of
// the batch's first item, in one transaction.
type writer struct {
	db        *sql.DB
	stmts     statements
	queue     *queue
	batchSize int
	interval  time.Duration
	log       *slog.Logger
	onCommit  func([]Event)
	counters  *counters
	losses    *lossCounter
	rollup    taskRollup
	known     *storedTasks
	// lostEvents counts, per open exchange, the events the writer could not
	// store: added to the exchange's dropped_events when its end is written,
	// so that its recording shows as incomplete.
	lostEvents map[string]int
	// lostStarts holds the exchanges whose start was not stored, and why:
	// their events and end are lost for the same reason instead of failing
	// batches on the missing row.
	lostStarts map[string]LossReason
}

func newWriter(ctx context.Context, db *sql.DB, q *queue, opts Options, c *counters, losses *lossCounter, tasksGen *atomic.Uint64) (*writer, error) {
	stmts, err := prepareStatements(ctx, db)
	if err != nil {
		return nil, err
	}
	return &writer{
		db:         db,
		stmts:      stmts,
		queue:      q,
		batchSize:  opts.BatchSize,
		interval:   opts.FlushInterval,
		log:        opts.Logger,
		onCommit:   opts.OnCommit,
		counters:   c,
		losses:     losses,
		rollup:     newTaskRollup(),
		known:      newStoredTasks(tasksGen),
		lostEvents: map[string]int{},
		lostStarts: map[string]LossReason{},
	}, nil
}

// run writes batches until the queue is closed and drained.
func (w *writer) run() {
	batch := make([]item, 0, w.batchSize)
	timer := time.NewTimer(w.interval)
	timer.Stop()
	for {
		w.queue.waitFor(1, nil)
		// A batch has begun: give it the interval to fill, unless a flush
		// or Close wants it now.
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

// write commits batch. If the batch fails as a whole for a reason of its
// own (not the disk, a lock or the file), its items are retried one per
// transaction so that one bad item does not lose the others. Every item lost
// is counted by reason and, for events, marked on its exchange.
func (w *writer) write(batch []item) {
	batch = w.skipLostStarts(batch)
	if err := w.commit(batch); err != nil {
		reason := lossReason(err)
		if reason != LossCommitFailed {
			w.lose(batch, reason, err)
		} else {
			for i := range batch {
				if err := w.commit(batch[i : i+1]); err != nil {
					w.lose(batch[i:i+1], lossReason(err), err)
				}
			}
		}
	}
	for _, it := range batch {
		if it.flushed != nil {
			close(it.flushed)
		}
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
// lost, counting them lost for the same reason; it returns batch when there
// are none, which is almost always.
func (w *writer) skipLostStarts(batch []item) []item {
	if len(w.lostStarts) == 0 {
		return batch
	}
	kept := batch[:0:0]
	for _, it := range batch {
		id := ""
		switch {
		case it.event != nil:
			id = it.event.ExchangeID
		case it.end != nil:
			id = it.end.ExchangeID
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

// commit writes batch in one transaction.
func (w *writer) commit(batch []item) (err error) {
	if !hasWrites(batch) {
		return nil
	}
	tx, err := w.db.Begin()
	if err != nil {
		return fmt.Errorf("begin: %w", err)
	}
	defer tx.Rollback() //nolint:errcheck // a no-op after Commit
	w.known.sync()
	defer func() {
		if err != nil {
			w.known.forget() // it learned what the rollback undid
		}
	}()

	st := w.stmts.in(tx)
	w.rollup.reset()
	for _, it := range batch {
		switch {
		case it.start != nil:
			err = st.insertExchange(it.start)
			w.rollup.addExchange(it.start)
		case it.event != nil:
			err = st.insertEvent(it.event)
			w.rollup.addEvent(it.event)
		case it.end != nil:
			err = st.finishExchange(w.markLost(it.end), w.log)
		}
		if err != nil {
			return err
		}
	}
	if err := w.rollup.write(st, w.known); err != nil {
		return err
	}
	if err := tx.Commit(); err != nil {
		return fmt.Errorf("commit: %w", err)
	}
	w.committed(batch)
	return nil
}

func hasWrites(batch []item) bool {
	for _, it := range batch {
		if it.flushed == nil {
			return true
		}
	}
	return false
}

// committed counts the batch's events and hands them to OnCommit.
func (w *writer) committed(batch []item) {
	var events []Event
	var n uint64
	for _, it := range batch {
		if it.end != nil && len(w.lostEvents) > 0 {
			delete(w.lostEvents, it.end.ExchangeID) // marked
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
}

// close releases the statements and the write connection; the writer must
// have stopped.
func (w *writer) close() error {
	return errors.Join(w.stmts.close(), closeDB("writer", w.db))
}
