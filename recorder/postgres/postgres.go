// Package postgres stores what the proxy records in PostgreSQL (pgx/v5), so
// that several proxy replicas can share one store. It has the same
// behaviour as the SQLite backend through every read and write: the same
// schema (migrations/postgres), times as unix nanoseconds, text compared
// bytewise.
//
// Writes come from the recorder's single writer goroutine, one transaction
// per batch (COPY for exchanges and events, one statement for the task
// rollup); reads go through the same connection pool and never wait on it.
// Each Store is a replica: it beats a heartbeat row, and closes as
// interrupted the exchanges that replicas which stopped beating left open.
package postgres

import (
	"context"
	"crypto/rand"
	"encoding/hex"
	"fmt"
	"log/slog"
	"os"
	"sync"
	"time"

	"github.com/jackc/pgx/v5/pgxpool"

	"github.com/a2aproxy/a2a-proxy/migrations"
	"github.com/a2aproxy/a2a-proxy/recorder"
)

// Defaults of the options.
const (
	DefaultHeartbeat     = 2 * time.Second
	DefaultDeadAfter     = 15 * time.Second
	DefaultCommitTimeout = 30 * time.Second
)

// writeConns serve the writer goroutine and the heartbeat.
const writeConns = 2

// defaultLockTimeout is SQLite's busy_timeout, unless the DSN sets
// lock_timeout.
const defaultLockTimeout = "5s"

// options configure a Store; the zero value of each field is its default.
type options struct {
	replicaID     string
	heartbeat     time.Duration
	deadAfter     time.Duration
	commitTimeout time.Duration
	log           *slog.Logger
}

// Option configures Open.
type Option func(*options)

// WithReplicaID names this process among the replicas sharing the database.
// By default a new random id: a restarted process is a new replica, and the
// exchanges it left open are closed once its old id's heartbeat is
// DefaultDeadAfter old. A fixed id (a StatefulSet pod name) closes them at
// once on restart; two live processes must never share one.
func WithReplicaID(id string) Option { return func(o *options) { o.replicaID = id } }

// WithHeartbeat sets how often the replica's row is beaten, and how old a
// replica's heartbeat must be for its open exchanges to be closed as
// interrupted (several heartbeats). By default DefaultHeartbeat and
// DefaultDeadAfter.
func WithHeartbeat(every, deadAfter time.Duration) Option {
	return func(o *options) { o.heartbeat, o.deadAfter = every, deadAfter }
}

// WithCommitTimeout bounds one Commit or Import, so that a server that stops
// answering fails the batch (retryable) instead of holding the writer. By
// default DefaultCommitTimeout.
func WithCommitTimeout(d time.Duration) Option { return func(o *options) { o.commitTimeout = d } }

// WithLogger logs what Open repaired, the replica's heartbeat trouble and the
// odd write (an exchange end without its start). By default nothing is logged.
func WithLogger(log *slog.Logger) Option { return func(o *options) { o.log = log } }

func newOptions(opts []Option) (options, error) {
	var o options
	for _, opt := range opts {
		opt(&o)
	}
	if o.replicaID == "" {
		id, err := newReplicaID()
		if err != nil {
			return o, err
		}
		o.replicaID = id
	}
	if o.heartbeat <= 0 {
		o.heartbeat = DefaultHeartbeat
	}
	if o.deadAfter <= 0 {
		o.deadAfter = DefaultDeadAfter
	}
	if o.deadAfter < 2*o.heartbeat {
		return o, fmt.Errorf("replica dead-after %v is less than two heartbeats of %v", o.deadAfter, o.heartbeat)
	}
	if o.commitTimeout <= 0 {
		o.commitTimeout = DefaultCommitTimeout
	}
	if o.log == nil {
		o.log = slog.New(slog.DiscardHandler)
	}
	return o, nil
}

// newReplicaID is the host name and random bytes: readable in the replicas
// table, unique across restarts.
func newReplicaID() (string, error) {
	b := make([]byte, 6)
	if _, err := rand.Read(b); err != nil {
		return "", fmt.Errorf("make replica id: %w", err)
	}
	host, err := os.Hostname()
	if err != nil || host == "" {
		host = "replica"
	}
	return host + "-" + hex.EncodeToString(b), nil
}

// Store is one replica's connection to a shared PostgreSQL database. Its
// methods are safe for concurrent use; Commit and Import are meant for one
// writer goroutine.
type Store struct {
	pool   *pgxpool.Pool // reads
	writes *pgxpool.Pool // Commit, Import, the heartbeat: writeConns
	opts   options
	log    *slog.Logger
	where  string // the server and database, for errors (never the password)

	stopBeat context.CancelFunc
	beatDone chan struct{}

	closeOnce sync.Once
	closeErr  error
}

// Open connects to the database at dsn (postgres://...), applies the
// pending migrations under an advisory lock (replicas starting together
// apply each once), checks with a real write that it can write (a clear
// error if not: read-only standby, missing privileges, full disk), registers
// the replica, closes as interrupted the exchanges that dead replicas left
// open, and starts the heartbeat. Close releases it.
func Open(ctx context.Context, dsn string, opts ...Option) (*Store, error) {
	o, err := newOptions(opts)
	if err != nil {
		return nil, err
	}
	cfg, err := pgxpool.ParseConfig(dsn)
	if err != nil {
		return nil, fmt.Errorf("parse postgres dsn: %w", err) // pgconn's error redacts the password
	}
	where := fmt.Sprintf("%s:%d/%s", cfg.ConnConfig.Host, cfg.ConnConfig.Port, cfg.ConnConfig.Database)
	if _, set := cfg.ConnConfig.RuntimeParams["lock_timeout"]; !set {
		// As SQLite's busy_timeout: a lock held longer fails the batch as
		// locked instead of holding the writer until CommitTimeout.
		cfg.ConnConfig.RuntimeParams["lock_timeout"] = defaultLockTimeout
	}
	// The writer and the heartbeat get connections of their own, as
	// SQLite's single write connection: a busy admin plane never makes the
	// writer wait for a pooled connection.
	wcfg := cfg.Copy()
	wcfg.MaxConns, wcfg.MinConns = writeConns, 0
	s := &Store{opts: o, log: o.log, where: where}
	if s.writes, err = pgxpool.NewWithConfig(ctx, wcfg); err != nil {
		return nil, fmt.Errorf("connect to postgres %s: %w", where, err)
	}
	if s.pool, err = pgxpool.NewWithConfig(ctx, cfg); err != nil {
		s.writes.Close()
		return nil, fmt.Errorf("connect to postgres %s: %w", where, err)
	}
	fail := func(err error) (*Store, error) {
		s.writes.Close()
		s.pool.Close()
		return nil, err
	}
	if err := migrations.ApplyPostgres(ctx, s.writes); err != nil {
		if s.LossReason(err) != recorder.LossCommitFailed {
			return fail(s.writeError(err))
		}
		return fail(fmt.Errorf("migrate postgres %s: %w", where, err))
	}
	if err := s.beginRun(ctx); err != nil {
		return fail(err)
	}
	beatCtx, stop := context.WithCancel(context.Background())
	s.stopBeat, s.beatDone = stop, make(chan struct{})
	go s.beat(beatCtx)
	return s, nil
}

// ReplicaID returns the id this store records its exchanges under.
func (s *Store) ReplicaID() string { return s.opts.replicaID }

// Close stops the heartbeat, removes the replica's row (its exchanges are
// all over: the recorder flushed before closing its backend) and closes the
// pool. It is safe to call more than once.
func (s *Store) Close() error {
	s.closeOnce.Do(func() {
		s.stopBeat()
		<-s.beatDone
		ctx, cancel := context.WithTimeout(context.Background(), s.opts.heartbeat)
		defer cancel()
		if _, err := s.writes.Exec(ctx, `DELETE FROM replicas WHERE id = $1`, s.opts.replicaID); err != nil {
			s.log.Warn("remove replica row", "replica_id", s.opts.replicaID, "err", err)
		}
		s.writes.Close()
		s.pool.Close()
	})
	return s.closeErr
}

var _ recorder.Backend = (*Store)(nil)

// OpenRecorder opens the database at dsn and starts the recorder on it, as
// the proxy does.
func OpenRecorder(ctx context.Context, dsn string, opts recorder.Options, popts ...Option) (*recorder.Recorder, error) {
	if opts.Logger != nil {
		popts = append([]Option{WithLogger(opts.Logger)}, popts...)
	}
	s, err := Open(ctx, dsn, popts...)
	if err != nil {
		return nil, err
	}
	r, err := recorder.New(s, opts)
	if err != nil {
		s.Close()
		return nil, err
	}
	return r, nil
}
