package web_test

import (
	"net/http"
	"reflect"
	"strings"
	"testing"
	"time"

	"github.com/a2aproxy/a2a-proxy/internal/a2awire"
	"github.com/a2aproxy/a2a-proxy/recorder"
	"github.com/a2aproxy/a2a-proxy/web"
)

// storeWithBrokenTasks is newStore's three tasks, plus task-died (its
// agent died mid-stream while it was working) and task-open (still
// streaming).
func storeWithBrokenTasks(t *testing.T) *recorder.Recorder {
	t.Helper()
	s := newStore(t)
	for _, tc := range []struct {
		id      string
		outcome string
	}{{"died", recorder.OutcomeUpstreamError}, {"open", ""}} {
		exID, start := "ex-"+tc.id, t0.Add(10*time.Second)
		s.StartExchange(&recorder.Exchange{ID: exID, Agent: "beta", Method: "message/stream", StartedAt: start})
		s.RecordEvent(&recorder.Event{ExchangeID: exID, Agent: "beta", At: start.Add(time.Millisecond), Offset: time.Millisecond,
			Raw: []byte("data: {}\n\n"), Fields: a2awire.Fields{Kind: "status-update", TaskID: "task-" + tc.id, ContextID: "ctx-b", State: "working"}})
		if tc.outcome != "" {
			s.FinishExchange(&recorder.ExchangeEnd{ExchangeID: exID, Status: 200, Streaming: true, EndedAt: start.Add(time.Second),
				Outcome: tc.outcome, Error: "read: unexpected EOF", EventCount: 1})
		}
	}
	if err := s.Flush(t.Context()); err != nil {
		t.Fatal(err)
	}
	return s
}

// TestTaskStatusInTheAPI pins the API's derived fields and its filters:
// GET /api/tasks carries open, lastOutcome, status and interruptedReason,
// and outcome=, open= and status= select by them; a bad open= is a 400.
func TestTaskStatusInTheAPI(t *testing.T) {
	srv := newServer(t, web.Options{Store: storeWithBrokenTasks(t)})
	var page struct {
		Tasks []map[string]any `json:"tasks"`
	}
	if resp := get(t, srv, "/api/tasks?status=interrupted", "", &page); resp.StatusCode != http.StatusOK {
		t.Fatalf("status = %d", resp.StatusCode)
	}
	if len(page.Tasks) != 1 {
		t.Fatalf("status=interrupted = %v, want task-died alone", page.Tasks)
	}
	want := map[string]any{"taskId": "task-died", "state": "working", "status": "interrupted",
		"interruptedReason": "agent died", "lastOutcome": "upstream_error", "open": false}
	for k, v := range want {
		if page.Tasks[0][k] != v {
			t.Errorf("%s = %v, want %v", k, page.Tasks[0][k], v)
		}
	}
	for _, tc := range []struct {
		query string
		want  []string
	}{
		{"?open=true", []string{"task-open"}},
		{"?open=false&agent=beta", []string{"task-died", "task-2"}},
		{"?outcome=upstream_error", []string{"task-died"}},
		{"?outcome=completed&agent=alpha", []string{"task-3", "task-1"}},
		{"?status=working", []string{"task-open", "task-2"}},
		{"?state=working", []string{"task-open", "task-died", "task-2"}},
	} {
		var page recorder.TaskPage
		if resp := get(t, srv, "/api/tasks"+tc.query, "", &page); resp.StatusCode != http.StatusOK {
			t.Fatalf("GET %s: status %d", tc.query, resp.StatusCode)
		}
		if got := taskIDs(page); !reflect.DeepEqual(got, tc.want) {
			t.Errorf("GET /api/tasks%s = %v, want %v", tc.query, got, tc.want)
		}
	}
	if resp := get(t, srv, "/api/tasks?open=maybe", "", nil); resp.StatusCode != http.StatusBadRequest {
		t.Errorf("open=maybe: status %d, want 400", resp.StatusCode)
	}
}

// TestTaskStatusInThePages pins what the pages show: the list's row of a
// broken task says interrupted and why, without the live dot, which only
// the open task's row has; the filter form keeps its choices; the broken
// task's page explains the interruption and does not follow the live feed.
func TestTaskStatusInThePages(t *testing.T) {
	opts := uiOptions(t)
	opts.Store = storeWithBrokenTasks(t)
	srv := newServer(t, opts)

	_, list := fetch(t, srv.Client(), srv.URL+"/?agent=beta&outcome=upstream_error&open=false")
	row := rowOf(t, list, "task-died")
	if !strings.Contains(row, "interrupted: agent died") || strings.Contains(row, "live-dot") {
		t.Errorf("row of task-died = %s, want interrupted: agent died, and no live dot", row)
	}
	for _, want := range []string{`<option value="upstream_error" selected>`, `<option value="false" selected>ended</option>`} {
		if !strings.Contains(list, want) {
			t.Errorf("filter form does not hold %s", want)
		}
	}
	_, all := fetch(t, srv.Client(), srv.URL+"/")
	if row := rowOf(t, all, "task-open"); !strings.Contains(row, "live-dot") {
		t.Errorf("row of task-open = %s, want the live dot", row)
	}
	if row := rowOf(t, all, "task-2"); strings.Contains(row, "live-dot") || !strings.Contains(row, ">working<") {
		t.Errorf("row of task-2 = %s, want working without the live dot", row)
	}

	_, page := fetch(t, srv.Client(), srv.URL+"/tasks/task-died")
	for _, want := range []string{`data-live-url=""`, "Interrupted: agent died.", "<code>upstream_error</code>"} {
		if !strings.Contains(page, want) {
			t.Errorf("page of task-died does not contain %q", want)
		}
	}
	if _, page := fetch(t, srv.Client(), srv.URL+"/tasks/task-open"); !strings.Contains(page, `data-live-url="/api/live?taskId=task-open"`) {
		t.Error("page of task-open does not follow the live feed")
	}
}

// rowOf is the table row of taskID in page.
func rowOf(t *testing.T, page, taskID string) string {
	t.Helper()
	i := strings.Index(page, `<tr data-task-id="`+taskID+`"`)
	if i < 0 {
		t.Fatalf("no row of %s in the page", taskID)
	}
	end := strings.Index(page[i:], "</tr>")
	return page[i : i+end]
}
