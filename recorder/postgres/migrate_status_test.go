package postgres

import (
	"context"
	"os"
	"path/filepath"
	"testing"

	"github.com/jackc/pgx/v5"

	"github.com/a2aproxy/a2a-proxy/internal/pgtest"
	"github.com/a2aproxy/a2a-proxy/recorder"
)

// TestOpenMigratesADatabaseOfTheSchemaBefore pins that a database written
// before 0004_task_status.sql opens, migrates forward with its data, and
// reads with the derived status: its task whose agent died is interrupted.
func TestOpenMigratesADatabaseOfTheSchemaBefore(t *testing.T) {
	t.Parallel()
	ctx := testContext(t)
	dsn := pgtest.Start(t)
	conn, err := pgx.Connect(ctx, dsn)
	if err != nil {
		t.Fatal(err)
	}
	defer conn.Close(context.WithoutCancel(ctx))
	if _, err := conn.Exec(ctx, `CREATE TABLE schema_migrations (name text PRIMARY KEY, applied_at timestamptz NOT NULL DEFAULT now())`); err != nil {
		t.Fatal(err)
	}
	for _, name := range []string{"0001_init.sql", "0002_open_exchanges.sql", "0003_replicas.sql"} { // the schema before
		script, err := os.ReadFile(filepath.Join("..", "..", "migrations", "postgres", name))
		if err != nil {
			t.Fatal(err)
		}
		if _, err := conn.Exec(ctx, string(script)); err != nil {
			t.Fatalf("%s: %v", name, err)
		}
		if _, err := conn.Exec(ctx, `INSERT INTO schema_migrations (name) VALUES ($1)`, name); err != nil {
			t.Fatal(err)
		}
	}
	start := t0.UnixNano()
	for _, stmt := range []string{
		`INSERT INTO exchanges (id, agent, method, started_at, ended_at, outcome, error, event_count)
			VALUES ('ex-died', 'a', 'message/stream', $1::bigint, $1::bigint + 1000, 'upstream_error', 'read: unexpected EOF', 1),
			       ('ex-done', 'a', 'message/stream', $1::bigint + 5, $1::bigint + 2000, 'completed', '', 1)`,
		`INSERT INTO tasks (task_id, agent, first_seen, last_seen, state, event_count, exchange_count)
			VALUES ('task-died', 'a', $1::bigint, $1::bigint, 'working', 1, 1), ('task-done', 'a', $1::bigint + 5, $1::bigint + 5, 'completed', 1, 1)`,
	} {
		if _, err := conn.Exec(ctx, stmt, start); err != nil {
			t.Fatalf("%s: %v", stmt, err)
		}
	}
	if _, err := conn.Exec(ctx, `INSERT INTO exchange_tasks VALUES ('task-died', 'ex-died'), ('task-done', 'ex-done')`); err != nil {
		t.Fatal(err)
	}

	s := openPG(t, dsn)
	page, err := s.ListTasks(ctx, recorder.TaskFilter{Status: recorder.StatusInterrupted})
	if err != nil {
		t.Fatal(err)
	}
	if len(page.Tasks) != 1 || page.Tasks[0].TaskID != "task-died" || page.Tasks[0].InterruptedReason != "agent died" {
		t.Fatalf("status=interrupted after the migration = %+v, want task-died, agent died", page.Tasks)
	}
	var indexed bool
	if err := conn.QueryRow(ctx, `SELECT EXISTS (SELECT 1 FROM pg_indexes WHERE indexname = 'exchanges_by_outcome')`).Scan(&indexed); err != nil || !indexed {
		t.Errorf("exchanges_by_outcome after the migration: %v, %v", indexed, err)
	}
}
