// Package migrations holds the SQLite schema as numbered .sql files and
// applies the ones a database has not seen yet.
//
// Files are named NNNN_what.sql and applied in name order. An applied file is
// never edited: a schema change is a new file.
package migrations

import (
	"context"
	"database/sql"
	"embed"
	"fmt"
	"io/fs"
	"time"
)

//go:embed *.sql
var files embed.FS

const createTable = `CREATE TABLE IF NOT EXISTS schema_migrations (
	name       TEXT PRIMARY KEY,
	applied_at INTEGER NOT NULL
)`

// Apply applies, in order, every migration not yet recorded in the
// schema_migrations table, each in its own transaction together with its
// record, so a failed migration leaves no trace and is retried next time.
func Apply(ctx context.Context, db *sql.DB) error {
	if _, err := db.ExecContext(ctx, createTable); err != nil {
		return fmt.Errorf("create schema_migrations: %w", err)
	}
	names, err := fs.Glob(files, "*.sql") // sorted by name
	if err != nil {
		return fmt.Errorf("list migrations: %w", err)
	}
	for _, name := range names {
		if err := applyOne(ctx, db, name); err != nil {
			return fmt.Errorf("migration %s: %w", name, err)
		}
	}
	return nil
}

func applyOne(ctx context.Context, db *sql.DB, name string) error {
	script, err := files.ReadFile(name)
	if err != nil {
		return fmt.Errorf("read: %w", err)
	}
	tx, err := db.BeginTx(ctx, nil)
	if err != nil {
		return fmt.Errorf("begin: %w", err)
	}
	defer tx.Rollback() //nolint:errcheck // a no-op after Commit

	var applied bool
	err = tx.QueryRowContext(ctx, `SELECT EXISTS (SELECT 1 FROM schema_migrations WHERE name = ?)`, name).Scan(&applied)
	if err != nil {
		return fmt.Errorf("check applied: %w", err)
	}
	if applied {
		return nil
	}
	if _, err := tx.ExecContext(ctx, string(script)); err != nil {
		return fmt.Errorf("apply: %w", err)
	}
	_, err = tx.ExecContext(ctx, `INSERT INTO schema_migrations (name, applied_at) VALUES (?, ?)`, name, time.Now().UnixNano())
	if err != nil {
		return fmt.Errorf("record: %w", err)
	}
	if err := tx.Commit(); err != nil {
		return fmt.Errorf("commit: %w", err)
	}
	return nil
}
