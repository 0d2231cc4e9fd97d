package web_test

import (
	"bufio"
	"context"
	"encoding/json"
	"net/http"
	"strings"
	"testing"
	"time"

	"github.com/a2aproxy/a2a-proxy/internal/a2awire"
	"github.com/a2aproxy/a2a-proxy/recorder"
	"github.com/a2aproxy/a2a-proxy/web"
)

// liveStream opens GET path and returns a reader of its lines.
func liveStream(t *testing.T, url string) *bufio.Reader {
	t.Helper()
	ctx, cancel := context.WithCancel(context.Background())
	t.Cleanup(cancel)
	req, _ := http.NewRequestWithContext(ctx, http.MethodGet, url, nil)
	resp, err := http.DefaultClient.Do(req)
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { resp.Body.Close() })
	if resp.StatusCode != http.StatusOK || resp.Header.Get("Content-Type") != "text/event-stream" {
		t.Fatalf("GET %s = %d %s", url, resp.StatusCode, resp.Header.Get("Content-Type"))
	}
	return bufio.NewReader(resp.Body)
}

// nextLine returns the next line that starts with prefix.
func nextLine(t *testing.T, r *bufio.Reader, prefix string) string {
	t.Helper()
	for {
		line, err := r.ReadString('\n')
		if err != nil {
			t.Fatalf("stream ended looking for %q: %v", prefix, err)
		}
		if strings.HasPrefix(line, prefix) {
			return strings.TrimSuffix(line, "\n")
		}
	}
}

func liveEvent(taskID string, seq int, raw string) recorder.Event {
	return recorder.Event{ExchangeID: "ex", Agent: "alpha", Seq: seq, Offset: 1500 * time.Microsecond, At: t0,
		Raw: []byte(raw), Fields: a2awire.Fields{Kind: "status-update", TaskID: taskID, ContextID: "ctx", State: "working"}}
}

func TestLiveStreamsCommittedEvents(t *testing.T) {
	feed := web.NewFeed()
	srv := newServer(t, web.Options{Store: newStore(t), Feed: feed})
	all := liveStream(t, srv.URL+"/api/live")
	one := liveStream(t, srv.URL+"/api/live?taskId=task-b")
	if line := nextLine(t, all, "retry:"); line != "retry: 2000" {
		t.Errorf("first line %q: want a retry delay for reconnects", line)
	}

	sse := "data: {\"kind\":\"status-update\"}\n\n"
	feed.Publish([]recorder.Event{liveEvent("task-a", 0, sse), liveEvent("task-b", 1, `{"unary":true}`), liveEvent("task-c", 2, "data: not json\n\n")})

	var got []map[string]any
	for range 3 {
		var ev map[string]any
		if err := json.Unmarshal([]byte(strings.TrimPrefix(nextLine(t, all, "data: "), "data: ")), &ev); err != nil {
			t.Fatal(err)
		}
		got = append(got, ev)
	}
	if got[0]["taskId"] != "task-a" || got[0]["agent"] != "alpha" || got[0]["offsetMs"] != 1.5 || got[0]["seq"] != 0.0 {
		t.Errorf("first event %v", got[0])
	}
	for i, want := range []string{`{"kind":"status-update"}`, `{"unary":true}`, `"not json"`} {
		if data, _ := json.Marshal(got[i]["data"]); string(data) != want {
			t.Errorf("event %d data %s, want the document %s", i, data, want)
		}
	}
	if line := nextLine(t, one, "data: "); !strings.Contains(line, `"taskId":"task-b"`) {
		t.Errorf("filtered stream got %s, want task-b's event only", line)
	}
}

func TestLiveHeartbeat(t *testing.T) {
	srv := newServer(t, web.Options{Store: newStore(t), Feed: web.NewFeed(), LiveHeartbeat: 10 * time.Millisecond})
	stream := liveStream(t, srv.URL+"/api/live")
	if line := nextLine(t, stream, ": keep-alive"); line != ": keep-alive" {
		t.Errorf("heartbeat %q", line)
	}
}
