// Package recorder stores what the proxy sees in SQLite and answers the
// queries of the admin API, the UI and replay.
//
// Writes are asynchronous: the proxy hands exchanges and events to a queue and
// one writer goroutine commits them in batches, so recording never waits on
// the disk. Reads go through a separate connection pool and never wait on the
// writer either (SQLite WAL).
package recorder

import (
	"context"
	"database/sql"
	"errors"
	"fmt"
	"log/slog"
	"sync"
	"sync/atomic"
	"time"
)

var (
	// ErrNotFound is returned by the read methods for an unknown id.
	ErrNotFound = errors.New("not found")
	// ErrInvalidFilter is returned by ListTasks for a negative limit or a
	// cursor it did not issue.
	ErrInvalidFilter = errors.New("invalid task filter")
)

// Defaults for the zero values of Options.
const (
	DefaultBufferBytes   = 256 << 20
	DefaultBatchSize     = 2048
	DefaultFlushInterval = 50 * time.Millisecond
)

// Options configure a Store.
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
	// must return quickly: the writer waits for it.
	OnCommit func([]Event)
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

// Stats are the store's counters since Open.
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

// Store records exchanges and events into one SQLite file and reads them back.
// Its methods are safe for concurrent use.
type Store struct {
	lossless bool
	queue    *queue
	log      *slog.Logger
	counters counters
	losses   *lossCounter

	// sendMu is held shared by Import, which writes on the writer's
	// connection, and exclusively by Close, so the connection is never
	// closed under an import. Recording does not take it.
	sendMu sync.RWMutex
	closed bool // guarded by sendMu

	writer     *writer
	writerDone chan struct{}
	// tasksGen counts writes of task rows outside the writer (Import).
	tasksGen atomic.Uint64
	readDB   *sql.DB
	reads    readStatements

	closeOnce sync.Once
	closeErr  error
}

// Open opens the SQLite database at path, creating it if needed, applies the
// pending migrations, checks with a real write that it can write the file
// (a clear error if not: permissions, read-only file system, locked by
// another process), closes the exchanges a crash left open as
// OutcomeInterrupted and starts the writer. Close releases it.
func Open(ctx context.Context, path string, opts Options) (*Store, error) {
	if path == "" {
		return nil, errors.New("open recorder: empty database path")
	}
	opts, err := opts.withDefaults()
	if err != nil {
		return nil, err
	}
	writeDB, err := openWriteDB(ctx, path)
	if err != nil {
		return nil, err
	}
	if err := beginRun(ctx, writeDB, path, opts.Logger); err != nil {
		writeDB.Close()
		return nil, err
	}
	readDB, err := openReadDB(ctx, path)
	if err != nil {
		writeDB.Close()
		return nil, err
	}
	reads, err := prepareReadStatements(ctx, readDB)
	if err != nil {
		writeDB.Close()
		readDB.Close()
		return nil, err
	}
	s := &Store{
		reads:      reads,
		lossless:   opts.Mode == ModeLossless,
		queue:      newQueue(opts.BufferBytes),
		log:        opts.Logger,
		losses:     newLossCounter(opts.Logger),
		writerDone: make(chan struct{}),
		readDB:     readDB,
	}
	s.writer, err = newWriter(ctx, writeDB, s.queue, opts, &s.counters, s.losses, &s.tasksGen)
	if err != nil {
		reads.close()
		writeDB.Close()
		readDB.Close()
		return nil, err
	}
	go s.runWriter()
	return s, nil
}

func (s *Store) runWriter() {
	defer close(s.writerDone)
	s.writer.run()
}

// Close stops accepting writes, commits everything already queued and closes
// the database. It is safe to call more than once; later calls return the
// first one's result. Writes after Close are counted and ignored.
func (s *Store) Close() error {
	s.closeOnce.Do(func() {
		s.sendMu.Lock()
		s.closed = true
		s.sendMu.Unlock()
		s.queue.close() // the writer drains what is queued, then stops
		<-s.writerDone
		s.losses.close()
		s.closeErr = errors.Join(s.writer.close(), s.reads.close(), closeDB("reader", s.readDB))
	})
	return s.closeErr
}

// Stats returns the current counters.
func (s *Store) Stats() Stats {
	queued, bytes := s.queue.stats()
	return Stats{
		Queued:        queued,
		QueuedBytes:   bytes,
		WrittenEvents: s.counters.written.Load(),
		DroppedEvents: s.counters.dropped.Load(),
		FailedItems:   s.counters.failed.Load(),
		IgnoredWrites: s.counters.ignored.Load(),
		Lost:          s.losses.totals(),
	}
}

// Losses returns what the store could not store, since Open and recently,
// for the admin plane's banner.
func (s *Store) Losses() Losses { return s.losses.report() }
