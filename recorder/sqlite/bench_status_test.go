package sqlite_test

import (
	"context"
	"database/sql"
	"fmt"
	"path/filepath"
	"testing"
	"time"

	"github.com/a2aproxy/a2a-proxy/recorder"
)

// BenchmarkListTasks measures a first page of 50 tasks from a store of
// 100,000 tasks, one exchange each (1 in 100 cut by its agent, 5 still
// open), with no filter (the baseline) and with each status filter, which
// read each task's exchanges at read time.
func BenchmarkListTasks(b *testing.B) {
	const tasks = 100_000
	path := filepath.Join(b.TempDir(), "bench.db")
	s, err := openAt(b, path, recorder.Options{})
	if err != nil {
		b.Fatal(err)
	}
	s.Close()
	db, err := sql.Open("sqlite", "file:"+path)
	if err != nil {
		b.Fatal(err)
	}
	tx, err := db.Begin()
	if err != nil {
		b.Fatal(err)
	}
	start := time.Date(2025, 6, 1, 12, 0, 0, 0, time.UTC).UnixNano()
	for i := range tasks {
		at := start + int64(i)*int64(time.Second)
		outcome, state, ended := recorder.OutcomeCompleted, "completed", any(at+1)
		switch {
		case i%100 == 7:
			outcome, state = recorder.OutcomeUpstreamError, "working"
		case i%20_000 == 3:
			outcome, state, ended = "", "working", nil
		}
		id := fmt.Sprintf("%08d", i)
		if _, err := tx.Exec(`INSERT INTO exchanges (id, agent, started_at, ended_at, outcome) VALUES (?, 'a', ?, ?, ?)`, "ex-"+id, at, ended, outcome); err != nil {
			b.Fatal(err)
		}
		if _, err := tx.Exec(`INSERT INTO tasks (task_id, agent, first_seen, last_seen, state) VALUES (?, 'a', ?, ?, ?)`, "task-"+id, at, at, state); err != nil {
			b.Fatal(err)
		}
		if _, err := tx.Exec(`INSERT INTO exchange_tasks VALUES (?, ?)`, "task-"+id, "ex-"+id); err != nil {
			b.Fatal(err)
		}
	}
	if err := tx.Commit(); err != nil {
		b.Fatal(err)
	}
	db.Close()
	s, err = openAt(b, path, recorder.Options{})
	if err != nil {
		b.Fatal(err)
	}
	defer s.Close()
	yes, no := true, false
	for _, bc := range []struct {
		name string
		f    recorder.TaskFilter
	}{
		{"all", recorder.TaskFilter{}},
		{"state=completed", recorder.TaskFilter{State: "completed"}},
		{"status=interrupted", recorder.TaskFilter{Status: recorder.StatusInterrupted}},
		{"status=working", recorder.TaskFilter{Status: "working"}},
		{"outcome=upstream_error", recorder.TaskFilter{Outcome: recorder.OutcomeUpstreamError}},
		{"outcome=completed", recorder.TaskFilter{Outcome: recorder.OutcomeCompleted}},
		{"open=true", recorder.TaskFilter{Open: &yes}},
		{"open=false", recorder.TaskFilter{Open: &no}},
	} {
		b.Run(bc.name, func(b *testing.B) {
			b.ReportAllocs()
			for b.Loop() {
				if _, err := s.ListTasks(context.Background(), bc.f); err != nil {
					b.Fatal(err)
				}
			}
		})
	}
}
