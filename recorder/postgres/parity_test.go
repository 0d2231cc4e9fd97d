package postgres

import (
	"bytes"
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"net/http"
	"testing"
	"time"

	"github.com/a2aproxy/a2a-proxy/recorder"
)

// recordScenario feeds both stores traffic that exercises every rule of the
// rollup and every read: tasks split across batches and exchanges, ties in
// start times, a unary exchange, a tasks/get naming a task, events of no
// task, an open exchange, an end never started, payloads that are not
// UTF-8 or hold a NUL, and LIKE's wildcards in the text.
func recordScenario(w *twin) {
	a1 := newExchange("ex-a1", "alpha", t0)
	b1 := newExchange("ex-b1", "beta", t0) // the same start as ex-a1: ordered by id
	w.start(a1)
	w.start(b1)
	w.event(statusEvent(a1, 0, "task-1", "ctx-1", "submitted", ""))
	w.event(statusEvent(a1, 1, "task-1", "ctx-1", "working", "thinking about Grüße"))
	w.event(statusEvent(b1, 0, "task-2", "ctx-1", "submitted", ""))

	u1 := newExchange("ex-u1", "alpha", t0.Add(time.Second))
	u1.Method = "message/send"
	u1.RequestBody = []byte(`{"params":{"message":{"parts":[{"text":"Tell me a JOKE"}]}}}`)
	w.start(u1)
	w.event(newEvent(u1, 0, []byte(`{"jsonrpc":"2.0","id":1,"result":{"kind":"task","id":"task-3","contextId":"ctx-2","status":{"state":"completed","message":{"kind":"message","role":"agent","messageId":"m","parts":[{"kind":"text","text":"why did the proxy"}]}}}}`),
		func(ev *recorder.Event) {
			ev.Kind, ev.TaskID, ev.ContextID, ev.State = "task", "task-3", "ctx-2", "completed"
		}))
	w.end(&recorder.ExchangeEnd{ExchangeID: u1.ID, Status: http.StatusOK, ContentType: "application/json",
		EndedAt: t0.Add(1200 * time.Millisecond), Outcome: recorder.OutcomeCompleted, EventCount: 1})
	w.end(finish("ex-ghost", t0, 0)) // never started: logged, not fatal
	w.flush()

	w.event(statusEvent(a1, 2, "task-1", "ctx-1", "completed", "done: 100% sure_thing"))
	w.event(newEvent(a1, 3, []byte("event: error\ndata: not json\n\n"), func(ev *recorder.Event) { ev.Flag = recorder.FlagNonJSON }))
	w.end(finish(a1.ID, t0.Add(time.Second), 4))

	g := newExchange("ex-g", "alpha", t0.Add(2*time.Second))
	g.Method, g.TaskID = "tasks/get", "task-2"
	g.RequestBody = []byte(`{"method":"tasks/get","params":{"id":"task-2"}}`)
	w.start(g)
	w.event(newEvent(g, 0, []byte(`{"jsonrpc":"2.0","id":1,"result":{"kind":"task","id":"task-2","contextId":"ctx-1","status":{"state":"working"}}}`),
		func(ev *recorder.Event) {
			ev.Kind, ev.TaskID, ev.ContextID, ev.State = "task", "task-2", "ctx-1", "working"
		}))
	w.end(&recorder.ExchangeEnd{ExchangeID: g.ID, Status: http.StatusOK, ContentType: "application/json",
		EndedAt: t0.Add(2100 * time.Millisecond), Outcome: recorder.OutcomeCompleted, EventCount: 1})

	bin := newExchange("ex-bin", "gamma", t0.Add(3*time.Second))
	bin.RequestBody = []byte("caf\xc3\xa9 \xff\xfe raw")
	bin.RequestHeaders = http.Header{"X-Odd": {"a", "b"}, "Content-Type": {"application/octet-stream"}}
	w.start(bin)
	w.event(newEvent(bin, 0, []byte{0xff, 0xfe, 'h', 'i'}, func(ev *recorder.Event) {
		ev.TaskID, ev.ContextID, ev.Flag = "task-4", "ctx-3", recorder.FlagNonJSON
	}))
	w.event(newEvent(bin, 1, []byte("abc\x00secret"), func(ev *recorder.Event) {
		ev.TaskID, ev.ContextID, ev.Flag = "task-4", "ctx-3", recorder.FlagNonJSON
	}))
	w.event(newEvent(bin, 2, nil, func(ev *recorder.Event) { ev.TaskID = "task-4" })) // an empty body
	w.end(&recorder.ExchangeEnd{ExchangeID: bin.ID, Status: http.StatusBadGateway, EndedAt: t0.Add(3500 * time.Millisecond),
		Outcome: recorder.OutcomeUpstreamError, Error: "read: connection reset", EventCount: 3})

	open := newExchange("ex-open", "beta", t0.Add(4*time.Second))
	w.start(open)
	w.event(statusEvent(open, 0, "task-5", "ctx-5", "working", "still going"))

	for _, id := range []string{"6", "7"} { // first seen at the same instant: ordered by id
		ex := newExchange("ex-t"+id, "alpha", t0.Add(5*time.Second))
		w.start(ex)
		w.event(statusEvent(ex, 0, "task-"+id, "ctx-6", "submitted", ""))
		w.end(finish(ex.ID, t0.Add(6*time.Second), 1))
	}
	w.flush()

	w.event(statusEvent(b1, 1, "task-2", "ctx-1", "input-required", "which one?"))
	end := finish(b1.ID, t0.Add(3*time.Second), 3)
	end.DroppedEvents = 1
	w.end(end)
	w.flush()
}

// result is a read's answer as JSON, or the kind of its error.
func result(v any, err error) string {
	switch {
	case errors.Is(err, recorder.ErrNotFound):
		return "ErrNotFound"
	case errors.Is(err, recorder.ErrInvalidFilter):
		return "ErrInvalidFilter"
	case err != nil:
		return "error: " + err.Error()
	}
	if recs, ok := v.([]*recorder.Recording); ok { // raw bytes too: the export format
		var b bytes.Buffer
		if err := recorder.WriteRecordings(&b, recs...); err != nil {
			return "error: " + err.Error()
		}
		return b.String()
	}
	b, err := json.MarshalIndent(v, "", " ")
	if err != nil {
		return "error: " + err.Error()
	}
	return string(b)
}

// readAll answers every read the API, UI, replay and export make over the
// scenario, by name.
func readAll(ctx context.Context, r recorder.Reader) map[string]string {
	out := map[string]string{}
	yes, no := true, false
	for _, f := range []recorder.TaskFilter{
		{}, {Agent: "alpha"}, {State: "completed"}, {ContextID: "ctx-1"}, {Agent: "beta", State: "working"},
		{Query: "joke"}, {Query: "JOKE"}, {Query: "grüße"}, {Query: "Grüße"}, {Query: "GRÜßE"}, {Query: "é"}, {Query: "caf"},
		{Query: "hi"}, {Query: "abc"}, {Query: "secret"}, {Query: "100%"}, {Query: "sure_thing"}, {Query: "sure-thing"},
		{Query: "100_"}, {Query: "task-1"}, {Query: "CTX-2"}, {Query: "\xff"}, {Query: "303"}, {Query: `\`},
		{Query: "not json"}, {Query: "raw"}, {Query: "working", Agent: "beta"},
		{Limit: -1}, {Cursor: "not a cursor"}, {Limit: 1000},
		{Outcome: "completed"}, {Outcome: "upstream_error"}, {Outcome: "nonsense"}, {Open: &yes}, {Open: &no},
		{Status: "interrupted"}, {Status: "working"}, {Status: "completed"}, {Status: "interrupted", Agent: "beta"},
	} {
		page, err := r.ListTasks(ctx, f)
		name := f
		name.Open = nil // a pointer: named by its value below
		key := fmt.Sprintf("ListTasks %+v", name)
		if f.Open != nil {
			key += fmt.Sprintf(" open=%t", *f.Open)
		}
		out[key] = result(page, err)
	}
	cursor := ""
	for i := 0; i < 10; i++ { // pages of 2, with their cursors
		page, err := r.ListTasks(ctx, recorder.TaskFilter{Limit: 2, Cursor: cursor})
		out[fmt.Sprintf("ListTasks page %d", i)] = result(page, err)
		if err != nil || page.NextCursor == "" {
			break
		}
		cursor = page.NextCursor
	}
	for _, id := range []string{"task-1", "task-2", "task-3", "task-4", "task-5", "task-6", "task-7", "no-such-task", ""} {
		detail, err := r.GetTask(ctx, id)
		out["GetTask "+id] = result(detail, err)
		rec, err := r.Recording(ctx, id)
		out["Recording "+id] = result([]*recorder.Recording{rec}, err)
	}
	for _, id := range []string{"ctx-1", "ctx-2", "ctx-3", "ctx-5", "ctx-6", "no-such-context", ""} {
		detail, err := r.GetContext(ctx, id)
		out["GetContext "+id] = result(detail, err)
		recs, err := r.ContextRecordings(ctx, id)
		out["ContextRecordings "+id] = result(recs, err)
	}
	for _, id := range []string{"ex-a1", "ex-b1", "ex-u1", "ex-g", "ex-bin", "ex-open", "ex-t6", "ex-ghost", ""} {
		events, err := r.ExchangeEvents(ctx, id)
		out["ExchangeEvents "+id] = result(events, err)
	}
	counts, err := r.AgentCounts(ctx)
	out["AgentCounts"] = result(counts, err)
	return out
}

// compare reports every read whose answers differ.
func compare(t *testing.T, lite, pg map[string]string) {
	t.Helper()
	for name, want := range lite {
		if got := pg[name]; got != want {
			t.Errorf("%s:\npostgres: %s\nsqlite:   %s", name, got, want)
		}
	}
}

// TestReadsMatchSQLite pins the parity that matters: fed the same items,
// PostgreSQL answers every read (task lists with each filter, free text and
// cursors, tasks, contexts, exchange events, agent counts, recordings with
// their raw bytes) with the same documents as SQLite.
func TestReadsMatchSQLite(t *testing.T) {
	t.Parallel()
	ctx := testContext(t)
	w := &twin{t: t, lite: openSQLite(t), pg: openPGRecorder(t)}
	recordScenario(w)
	lite, pg := readAll(ctx, w.lite), readAll(ctx, w.pg)
	compare(t, lite, pg)
	// The scenario must show what it claims: a search into a non-UTF-8
	// payload finds its task, ASCII case folds, a search past a NUL finds
	// nothing (SQLite's LIKE stops there).
	for name, want := range map[string]string{
		`ListTasks {Agent: State: ContextID: Query:hi Checks: Outcome: Open:<nil> Status: Limit:0 Cursor:}`:          `"taskId": "task-4"`,
		`ListTasks {Agent: State: ContextID: Query:JOKE Checks: Outcome: Open:<nil> Status: Limit:0 Cursor:}`:        `"taskId": "task-3"`,
		`ListTasks {Agent: State: ContextID: Query:grüße Checks: Outcome: Open:<nil> Status: Limit:0 Cursor:}`:       `"taskId": "task-1"`,
		`ListTasks {Agent: State: ContextID: Query:GRÜßE Checks: Outcome: Open:<nil> Status: Limit:0 Cursor:}`:       `"tasks": []`, // ASCII folds, ü does not
		`ListTasks {Agent: State: ContextID: Query:secret Checks: Outcome: Open:<nil> Status: Limit:0 Cursor:}`:      `"tasks": []`,
		`ListTasks {Agent: State: ContextID: Query: Checks: Outcome: Open:<nil> Status:interrupted Limit:0 Cursor:}`: `"taskId": "task-4"`,
	} {
		if !bytes.Contains([]byte(pg[name]), []byte(want)) {
			t.Errorf("%s = %s, want it to hold %s", name, pg[name], want)
		}
	}
}

// TestImportMatchesSQLite pins import on PostgreSQL: a file exported from
// SQLite imports into PostgreSQL and into SQLite with the same reads and
// the same export after, that export imports into another PostgreSQL
// database and exports to the same bytes, and a second import fails with
// ErrExists and changes nothing.
func TestImportMatchesSQLite(t *testing.T) {
	t.Parallel()
	ctx := testContext(t)
	lite := openSQLite(t)
	w := &twin{t: t, lite: lite, pg: openPGRecorder(t)}
	recordScenario(w)
	file := exportAll(t, lite)

	read, err := recorder.ReadRecordings(bytes.NewReader(file), "export.ndjson")
	if err != nil {
		t.Fatalf("read back: %v", err)
	}
	pg := openPGRecorder(t)
	res, err := pg.Import(ctx, read)
	if err != nil {
		t.Fatalf("import: %v", err)
	}
	if res.Recordings != len(read) || res.Exchanges != 8 || res.Events != 14 {
		t.Errorf("import result = %+v, want %d recordings, 8 exchanges, 14 events", res, len(read))
	}
	lite2 := openSQLite(t)
	if _, err := lite2.Import(ctx, read); err != nil {
		t.Fatalf("import into sqlite: %v", err)
	}
	compare(t, readAll(ctx, lite2), readAll(ctx, pg))
	exported := exportAll(t, pg)
	if want := exportAll(t, lite2); !bytes.Equal(exported, want) {
		t.Errorf("export after import:\n%s\nsqlite's:\n%s", exported, want)
	}

	again, err := recorder.ReadRecordings(bytes.NewReader(exported), "again.ndjson")
	if err != nil {
		t.Fatalf("read back: %v", err)
	}
	pg2 := openPGRecorder(t)
	if _, err := pg2.Import(ctx, again); err != nil {
		t.Fatalf("import the export: %v", err)
	}
	if got := exportAll(t, pg2); !bytes.Equal(got, exported) {
		t.Errorf("export -> import -> export differs:\n%s\nwant:\n%s", got, exported)
	}

	if _, err := pg.Import(ctx, read); !errors.Is(err, recorder.ErrExists) {
		t.Fatalf("second import: err = %v, want ErrExists", err)
	}
	if after := exportAll(t, pg); !bytes.Equal(after, exported) {
		t.Error("a failed import changed the store")
	}
}

// exportAll is the export of every context of the scenario.
func exportAll(t *testing.T, r recorder.Reader) []byte {
	t.Helper()
	var b bytes.Buffer
	for _, id := range []string{"ctx-1", "ctx-2", "ctx-3", "ctx-5", "ctx-6"} {
		recs, err := r.ContextRecordings(context.Background(), id)
		if err != nil {
			t.Fatalf("export %s: %v", id, err)
		}
		if err := recorder.WriteRecordings(&b, recs...); err != nil {
			t.Fatalf("write %s: %v", id, err)
		}
	}
	return b.Bytes()
}
