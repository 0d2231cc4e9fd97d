package migrations

import (
	"context"
	"embed"
	"fmt"
	"io/fs"
	"path"

	"github.com/jackc/pgx/v5"
)

// The PostgreSQL schema: postgres/NNNN_what.sql, the same rules as SQLite's.
//
//go:embed postgres/*.sql
var postgresFiles embed.FS

// postgresLockKey names the advisory lock under which migrations run:
// "a2apmigr" in ASCII, unlikely to clash with another program's key.
const postgresLockKey int64 = 0x6132_6170_6d69_6772

const postgresCreateTable = `CREATE TABLE IF NOT EXISTS schema_migrations (
	name       text PRIMARY KEY,
	applied_at timestamptz NOT NULL DEFAULT now()
)`

// PostgresDB is what ApplyPostgres needs: *pgx.Conn, *pgxpool.Pool and
// *pgxpool.Conn all have it.
type PostgresDB interface {
	Begin(ctx context.Context) (pgx.Tx, error)
}

// ApplyPostgres applies, in order, every PostgreSQL migration not yet
// recorded in the schema_migrations table, each in its own transaction
// together with its record. Every transaction first takes a transaction-level
// advisory lock, so replicas starting together apply each file exactly once
// (the others wait, then find it recorded), and the lock goes with the
// transaction: a pooled connection never keeps it.
func ApplyPostgres(ctx context.Context, db PostgresDB) error {
	names, err := fs.Glob(postgresFiles, "postgres/*.sql") // sorted by name
	if err != nil {
		return fmt.Errorf("list migrations: %w", err)
	}
	for _, name := range names {
		if err := applyPostgresOne(ctx, db, name); err != nil {
			return fmt.Errorf("migration postgres/%s: %w", path.Base(name), err)
		}
	}
	return nil
}

func applyPostgresOne(ctx context.Context, db PostgresDB, file string) error {
	script, err := postgresFiles.ReadFile(file)
	if err != nil {
		return fmt.Errorf("read: %w", err)
	}
	name := path.Base(file)
	tx, err := db.Begin(ctx)
	if err != nil {
		return fmt.Errorf("begin: %w", err)
	}
	defer tx.Rollback(context.WithoutCancel(ctx)) //nolint:errcheck // a no-op after Commit

	if _, err := tx.Exec(ctx, `SELECT pg_advisory_xact_lock($1)`, postgresLockKey); err != nil {
		return fmt.Errorf("lock: %w", err)
	}
	// Under the lock: two replicas creating the table at once would collide.
	if _, err := tx.Exec(ctx, postgresCreateTable); err != nil {
		return fmt.Errorf("create schema_migrations: %w", err)
	}
	var applied bool
	err = tx.QueryRow(ctx, `SELECT EXISTS (SELECT 1 FROM schema_migrations WHERE name = $1)`, name).Scan(&applied)
	if err != nil {
		return fmt.Errorf("check applied: %w", err)
	}
	if applied {
		return nil
	}
	// Without arguments pgx sends the simple protocol, which runs a script of
	// several statements.
	if _, err := tx.Exec(ctx, string(script)); err != nil {
		return fmt.Errorf("apply: %w", err)
	}
	if _, err := tx.Exec(ctx, `INSERT INTO schema_migrations (name) VALUES ($1)`, name); err != nil {
		return fmt.Errorf("record: %w", err)
	}
	if err := tx.Commit(ctx); err != nil {
		return fmt.Errorf("commit: %w", err)
	}
	return nil
}
