package web_test

import (
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"net/http"
	"net/http/httptest"
	"net/url"
	"path/filepath"
	"reflect"
	"strings"
	"testing"
	"time"

	"github.com/gin-gonic/gin"

	"github.com/a2aproxy/a2a-proxy/internal/a2awire"
	"github.com/a2aproxy/a2a-proxy/recorder"
	"github.com/a2aproxy/a2a-proxy/recorder/sqlite"
	"github.com/a2aproxy/a2a-proxy/web"
)

var t0 = time.Date(2025, 6, 1, 12, 0, 0, 0, time.UTC)

// newStore returns a store holding three tasks: task-1 and task-3 of agent
// alpha in context ctx-a, task-2 of agent beta in ctx-b.
func newStore(t *testing.T) *recorder.Recorder {
	t.Helper()
	s, err := sqlite.OpenRecorder(context.Background(), filepath.Join(t.TempDir(), "web.db"), recorder.Options{})
	if err != nil {
		t.Fatalf("open store: %v", err)
	}
	t.Cleanup(func() { s.Close() })
	for i, task := range []struct{ agent, contextID, state string }{
		{"alpha", "ctx-a", "completed"},
		{"beta", "ctx-b", "working"},
		{"alpha", "ctx-a", "input-required"},
	} {
		record(s, fmt.Sprintf("ex-%d", i+1), fmt.Sprintf("task-%d", i+1), task.agent, task.contextID, task.state, t0.Add(time.Duration(i)*time.Second))
	}
	if err := s.Flush(context.Background()); err != nil {
		t.Fatalf("flush: %v", err)
	}
	return s
}

func record(s *recorder.Recorder, exID, taskID, agent, contextID, state string, start time.Time) {
	s.StartExchange(&recorder.Exchange{ID: exID, Agent: agent, Method: "message/stream", StartedAt: start, TraceID: "trace-" + exID})
	data := fmt.Sprintf(`{"jsonrpc":"2.0","id":1,"result":{"kind":"status-update","taskId":%q,"contextId":%q,"status":{"state":%q}}}`, taskID, contextID, state)
	s.RecordEvent(&recorder.Event{
		ExchangeID: exID, Agent: agent, Seq: 0, Offset: 250 * time.Millisecond, At: start.Add(250 * time.Millisecond),
		Raw: []byte("data: " + data + "\n\n"), Fields: a2awire.Fields{Kind: "status-update", TaskID: taskID, ContextID: contextID, State: state},
	})
	s.FinishExchange(&recorder.ExchangeEnd{ExchangeID: exID, Status: 200, Streaming: true, EndedAt: start.Add(time.Second), Outcome: recorder.OutcomeCompleted, EventCount: 1})
}

func newServer(t *testing.T, opts web.Options) *httptest.Server {
	t.Helper()
	srv := httptest.NewServer(web.New(opts).Handler())
	t.Cleanup(srv.Close)
	return srv
}

// get fetches path and decodes the JSON answer into out, and returns the response.
func get(t *testing.T, srv *httptest.Server, path, token string, out any) *http.Response {
	t.Helper()
	req, err := http.NewRequest(http.MethodGet, srv.URL+path, nil)
	if err != nil {
		t.Fatalf("new request: %v", err)
	}
	if token != "" {
		req.Header.Set("Authorization", "Bearer "+token)
	}
	resp, err := srv.Client().Do(req)
	if err != nil {
		t.Fatalf("GET %s: %v", path, err)
	}
	defer resp.Body.Close()
	body, err := io.ReadAll(resp.Body)
	if err != nil {
		t.Fatalf("read %s: %v", path, err)
	}
	if out != nil {
		if err := json.Unmarshal(body, out); err != nil {
			t.Fatalf("GET %s: decode %q: %v", path, body, err)
		}
	}
	return resp
}

type errorDoc struct {
	Error struct {
		Code    string `json:"code"`
		Message string `json:"message"`
	} `json:"error"`
}

func taskIDs(page recorder.TaskPage) []string {
	ids := []string{}
	for _, task := range page.Tasks {
		ids = append(ids, task.TaskID)
	}
	return ids
}

func TestListTasks(t *testing.T) {
	srv := newServer(t, web.Options{Store: newStore(t)})
	for _, tc := range []struct {
		query string
		want  []string
	}{
		{"", []string{"task-3", "task-2", "task-1"}},
		{"?agent=alpha", []string{"task-3", "task-1"}},
		{"?state=working", []string{"task-2"}},
		{"?contextId=ctx-a&state=completed", []string{"task-1"}},
		{"?q=input-required", []string{"task-3"}},
		{"?agent=nobody", []string{}},
	} {
		t.Run(tc.query, func(t *testing.T) {
			var page recorder.TaskPage
			if resp := get(t, srv, "/api/tasks"+tc.query, "", &page); resp.StatusCode != http.StatusOK {
				t.Fatalf("status = %d", resp.StatusCode)
			}
			if got := taskIDs(page); !reflect.DeepEqual(got, tc.want) {
				t.Errorf("tasks = %v, want %v", got, tc.want)
			}
		})
	}
}

func TestListTasksPaging(t *testing.T) {
	srv := newServer(t, web.Options{Store: newStore(t)})
	var got []string
	path := "/api/tasks?limit=1"
	for range 10 {
		var page recorder.TaskPage
		if resp := get(t, srv, path, "", &page); resp.StatusCode != http.StatusOK {
			t.Fatalf("GET %s: status %d", path, resp.StatusCode)
		}
		got = append(got, taskIDs(page)...)
		if page.NextCursor == "" {
			break
		}
		path = "/api/tasks?limit=1&cursor=" + url.QueryEscape(page.NextCursor)
	}
	if want := []string{"task-3", "task-2", "task-1"}; !reflect.DeepEqual(got, want) {
		t.Errorf("tasks over pages = %v, want %v", got, want)
	}
}

func TestGetTask(t *testing.T) {
	srv := newServer(t, web.Options{Store: newStore(t)})
	var doc struct {
		Task      map[string]any   `json:"task"`
		Exchanges []map[string]any `json:"exchanges"`
		Events    []map[string]any `json:"events"`
	}
	if resp := get(t, srv, "/api/tasks/task-2", "", &doc); resp.StatusCode != http.StatusOK {
		t.Fatalf("status = %d", resp.StatusCode)
	}
	if doc.Task["taskId"] != "task-2" || doc.Task["state"] != "working" || doc.Task["exchangeCount"] != 1.0 || doc.Task["traceId"] != "trace-ex-2" {
		t.Errorf("task = %v", doc.Task)
	}
	if len(doc.Exchanges) != 1 || doc.Exchanges[0]["id"] != "ex-2" {
		t.Errorf("exchanges = %v", doc.Exchanges)
	}
	if len(doc.Events) != 1 {
		t.Fatalf("events = %v", doc.Events)
	}
	ev := doc.Events[0]
	data, _ := ev["data"].(map[string]any)
	if ev["exchangeId"] != "ex-2" || ev["offsetMs"] != 250.0 || ev["kind"] != "status-update" || data["jsonrpc"] != "2.0" {
		t.Errorf("event = %v, want the recorded document in data", ev)
	}
}

func TestGetContext(t *testing.T) {
	srv := newServer(t, web.Options{Store: newStore(t)})
	var detail recorder.ContextDetail
	if resp := get(t, srv, "/api/contexts/ctx-a", "", &detail); resp.StatusCode != http.StatusOK {
		t.Fatalf("status = %d", resp.StatusCode)
	}
	if got := taskIDs(recorder.TaskPage{Tasks: detail.Tasks}); detail.ContextID != "ctx-a" || !reflect.DeepEqual(got, []string{"task-1", "task-3"}) {
		t.Errorf("context = %s %v, want ctx-a [task-1 task-3]", detail.ContextID, got)
	}
}

func TestErrors(t *testing.T) {
	srv := newServer(t, web.Options{Store: newStore(t)})
	for _, tc := range []struct {
		path   string
		status int
		code   string
	}{
		{"/api/tasks/nope", http.StatusNotFound, web.CodeNotFound},
		{"/api/contexts/nope", http.StatusNotFound, web.CodeNotFound},
		{"/api/nothing-here", http.StatusNotFound, web.CodeNotFound},
		{"/api/tasks?limit=abc", http.StatusBadRequest, web.CodeBadRequest},
		{"/api/tasks?limit=0", http.StatusBadRequest, web.CodeBadRequest},
		{"/api/tasks?limit=-5", http.StatusBadRequest, web.CodeBadRequest},
		{"/api/tasks?cursor=garbage!", http.StatusBadRequest, web.CodeBadRequest},
	} {
		t.Run(tc.path, func(t *testing.T) {
			var doc errorDoc
			resp := get(t, srv, tc.path, "", &doc)
			if resp.StatusCode != tc.status || doc.Error.Code != tc.code || doc.Error.Message == "" {
				t.Errorf("answer = %d %+v, want %d with code %s and a message", resp.StatusCode, doc, tc.status, tc.code)
			}
			if ct := resp.Header.Get("Content-Type"); !strings.HasPrefix(ct, "application/json") {
				t.Errorf("content type = %q, want JSON", ct)
			}
		})
	}
}

func TestToken(t *testing.T) {
	const token = "s3cret"
	store := newStore(t)
	guarded := newServer(t, web.Options{Store: store, Token: token})
	open := newServer(t, web.Options{Store: store})

	for _, tc := range []struct {
		name   string
		srv    *httptest.Server
		header string
		status int
	}{
		{"no header", guarded, "", http.StatusUnauthorized},
		{"wrong token", guarded, "Bearer nope", http.StatusUnauthorized},
		{"token as a prefix", guarded, "Bearer " + token + "x", http.StatusUnauthorized},
		{"other scheme", guarded, "Basic " + token, http.StatusUnauthorized},
		{"right token", guarded, "Bearer " + token, http.StatusOK},
		{"scheme in lower case", guarded, "bearer " + token, http.StatusOK},
		{"no token configured", open, "", http.StatusOK},
	} {
		t.Run(tc.name, func(t *testing.T) {
			req, _ := http.NewRequest(http.MethodGet, tc.srv.URL+"/api/tasks", nil)
			if tc.header != "" {
				req.Header.Set("Authorization", tc.header)
			}
			resp, err := tc.srv.Client().Do(req)
			if err != nil {
				t.Fatalf("GET: %v", err)
			}
			defer resp.Body.Close()
			if resp.StatusCode != tc.status {
				t.Fatalf("status = %d, want %d", resp.StatusCode, tc.status)
			}
			if tc.status != http.StatusUnauthorized {
				return
			}
			var doc errorDoc
			if err := json.NewDecoder(resp.Body).Decode(&doc); err != nil || doc.Error.Code != web.CodeUnauthorized {
				t.Errorf("body = %+v (%v), want code unauthorized", doc, err)
			}
			if resp.Header.Get("WWW-Authenticate") == "" {
				t.Error("401 without WWW-Authenticate")
			}
		})
	}
}

// fakeStore is a Store whose methods do what its fields say.
type fakeStore struct {
	ListTasksFn  func(context.Context, recorder.TaskFilter) (recorder.TaskPage, error)
	GetTaskFn    func(context.Context, string) (*recorder.TaskDetail, error)
	GetContextFn func(context.Context, string) (*recorder.ContextDetail, error)
}

func (f *fakeStore) ListTasks(ctx context.Context, filter recorder.TaskFilter) (recorder.TaskPage, error) {
	return f.ListTasksFn(ctx, filter)
}

func (f *fakeStore) GetTask(ctx context.Context, id string) (*recorder.TaskDetail, error) {
	return f.GetTaskFn(ctx, id)
}

func (f *fakeStore) GetContext(ctx context.Context, id string) (*recorder.ContextDetail, error) {
	return f.GetContextFn(ctx, id)
}

func (f *fakeStore) AgentCounts(context.Context) (map[string]recorder.AgentCount, error) {
	return nil, nil
}

func TestInternalErrorsDoNotLeak(t *testing.T) {
	srv := newServer(t, web.Options{Store: &fakeStore{
		ListTasksFn: func(context.Context, recorder.TaskFilter) (recorder.TaskPage, error) {
			return recorder.TaskPage{}, errors.New("disk on fire at /secret/path")
		},
		GetTaskFn: func(context.Context, string) (*recorder.TaskDetail, error) { panic("boom") },
	}})
	for _, path := range []string{"/api/tasks", "/api/tasks/x"} {
		var doc errorDoc
		resp := get(t, srv, path, "", &doc)
		if resp.StatusCode != http.StatusInternalServerError || doc.Error.Code != web.CodeInternal || strings.Contains(doc.Error.Message, "secret") {
			t.Errorf("GET %s = %d %+v, want 500 internal without details", path, resp.StatusCode, doc)
		}
	}
}

func TestOtherPackagesCanAddRoutes(t *testing.T) {
	s := web.New(web.Options{Store: &fakeStore{}, Token: "t"})
	s.API().GET("/tasks/:taskId/export", func(c *gin.Context) {
		_ = c.Error(fmt.Errorf("%w: no such format", web.ErrBadRequest))
	})
	srv := httptest.NewServer(s.Handler())
	defer srv.Close()

	var doc errorDoc
	if resp := get(t, srv, "/api/tasks/x/export", "", &doc); resp.StatusCode != http.StatusUnauthorized {
		t.Errorf("added route without token = %d, want 401", resp.StatusCode)
	}
	if resp := get(t, srv, "/api/tasks/x/export", "t", &doc); resp.StatusCode != http.StatusBadRequest || doc.Error.Code != web.CodeBadRequest {
		t.Errorf("added route = %d %+v, want 400 bad_request", resp.StatusCode, doc)
	}
}
