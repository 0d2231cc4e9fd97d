package migrations_test

import (
	"context"
	"database/sql"
	"path/filepath"
	"testing"

	_ "modernc.org/sqlite"

	"github.com/a2aproxy/a2a-proxy/migrations"
)

func openDB(t *testing.T, path string) *sql.DB {
	t.Helper()
	db, err := sql.Open("sqlite", path+"?_pragma=busy_timeout(5000)&_pragma=foreign_keys(ON)")
	if err != nil {
		t.Fatalf("open: %v", err)
	}
	t.Cleanup(func() { db.Close() })
	return db
}

func appliedNames(t *testing.T, db *sql.DB) []string {
	t.Helper()
	rows, err := db.Query(`SELECT name FROM schema_migrations ORDER BY name`)
	if err != nil {
		t.Fatalf("query schema_migrations: %v", err)
	}
	defer rows.Close()
	var names []string
	for rows.Next() {
		var name string
		if err := rows.Scan(&name); err != nil {
			t.Fatalf("scan: %v", err)
		}
		names = append(names, name)
	}
	if err := rows.Err(); err != nil {
		t.Fatalf("rows: %v", err)
	}
	return names
}

func TestApplyIsIdempotent(t *testing.T) {
	ctx := context.Background()
	path := filepath.Join(t.TempDir(), "test.db")

	db := openDB(t, path)
	if err := migrations.Apply(ctx, db); err != nil {
		t.Fatalf("first apply: %v", err)
	}
	first := appliedNames(t, db)
	if len(first) == 0 || first[0] != "0001_init.sql" {
		t.Fatalf("applied = %v, want 0001_init.sql first", first)
	}
	db.Close()

	// A second process opening the same file applies nothing again.
	db = openDB(t, path)
	if err := migrations.Apply(ctx, db); err != nil {
		t.Fatalf("second apply: %v", err)
	}
	if err := migrations.Apply(ctx, db); err != nil {
		t.Fatalf("third apply: %v", err)
	}
	again := appliedNames(t, db)
	if len(again) != len(first) {
		t.Fatalf("applied after reopen = %v, want %v", again, first)
	}
}

func TestSchemaHasTables(t *testing.T) {
	db := openDB(t, filepath.Join(t.TempDir(), "test.db"))
	if err := migrations.Apply(context.Background(), db); err != nil {
		t.Fatalf("apply: %v", err)
	}
	for _, table := range []string{"exchanges", "events", "tasks", "exchange_tasks"} {
		var n int
		err := db.QueryRow(`SELECT count(*) FROM sqlite_schema WHERE type = 'table' AND name = ?`, table).Scan(&n)
		if err != nil {
			t.Fatalf("look up %s: %v", table, err)
		}
		if n != 1 {
			t.Errorf("table %s missing", table)
		}
	}
}
