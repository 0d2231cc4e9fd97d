// Package sqlite is the SQLite backend of the recorder (modernc.org/sqlite,
// no cgo): one file, a single write connection with prepared statements, a
// pool of read connections that never wait on the writer (WAL).
package sqlite

import (
	"context"
	"database/sql"
	"errors"
	"fmt"
	"log/slog"
	"runtime"
	"strings"

	_ "modernc.org/sqlite" // registers the "sqlite" driver

	"github.com/a2aproxy/a2a-proxy/migrations"
	"github.com/a2aproxy/a2a-proxy/recorder"
)

// Store is a SQLite database holding recordings: a recorder.Backend.
type Store struct {
	path     string
	log      *slog.Logger
	writeDB  *sql.DB
	stmts    statements // on writeDB's only connection
	readDB   *sql.DB
	reads    readStatements
	known    *storedTasks   // only the writer goroutine uses it
	newLinks map[string]int // per task, in the batch being committed
}

var _ recorder.Backend = (*Store)(nil)

// Option configures Open.
type Option func(*Store)

// WithLogger logs what Open repaired and the odd write (an exchange end
// without its start). By default nothing is logged.
func WithLogger(log *slog.Logger) Option { return func(s *Store) { s.log = log } }

// Open opens the SQLite database at path, creating it if needed, applies the
// pending migrations, checks with a real write that it can write the file (a
// clear error if not: permissions, read-only file system, locked by another
// process) and closes the exchanges a crash left open as
// recorder.OutcomeInterrupted. Close releases it.
func Open(ctx context.Context, path string, opts ...Option) (*Store, error) {
	if path == "" {
		return nil, errors.New("open recorder: empty database path")
	}
	s := &Store{
		path:     path,
		log:      slog.New(slog.DiscardHandler),
		known:    newStoredTasks(),
		newLinks: map[string]int{},
	}
	for _, o := range opts {
		o(s)
	}
	var err error
	if s.writeDB, err = openWriteDB(ctx, path); err != nil {
		return nil, err
	}
	if err := beginRun(ctx, s.writeDB, path, s.log); err != nil {
		s.writeDB.Close()
		return nil, err
	}
	if s.stmts, err = prepareStatements(ctx, s.writeDB); err != nil {
		s.writeDB.Close()
		return nil, err
	}
	if s.readDB, err = openReadDB(ctx, path); err != nil {
		s.stmts.close()
		s.writeDB.Close()
		return nil, err
	}
	if s.reads, err = prepareReadStatements(ctx, s.readDB); err != nil {
		s.stmts.close()
		s.writeDB.Close()
		s.readDB.Close()
		return nil, err
	}
	return s, nil
}

// Close closes the database. The Recorder calls it once its writer stopped.
func (s *Store) Close() error {
	return errors.Join(s.stmts.close(), closeDB("writer", s.writeDB), s.reads.close(), closeDB("reader", s.readDB))
}

// connPragmas are set on every connection. busy_timeout comes first so that
// the others wait for a lock instead of failing with SQLITE_BUSY.
const connPragmas = "_pragma=busy_timeout(5000)" +
	"&_pragma=journal_mode(WAL)" +
	"&_pragma=synchronous(NORMAL)" +
	"&_pragma=foreign_keys(ON)"

// uriPath escapes the characters that SQLite's URI filenames give a meaning.
var uriPath = strings.NewReplacer("%", "%25", "?", "%3f", "#", "%23")

func dsn(path, extra string) string {
	return "file:" + uriPath.Replace(path) + "?" + connPragmas + extra
}

// openWriteDB opens the single connection that writes, and migrates through it.
func openWriteDB(ctx context.Context, path string) (*sql.DB, error) {
	// BEGIN IMMEDIATE takes the write lock up front: a transaction never
	// fails half-way on an upgrade from a read lock. Checkpointing every
	// 16 MiB of WAL rather than SQLite's 4 MiB lets pages that every batch
	// rewrites (tasks, indexes) reach the database file once, not four times.
	db, err := sql.Open("sqlite", dsn(path, "&_txlock=immediate&_pragma=wal_autocheckpoint(4096)"))
	if err != nil {
		return nil, fmt.Errorf("open %s: %w", path, err)
	}
	db.SetMaxOpenConns(1)
	db.SetMaxIdleConns(1)
	db.SetConnMaxLifetime(0)
	db.SetConnMaxIdleTime(0) // the writer's prepared statements live on this connection
	if err := migrations.Apply(ctx, db); err != nil {
		db.Close()
		if lossReason(err) != recorder.LossCommitFailed {
			return nil, writeError(path, err)
		}
		return nil, fmt.Errorf("migrate %s: %w", path, err)
	}
	return db, nil
}

// openReadDB opens the pool the queries use. It is opened after the writer has
// created and migrated the file, and cannot write to it.
func openReadDB(ctx context.Context, path string) (*sql.DB, error) {
	db, err := sql.Open("sqlite", dsn(path, "&_query_only=1"))
	if err != nil {
		return nil, fmt.Errorf("open %s for reading: %w", path, err)
	}
	conns := max(4, runtime.NumCPU())
	db.SetMaxOpenConns(conns)
	db.SetMaxIdleConns(conns)
	if err := db.PingContext(ctx); err != nil {
		db.Close()
		return nil, fmt.Errorf("open %s for reading: %w", path, err)
	}
	return db, nil
}

func closeDB(role string, db *sql.DB) error {
	if err := db.Close(); err != nil {
		return fmt.Errorf("close %s: %w", role, err)
	}
	return nil
}

var (
	unixNano     = recorder.UnixNano
	fromUnixNano = recorder.FromUnixNano
)

// OpenRecorder opens the database at path and starts a recorder.Recorder on
// it, which owns it: what the CLI and the test rigs need in one call.
func OpenRecorder(ctx context.Context, path string, opts recorder.Options) (*recorder.Recorder, error) {
	var sopts []Option
	if opts.Logger != nil {
		sopts = append(sopts, WithLogger(opts.Logger))
	}
	s, err := Open(ctx, path, sopts...)
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
