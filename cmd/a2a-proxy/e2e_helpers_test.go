package main

import (
	"bytes"
	"context"
	"encoding/json"
	"io"
	"net/http"
	"net/url"
	"path/filepath"
	"reflect"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/a2aproxy/a2a-proxy/internal/a2awire"
	"github.com/a2aproxy/a2a-proxy/recorder"
)

// startServer boots the whole product on loopback ":0" ports with a
// temporary database, as `a2a-proxy serve` does.
func startServer(t *testing.T, mutate ...func(*ServeConfig)) *Server {
	t.Helper()
	s := &Server{Stderr: testLog{t}, Config: ServeConfig{
		Listen:           "127.0.0.1:0",
		AdminListen:      "127.0.0.1:0",
		Builtin:          true,
		BuiltinListen:    "127.0.0.1:0",
		BuiltinStepDelay: 5 * time.Millisecond,
		DB:               filepath.Join(t.TempDir(), "recording.db"),
		RecordMode:       "lossless",
		MaxBodyBytes:     1 << 20,
		ShutdownGrace:    5 * time.Second,
		LogLevel:         "warn",
		LiveChecks:       true,
	}}
	for _, m := range mutate {
		m(&s.Config)
	}
	if err := s.Start(context.Background()); err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { s.Close() })
	return s
}

// testLog sends the server's log to the test's.
type testLog struct{ t *testing.T }

func (l testLog) Write(p []byte) (int, error) {
	l.t.Log(strings.TrimRight(string(p), "\n"))
	return len(p), nil
}

// wiretap is an http.RoundTripper that notes every URL a client calls and
// keeps the exact bytes of every event-stream response it reads.
type wiretap struct {
	mu      sync.Mutex
	urls    []string
	streams []*bytes.Buffer
}

func (w *wiretap) client() *http.Client { return &http.Client{Transport: w} }

func (w *wiretap) RoundTrip(req *http.Request) (*http.Response, error) {
	w.mu.Lock()
	w.urls = append(w.urls, req.URL.String())
	w.mu.Unlock()
	resp, err := http.DefaultTransport.RoundTrip(req)
	if err != nil || !strings.HasPrefix(resp.Header.Get("Content-Type"), "text/event-stream") {
		return resp, err
	}
	buf := &bytes.Buffer{}
	w.mu.Lock()
	w.streams = append(w.streams, buf)
	w.mu.Unlock()
	resp.Body = struct {
		io.Reader
		io.Closer
	}{io.TeeReader(resp.Body, lockedWriter{&w.mu, buf}), resp.Body}
	return resp, nil
}

type lockedWriter struct {
	mu *sync.Mutex
	w  io.Writer
}

func (l lockedWriter) Write(p []byte) (int, error) {
	l.mu.Lock()
	defer l.mu.Unlock()
	return l.w.Write(p)
}

// assertAllOn fails unless every URL called is on the proxy's data plane.
func assertAllOn(t *testing.T, base string, urls []string) {
	t.Helper()
	want, _ := url.Parse(base)
	if len(urls) < 2 {
		t.Fatalf("expected a card fetch and at least one call, saw %v", urls)
	}
	for _, raw := range urls {
		u, err := url.Parse(raw)
		if err != nil || u.Host != want.Host {
			t.Errorf("client called %s, bypassing the proxy at %s", raw, base)
		}
	}
}

// recordedTask waits for the recorder to commit and returns the task.
func recordedTask(t *testing.T, s *Server, taskID string) *recorder.TaskDetail {
	t.Helper()
	ctx, cancel := context.WithTimeout(context.Background(), 10*time.Second)
	defer cancel()
	if err := s.Store().Flush(ctx); err != nil {
		t.Fatal(err)
	}
	detail, err := s.Store().GetTask(ctx, taskID)
	if err != nil {
		t.Fatalf("task %s not found through the store: %v", taskID, err)
	}
	assertInAPI(t, s, detail)
	return detail
}

// assertInAPI checks that the admin API lists the task and serves the same
// document the store has (the API does not carry raw bytes).
func assertInAPI(t *testing.T, s *Server, want *recorder.TaskDetail) {
	t.Helper()
	var page recorder.TaskPage
	getJSON(t, s.AdminURL()+"/api/tasks?agent="+url.QueryEscape(want.Task.Agent)+"&limit=500", &page)
	found := false
	for _, ts := range page.Tasks {
		found = found || ts.TaskID == want.Task.TaskID
	}
	if !found {
		t.Errorf("GET /api/tasks?agent=%s does not list task %s", want.Task.Agent, want.Task.TaskID)
	}
	var got recorder.TaskDetail
	getJSON(t, s.AdminURL()+"/api/tasks/"+url.PathEscape(want.Task.TaskID), &got)
	if got.Task.TaskID != want.Task.TaskID || len(got.Events) != len(want.Events) || len(got.Exchanges) != len(want.Exchanges) {
		t.Errorf("GET /api/tasks/%s: task %+v with %d events, %d exchanges; the store has %d, %d",
			want.Task.TaskID, got.Task, len(got.Events), len(got.Exchanges), len(want.Events), len(want.Exchanges))
	}
	for i := range min(len(got.Events), len(want.Events)) {
		if !reflect.DeepEqual(decodeJSON(t, got.Events[i].Data), decodeJSON(t, want.Events[i].Data)) {
			t.Errorf("API event %d data %s, store %s", i, got.Events[i].Data, want.Events[i].Data)
		}
	}
}

func getJSON(t *testing.T, url string, v any) {
	t.Helper()
	resp, err := http.Get(url)
	if err != nil {
		t.Fatal(err)
	}
	defer resp.Body.Close()
	if resp.StatusCode != http.StatusOK {
		body, _ := io.ReadAll(resp.Body)
		t.Fatalf("GET %s: %d %s", url, resp.StatusCode, body)
	}
	if err := json.NewDecoder(resp.Body).Decode(v); err != nil {
		t.Fatalf("GET %s: %v", url, err)
	}
}

// decodeJSON reads a document for comparison by value: the API escapes
// markup ("\u003c") where the recording has it verbatim.
func decodeJSON(t *testing.T, doc []byte) any {
	t.Helper()
	var v any
	if err := json.Unmarshal(doc, &v); err != nil {
		t.Fatalf("not JSON: %s", doc)
	}
	return v
}

// streamEvents returns the recorded events of the task's streaming exchange.
func streamEvents(t *testing.T, detail *recorder.TaskDetail) (recorder.ExchangeDoc, []recorder.EventDoc) {
	t.Helper()
	for _, ex := range detail.Exchanges {
		if !ex.Streaming {
			continue
		}
		var evs []recorder.EventDoc
		for _, ev := range detail.Events {
			if ev.ExchangeID == ex.ID {
				evs = append(evs, ev)
			}
		}
		return ex, evs
	}
	t.Fatalf("no streaming exchange recorded for task %s: %+v", detail.Task.TaskID, detail.Exchanges)
	return recorder.ExchangeDoc{}, nil
}

func joinRaw(evs []recorder.EventDoc) string {
	var b strings.Builder
	for _, ev := range evs {
		b.Write(ev.Raw)
	}
	return b.String()
}

// summary is what both sides of a comparison agree an event is.
type summary struct{ kind, taskID, state string }

func summarizeRecorded(t *testing.T, evs []recorder.EventDoc) []summary {
	t.Helper()
	out := make([]summary, len(evs))
	for i, ev := range evs {
		out[i] = summary{ev.Kind, ev.TaskID, ev.State}
	}
	return out
}

func summarizeWire(t *testing.T, data string) summary {
	t.Helper()
	ev, err := a2awire.ParseEvent([]byte(data))
	if err != nil {
		t.Fatalf("event %q: %v", data, err)
	}
	return summary{ev.Kind, ev.TaskID, ev.State}
}
