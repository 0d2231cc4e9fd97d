package sqlite_test

import (
	"context"
	"database/sql"
	"os"
	"path/filepath"
	"strings"
	"testing"
	"time"

	"github.com/a2aproxy/a2a-proxy/recorder"
)

// TestOpenMigratesAStoreOfTheSchemaBefore pins that a database written
// before 0003_task_status.sql opens, migrates forward with its data, and
// reads with the derived status: its task whose agent died shows as
// interrupted, the status filter finds it through the new partial index.
func TestOpenMigratesAStoreOfTheSchemaBefore(t *testing.T) {
	path := filepath.Join(t.TempDir(), "old.db")
	db, err := sql.Open("sqlite", "file:"+path)
	if err != nil {
		t.Fatal(err)
	}
	if _, err := db.Exec(`CREATE TABLE schema_migrations (name TEXT PRIMARY KEY, applied_at INTEGER NOT NULL)`); err != nil {
		t.Fatal(err)
	}
	for _, name := range []string{"0001_init.sql", "0002_open_exchanges.sql"} { // the schema before
		script, err := os.ReadFile(filepath.Join("..", "..", "migrations", name))
		if err != nil {
			t.Fatal(err)
		}
		if _, err := db.Exec(string(script)); err != nil {
			t.Fatalf("%s: %v", name, err)
		}
		if _, err := db.Exec(`INSERT INTO schema_migrations VALUES (?, 1)`, name); err != nil {
			t.Fatal(err)
		}
	}
	start := time.Date(2025, 6, 1, 12, 0, 0, 0, time.UTC).UnixNano()
	for _, stmt := range []string{
		`INSERT INTO exchanges (id, agent, method, started_at, ended_at, outcome, error, event_count)
			VALUES ('ex-died', 'a', 'message/stream', ?1, ?1 + 1000, 'upstream_error', 'read: unexpected EOF', 1),
			       ('ex-done', 'a', 'message/stream', ?1 + 5, ?1 + 2000, 'completed', '', 1)`,
		`INSERT INTO tasks (task_id, agent, first_seen, last_seen, state, event_count, exchange_count)
			VALUES ('task-died', 'a', ?1, ?1, 'working', 1, 1), ('task-done', 'a', ?1 + 5, ?1 + 5, 'completed', 1, 1)`,
		`INSERT INTO exchange_tasks VALUES ('task-died', 'ex-died'), ('task-done', 'ex-done')`,
	} {
		if _, err := db.Exec(stmt, start); err != nil {
			t.Fatalf("%s: %v", stmt, err)
		}
	}
	db.Close()

	s, err := openAt(t, path, recorder.Options{})
	if err != nil {
		t.Fatalf("open the old database: %v", err)
	}
	defer s.Close()
	page, err := s.ListTasks(context.Background(), recorder.TaskFilter{Status: recorder.StatusInterrupted})
	if err != nil {
		t.Fatal(err)
	}
	if len(page.Tasks) != 1 || page.Tasks[0].TaskID != "task-died" || page.Tasks[0].InterruptedReason != "agent died" {
		t.Fatalf("status=interrupted after the migration = %+v, want task-died, agent died", page.Tasks)
	}
	all, err := s.ListTasks(context.Background(), recorder.TaskFilter{})
	if err != nil || len(all.Tasks) != 2 || all.Tasks[0].Status != "completed" {
		t.Fatalf("all tasks after the migration = %+v, %v; want both, task-done completed", all.Tasks, err)
	}

	// The outcome filter starts from the partial index, not from every task.
	db, err = sql.Open("sqlite", "file:"+path+"?mode=ro")
	if err != nil {
		t.Fatal(err)
	}
	defer db.Close()
	rows, err := db.Query(`EXPLAIN QUERY PLAN SELECT l.task_id FROM exchanges x JOIN exchange_tasks l ON l.exchange_id = x.id
		WHERE x.outcome IN ('upstream_error') AND x.outcome NOT IN ('', 'completed')`)
	if err != nil {
		t.Fatal(err)
	}
	defer rows.Close()
	var plan []string
	for rows.Next() {
		var id, parent, unused int
		var detail string
		if err := rows.Scan(&id, &parent, &unused, &detail); err != nil {
			t.Fatal(err)
		}
		plan = append(plan, detail)
	}
	if !strings.Contains(strings.Join(plan, "\n"), "exchanges_by_outcome") {
		t.Errorf("plan of the outcome prefilter = %q, want it to use exchanges_by_outcome", plan)
	}
}
