package main

import (
	"bytes"
	"context"
	"io"
	"net/http"
	"net/url"
	"path/filepath"
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
	return detail
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
