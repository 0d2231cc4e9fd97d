// Package recorder is the domain of what the proxy records (exchanges,
// events, tasks, recordings) and the pipeline that stores it through a
// Backend (recorder/sqlite, recorder/postgres), without a database driver of
// its own.
//
// Writes are asynchronous: the proxy hands exchanges and events to a queue and
// one writer goroutine commits them in batches, so recording never waits on
// the store. Reads go to the backend directly and never wait on the writer.
package recorder

import (
	"context"
	"errors"
	"fmt"
	"log/slog"
	"sync"
	"sync/atomic"
	"time"
)

// Defaults for the zero values of Options.
const (
	DefaultBufferBytes   = 256 << 20
	DefaultBatchSize     = 2048
	DefaultFlushInterval = 50 * time.Millisecond
)

// Options configure a Recorder.
type Options struct {
	// Mode says what RecordEvent does when the queue is full. If empty,
	// ModeDrop.
	Mode Mode
	// BufferBytes bounds the memory that queued items (exchange starts,
	// events, exchange ends) hold while they wait for the writer: an event
	// costs its bytes plus a small fixed overhead. When it is spent, events
	// are dropped (ModeDrop) or wait (ModeLossless); starts and ends are
	// always queued. If zero, DefaultBufferBytes.
	BufferBytes int64
	// BatchSize is how many items one transaction commits at most. If zero,
	// DefaultBatchSize.
	BatchSize int
	// FlushInterval is how long the writer waits for a batch to fill before
	// committing what it has: the longest a queued item stays invisible to
	// readers. If zero, DefaultFlushInterval.
	FlushInterval time.Duration
	// Logger receives write errors. If nil, nothing is logged.
	Logger *slog.Logger
	// OnCommit, if set, is called by the writer goroutine after each
	// committed batch with the events it held, in queue order (for a live
	// feed). It owns the slice but must not modify the events' Raw, and it
	// must return quickly: the writer waits for it. On a backend that other
	// processes share (a Watcher), it is also called, from another
	// goroutine, with the events the other processes commit: a live feed
	// shows what every replica records, each event once.
	OnCommit func([]Event)
	// OnExchangesEnded, if set, is called by the writer goroutine after each
	// committed batch that ended exchanges, with those ends in queue order:
	// the exchanges are readable in full from then on (for the conformance
	// checks). Like OnCommit it owns the slice and must return quickly.
	OnExchangesEnded func([]ExchangeEnd)
}

func (o Options) withDefaults() (Options, error) {
	switch o.Mode {
	case "":
		o.Mode = ModeDrop
	case ModeDrop, ModeLossless:
	default:
		return o, fmt.Errorf("unknown record mode %q", o.Mode)
	}
	if o.BufferBytes <= 0 {
		o.BufferBytes = DefaultBufferBytes
	}
	if o.BatchSize <= 0 {
		o.BatchSize = DefaultBatchSize
	}
	if o.FlushInterval <= 0 {
		o.FlushInterval = DefaultFlushInterval
	}
	if o.Logger == nil {
		o.Logger = slog.New(slog.DiscardHandler)
	}
	return o, nil
}

// Stats are the recorder's counters since New.
type Stats struct {
	Queued        int    // items waiting for the writer now
	QueuedBytes   int64  // the part of Options.BufferBytes they spend
	WrittenEvents uint64 // events committed
	DroppedEvents uint64 // events refused: buffer full in drop mode, or store closed
	FailedItems   uint64 // items lost because their transaction failed (logged)
	IgnoredWrites uint64 // exchange starts and ends received after Close
	// Lost counts every item not stored, by reason: the refused events, the
	// failed items and the ignored writes above.
	Lost map[LossReason]uint64
}

// counters are shared by the senders and the writer.
type counters struct {
	written atomic.Uint64
	dropped atomic.Uint64
	failed  atomic.Uint64
	ignored atomic.Uint64
}

// Recorder records exchanges and events through a Backend and reads them
// back. Its methods are safe for concurrent use.
type Recorder struct {
	Reader // the backend's reads, answered without the writer

	lossless bool
	queue    *queue
	log      *slog.Logger
	counters counters
	losses   *lossCounter

	backend    Backend
	writer     *writer
	writerDone chan struct{}
	stopWatch  context.CancelFunc // nil without a Watcher
	watchDone  chan struct{}

	closeOnce sync.Once
	closeErr  error
}

// New starts the pipeline that records into backend: the byte-bounded queue
// and the single writer goroutine. The Recorder owns backend once New
// succeeds, and closes it on Close; on error, the caller still does.
func New(backend Backend, opts Options) (*Recorder, error) {
	opts, err := opts.withDefaults()
	if err != nil {
		return nil, err
	}
	if backend == nil {
		return nil, errors.New("new recorder: no backend")
	}
	r := &Recorder{
		Reader:     backend,
		lossless:   opts.Mode == ModeLossless,
		queue:      newQueue(opts.BufferBytes),
		log:        opts.Logger,
		losses:     newLossCounter(opts.Logger),
		backend:    backend,
		writerDone: make(chan struct{}),
	}
	r.writer = newWriter(backend, r.queue, opts, &r.counters, r.losses)
	go r.runWriter()
	if w, ok := backend.(Watcher); ok && opts.OnCommit != nil {
		r.watch(w, opts.OnCommit)
	}
	return r, nil
}

// watch hands the events other processes commit to onCommit until Close.
func (r *Recorder) watch(w Watcher, onCommit func([]Event)) {
	ctx, stop := context.WithCancel(context.Background())
	r.stopWatch, r.watchDone = stop, make(chan struct{})
	go func() {
		defer close(r.watchDone)
		if err := w.Watch(ctx, onCommit); err != nil && ctx.Err() == nil {
			r.log.Error("watch other replicas' commits: the live feed shows this replica's events only", "err", err)
		}
	}()
}

func (r *Recorder) runWriter() {
	defer close(r.writerDone)
	r.writer.run()
}

// Close stops accepting writes, commits everything already queued and closes
// the backend. It is safe to call more than once; later calls return the
// first one's result. Writes after Close are counted and ignored.
func (r *Recorder) Close() error {
	r.closeOnce.Do(func() {
		if r.stopWatch != nil {
			r.stopWatch()
			<-r.watchDone
		}
		r.queue.close() // the writer drains what is queued, then stops
		<-r.writerDone
		r.losses.close()
		if err := r.backend.Close(); err != nil {
			r.closeErr = fmt.Errorf("close recorder: %w", err)
		}
	})
	return r.closeErr
}

// Stats returns the current counters.
func (r *Recorder) Stats() Stats {
	queued, bytes := r.queue.stats()
	return Stats{
		Queued:        queued,
		QueuedBytes:   bytes,
		WrittenEvents: r.counters.written.Load(),
		DroppedEvents: r.counters.dropped.Load(),
		FailedItems:   r.counters.failed.Load(),
		IgnoredWrites: r.counters.ignored.Load(),
		Lost:          r.losses.totals(),
	}
}

// Losses returns what the recorder could not store, since New and recently,
// for the admin plane's banner.
func (r *Recorder) Losses() Losses { return r.losses.report() }
