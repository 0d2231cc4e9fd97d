package main

import (
	"context"
	"net/url"
	"os"
	"strings"
	"testing"
	"time"

	"github.com/a2aproject/a2a-go/a2a"
	"github.com/a2aproject/a2a-go/a2aclient"
	"github.com/a2aproject/a2a-go/a2aclient/agentcard"

	"github.com/a2aproxy/a2a-proxy/internal/pgtest"
	"github.com/a2aproxy/a2a-proxy/recorder"
)

// TestServeOnPostgres pins --db postgres://...: the real Server records a
// stream through the built-in agent into PostgreSQL, byte for byte, its
// admin API serves it back, and a second Server on the same database (a
// replica) lists the same task from its own admin plane.
func TestServeOnPostgres(t *testing.T) {
	dsn := pgtest.Start(t)
	s := startServer(t, func(c *ServeConfig) { c.DB = dsn })
	ctx, cancel := context.WithTimeout(context.Background(), 30*time.Second)
	defer cancel()
	tap := &wiretap{}
	card, err := agentcard.NewResolver(tap.client()).Resolve(ctx, s.DataURL())
	if err != nil {
		t.Fatal(err)
	}
	client, err := a2aclient.NewFromCard(ctx, card, a2aclient.WithJSONRPCTransport(tap.client()))
	if err != nil {
		t.Fatal(err)
	}
	defer client.Destroy()
	var received []a2a.Event
	msg := &a2a.MessageSendParams{Message: a2a.NewMessage(a2a.MessageRoleUser, a2a.TextPart{Text: "Process my data"})}
	for ev, err := range client.SendStreamingMessage(ctx, msg) {
		if err != nil {
			t.Fatalf("stream: %v", err)
		}
		received = append(received, ev)
	}
	task, ok := received[0].(*a2a.Task)
	if !ok {
		t.Fatalf("first event %T, want the task", received[0])
	}

	detail := recordedTask(t, s, string(task.ID)) // through the store and the admin API
	ex, evs := streamEvents(t, detail)
	if ex.Outcome != recorder.OutcomeCompleted || len(evs) != len(received) {
		t.Fatalf("recorded exchange %s with %d events, client received %d", ex.Outcome, len(evs), len(received))
	}
	if got, want := joinRaw(evs), tap.streams[0].String(); got != want {
		t.Fatalf("recorded bytes differ from what the client received:\nrecorded %q\nreceived %q", got, want)
	}
	if detail.Task.State != "completed" || detail.Task.EventCount != len(received) {
		t.Errorf("task summary %+v", detail.Task)
	}

	replica := startServer(t, func(c *ServeConfig) { c.DB = dsn; c.Builtin = false; c.Agents = []string{"other=http://127.0.0.1:1/"} })
	var got recorder.TaskDetail
	getJSON(t, replica.AdminURL()+"/api/tasks/"+url.PathEscape(string(task.ID)), &got)
	if got.Task != detail.Task || len(got.Events) != len(detail.Events) {
		t.Errorf("the replica's API: task %+v with %d events, want %+v with %d", got.Task, len(got.Events), detail.Task, len(detail.Events))
	}
}

// TestDisplayDBMasksThePassword pins that the log line naming --db never
// shows a PostgreSQL password.
func TestDisplayDBMasksThePassword(t *testing.T) {
	for db, want := range map[string]string{
		"postgres://proxy:s3cret@db:5432/a2a":  "postgres://proxy:xxxxx@db:5432/a2a",
		"postgresql://proxy:s3cret@db/a2a?x=1": "postgresql://proxy:xxxxx@db/a2a?x=1",
		"postgres://db/a2a":                    "postgres://db/a2a",
		"/var/lib/a2a-proxy/a2a-proxy.db":      "/var/lib/a2a-proxy/a2a-proxy.db",
		"postgres://proxy:s3cret@[::1:bad/a2a": "postgres://(unparsable URL)",
		"a2a-proxy.db":                         "a2a-proxy.db",
	} {
		if got := displayDB(db); got != want || strings.Contains(got, "s3cret") {
			t.Errorf("displayDB(%q) = %q, want %q", db, got, want)
		}
	}
}

// TestCLIOnPostgres pins the CLI on --db postgres://...: a recording
// exported from SQLite imports into PostgreSQL, `tasks` lists it, `export`
// gives the same bytes back, and a second import is refused.
func TestCLIOnPostgres(t *testing.T) {
	s := startServer(t)
	taskID := recordWithA2AGo(t, s, "Process my data")
	recordedTask(t, s, taskID) // flushed
	dir := t.TempDir()
	first := exportToFile(t, s.Config.DB, taskID, dir)

	dsn := pgtest.Start(t)
	code, stdout, stderr := runCLI(t, "import", first, "--db", dsn)
	if code != 0 || !strings.Contains(stdout, "imported 1 task, 8 events") {
		t.Fatalf("import into postgres: exit %d: %q %q", code, stdout, stderr)
	}
	if code, stdout, stderr := runCLI(t, "tasks", "--db", dsn); code != 0 || !strings.Contains(stdout, taskID) {
		t.Errorf("tasks on postgres: exit %d: %q %q", code, stdout, stderr)
	}
	code, stdout, stderr = runCLI(t, "export", taskID, "--db", dsn)
	if want, _ := os.ReadFile(first); code != 0 || stdout != string(want) {
		t.Errorf("export from postgres: exit %d (%s), differs from SQLite's export", code, stderr)
	}
	code, _, stderr = runCLI(t, "import", "--db", dsn, first)
	if code != 1 || !strings.Contains(stderr, "already recorded") {
		t.Errorf("second import into postgres: exit %d, %q", code, stderr)
	}
}
