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
	queue     <-chan item
	batchSize int
	interval  time.Duration
	log       *slog.Logger
	onCommit  func([]Event)
	counters  *counters
	rollup    taskRollup
	known     *storedTasks
}

func newWriter(ctx context.Context, db *sql.DB, queue <-chan item, opts Options, c *counters, tasksGen *atomic.Uint64) (*writer, error) {
	stmts, err := prepareStatements(ctx, db)
	if err != nil {
		return nil, err
	}
	return &writer{
		db:        db,
		stmts:     stmts,
		queue:     queue,
		batchSize: opts.BatchSize,
		interval:  opts.FlushInterval,
		log:       opts.Logger,
		onCommit:  opts.OnCommit,
		counters:  c,
		rollup:    newTaskRollup(),
		known:     newStoredTasks(tasksGen),
	}, nil
}

// run writes batches until the queue is closed and drained.
func (w *writer) run() {
	batch := make([]item, 0, w.batchSize)
	timer := time.NewTimer(w.interval)
	defer timer.Stop()
	for {
		first, ok := <-w.queue
		if !ok {
			return
		}
		batch, ok = w.collect(append(batch, first), timer)
		w.write(batch)
		clear(batch) // let the events' bytes go
		batch = batch[:0]
		if !ok {
			return
		}
	}
}

// collect adds queued items to batch until it is full, the interval since its
// first item has passed or a flush asks for a commit. It reports false when
// the queue is closed and drained.
func (w *writer) collect(batch []item, timer *time.Timer) ([]item, bool) {
	if batch[0].flushed != nil {
		return batch, true
	}
	timer.Reset(w.interval)
	for len(batch) < w.batchSize {
		select {
		case it, ok := <-w.queue:
			if !ok {
				return batch, false
			}
			batch = append(batch, it)
			if it.flushed != nil {
				return batch, true
			}
		case <-timer.C:
			return batch, true
		}
	}
	return batch, true
}

// write commits batch. If the batch fails as a whole, its items are retried
// one per transaction so that one bad item does not lose the others.
func (w *writer) write(batch []item) {
	if err := w.commit(batch); err != nil {
		var lost int
		var firstErr error
		for i := range batch {
			if err := w.commit(batch[i : i+1]); err != nil {
				lost++
				if firstErr == nil {
					firstErr = err
				}
			}
		}
		w.counters.failed.Add(uint64(lost))
		w.log.Error("commit batch", "err", err, "items", len(batch), "lost", lost, "first_item_err", firstErr)
	}
	for _, it := range batch {
		if it.flushed != nil {
			close(it.flushed)
		}
	}
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
			err = st.finishExchange(it.end, w.log)
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
