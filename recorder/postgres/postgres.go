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

// Defaults for the zero values of Options.
const (
	DefaultHeartbeat     = 2 * time.Second
	DefaultDeadAfter     = 15 * time.Second
	DefaultCommitTimeout = 30 * time.Second
)

// defaultLockTimeout is SQLite's busy_timeout, unless the DSN sets
// lock_timeout.
const defaultLockTimeout = "5s"

// Options configure a Store.
type Options struct {
	// ReplicaID names this process among the replicas sharing the database.
	// If empty, a new random id: a restarted process is a new replica, and
	// the exchanges it left open are closed once its old id's heartbeat is
	// DeadAfter old. A fixed id (a StatefulSet pod name) closes them at once
	// on restart; two live processes must never share one.
	ReplicaID string
	// Heartbeat is how often the replica's row is beaten. If zero,
	// DefaultHeartbeat.
	Heartbeat time.Duration
	// DeadAfter is how old a replica's heartbeat must be for its open
	// exchanges to be closed as interrupted. If zero, DefaultDeadAfter. It
	// must be several heartbeats.
	DeadAfter time.Duration
	// CommitTimeout bounds one Commit or Import, so that a store that stops
	// answering fails the batch (retryable) instead of holding the writer.
	// If zero, DefaultCommitTimeout.
	CommitTimeout time.Duration
	// Logger receives what the store notices. If nil, nothing is logged.
	Logger *slog.Logger
}

func (o Options) withDefaults() (Options, error) {
	if o.ReplicaID == "" {
		id, err := newReplicaID()
		if err != nil {
			return o, err
		}
		o.ReplicaID = id
	}
	if o.Heartbeat <= 0 {
		o.Heartbeat = DefaultHeartbeat
	}
	if o.DeadAfter <= 0 {
		o.DeadAfter = DefaultDeadAfter
	}
	if o.DeadAfter < 2*o.Heartbeat {
		return o, fmt.Errorf("replica dead-after %v is less than two heartbeats of %v", o.DeadAfter, o.Heartbeat)
	}
	if o.CommitTimeout <= 0 {
		o.CommitTimeout = DefaultCommitTimeout
	}
	if o.Logger == nil {
		o.Logger = slog.New(slog.DiscardHandler)
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
	pool  *pgxpool.Pool
	opts  Options
	log   *slog.Logger
	where string // the server and database, for errors (never the password)

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
func Open(ctx context.Context, dsn string, opts Options) (*Store, error) {
	opts, err := opts.withDefaults()
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
	pool, err := pgxpool.NewWithConfig(ctx, cfg)
	if err != nil {
		return nil, fmt.Errorf("connect to postgres %s: %w", where, err)
	}
	s := &Store{pool: pool, opts: opts, log: opts.Logger, where: where}
	if err := migrations.ApplyPostgres(ctx, pool); err != nil {
		pool.Close()
		if s.LossReason(err) != recorder.LossCommitFailed {
			return nil, s.writeError(err)
		}
		return nil, fmt.Errorf("migrate postgres %s: %w", where, err)
	}
	if err := s.beginRun(ctx); err != nil {
		pool.Close()
		return nil, err
	}
	beatCtx, stop := context.WithCancel(context.Background())
	s.stopBeat, s.beatDone = stop, make(chan struct{})
	go s.beat(beatCtx)
	return s, nil
}

// ReplicaID returns the id this store records its exchanges under.
func (s *Store) ReplicaID() string { return s.opts.ReplicaID }

// Close stops the heartbeat, removes the replica's row (its exchanges are
// all over: the recorder flushed before closing its backend) and closes the
// pool. It is safe to call more than once.
func (s *Store) Close() error {
	s.closeOnce.Do(func() {
		s.stopBeat()
		<-s.beatDone
		ctx, cancel := context.WithTimeout(context.Background(), s.opts.Heartbeat)
		defer cancel()
		if _, err := s.pool.Exec(ctx, `DELETE FROM replicas WHERE id = $1`, s.opts.ReplicaID); err != nil {
			s.log.Warn("remove replica row", "replica_id", s.opts.ReplicaID, "err", err)
		}
		s.pool.Close()
	})
	return s.closeErr
}
