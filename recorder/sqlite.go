package recorder

import (
	"context"
	"database/sql"
	"fmt"
	"runtime"
	"strings"
	"time"

	_ "modernc.org/sqlite" // registers the "sqlite" driver

	"github.com/a2aproxy/a2a-proxy/migrations"
)

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
		if lossReason(err) != LossCommitFailed {
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

// Times are stored as unix nanoseconds; 0 stands for the zero time.
func unixNano(t time.Time) int64 {
	if t.IsZero() {
		return 0
	}
	return t.UnixNano()
}

func fromUnixNano(ns int64) time.Time {
	if ns == 0 {
		return time.Time{}
	}
	return time.Unix(0, ns).UTC()
}
