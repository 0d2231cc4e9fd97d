package web_test

import (
	"bytes"
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"net/http"
	"net/http/httptest"
	"path/filepath"
	"strings"
	"testing"
	"time"

	"github.com/tmaxmax/go-sse"

	"github.com/a2aproxy/a2a-proxy/internal/a2awire"
	"github.com/a2aproxy/a2a-proxy/recorder"
	"github.com/a2aproxy/a2a-proxy/recorder/sqlite"
	"github.com/a2aproxy/a2a-proxy/web"
)

// recordForReplay records task-r: a three-event v0.3 stream, then a
// tasks/get, and returns the store.
func recordForReplay(t *testing.T) *recorder.Recorder {
	t.Helper()
	s, err := sqlite.OpenRecorder(context.Background(), filepath.Join(t.TempDir(), "replay.db"), recorder.Options{})
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { s.Close() })
	stream := &recorder.Exchange{
		ID: "ex-stream", Agent: "alpha", Method: "message/stream", ProtocolVersion: "0.3", Binding: "jsonrpc",
		HTTPMethod: http.MethodPost, Path: "/", RPCID: `"r1"`, StartedAt: t0,
		RequestBody: []byte(`{"jsonrpc":"2.0","id":"r1","method":"message/stream","params":{"message":{"kind":"message","role":"user","messageId":"m","parts":[{"kind":"text","text":"hi"}]}}}`),
	}
	s.StartExchange(stream)
	for i, state := range []string{"submitted", "working", "completed"} {
		data := fmt.Sprintf(`{"jsonrpc":"2.0","id":"r1","result":{"kind":"status-update","taskId":"task-r","contextId":"ctx-r","status":{"state":%q},"final":%t}}`, state, state == "completed")
		offset := time.Duration(i+1) * 10 * time.Millisecond
		s.RecordEvent(&recorder.Event{
			ExchangeID: stream.ID, Agent: "alpha", Seq: i, Offset: offset, At: t0.Add(offset),
			Raw: []byte(fmt.Sprintf("id: e%d\ndata: %s\n\n", i, data)), Fields: a2awire.Fields{Kind: "status-update", TaskID: "task-r", ContextID: "ctx-r", State: state},
		})
	}
	s.FinishExchange(&recorder.ExchangeEnd{ExchangeID: stream.ID, Status: 200, ContentType: "text/event-stream", Streaming: true,
		EndedAt: t0.Add(40 * time.Millisecond), Outcome: recorder.OutcomeCompleted, EventCount: 3})
	get := &recorder.Exchange{ID: "ex-get", Agent: "alpha", Method: "tasks/get", ProtocolVersion: "0.3", Binding: "jsonrpc",
		HTTPMethod: http.MethodPost, Path: "/", RPCID: "2", TaskID: "task-r", StartedAt: t0.Add(time.Second),
		RequestBody: []byte(`{"jsonrpc":"2.0","id":2,"method":"tasks/get","params":{"id":"task-r"}}`)}
	s.StartExchange(get)
	s.RecordEvent(&recorder.Event{ExchangeID: get.ID, Agent: "alpha", Seq: 0, Offset: time.Millisecond, At: get.StartedAt.Add(time.Millisecond),
		Raw:    []byte(`{"jsonrpc":"2.0","id":2,"result":{"kind":"task","id":"task-r","contextId":"ctx-r","status":{"state":"completed"}}}`),
		Fields: a2awire.Fields{Kind: "task", TaskID: "task-r", ContextID: "ctx-r", State: "completed"}})
	s.FinishExchange(&recorder.ExchangeEnd{ExchangeID: get.ID, Status: 200, ContentType: "application/json",
		EndedAt: get.StartedAt.Add(2 * time.Millisecond), Outcome: recorder.OutcomeCompleted, EventCount: 1})
	if err := s.Flush(context.Background()); err != nil {
		t.Fatal(err)
	}
	return s
}

func replayServer(t *testing.T, token string) (*httptest.Server, *recorder.Recorder) {
	t.Helper()
	store := recordForReplay(t)
	return newServer(t, web.Options{Store: store, Recordings: store, Token: token}), store
}

// sseEvent is one event of a replay stream.
type sseEvent struct{ id, typ, data string }

// readReplay GETs an admin replay stream and returns its events, the status
// and the error that ended the stream (nil for a clean end).
func readReplay(t *testing.T, url, lastEventID string) ([]sseEvent, int, error) {
	t.Helper()
	req, _ := http.NewRequest(http.MethodGet, url, nil)
	if lastEventID != "" {
		req.Header.Set("Last-Event-ID", lastEventID)
	}
	resp, err := http.DefaultClient.Do(req)
	if err != nil {
		t.Fatal(err)
	}
	defer resp.Body.Close()
	if ct := resp.Header.Get("Content-Type"); resp.StatusCode == http.StatusOK && ct != "text/event-stream" {
		t.Fatalf("content type %q", ct)
	}
	body, readErr := io.ReadAll(resp.Body) // a cut stream ends in io.ErrUnexpectedEOF
	var evs []sseEvent
	for e, err := range sse.Read(bytes.NewReader(body), nil) {
		if err != nil {
			t.Fatalf("parse %q: %v", body, err)
		}
		evs = append(evs, sseEvent{e.LastEventID, e.Type, e.Data})
	}
	return evs, resp.StatusCode, readErr
}

func TestReplayStreamSendsTheAPIEvents(t *testing.T) {
	srv, _ := replayServer(t, "")
	var detail recorder.TaskDetail
	get(t, srv, "/api/tasks/task-r", "", &detail)

	evs, status, err := readReplay(t, srv.URL+"/api/tasks/task-r/replay?speed=0", "")
	if err != nil || status != http.StatusOK {
		t.Fatalf("status %d, err %v", status, err)
	}
	if len(evs) != len(detail.Events)+1 {
		t.Fatalf("%d events, want %d and the end", len(evs), len(detail.Events))
	}
	for i, doc := range detail.Events {
		want, _ := json.Marshal(doc)
		if evs[i].id != fmt.Sprint(i) || evs[i].typ != "" || evs[i].data != string(want) {
			t.Errorf("event %d: id %q data %s, want id %d data %s", i, evs[i].id, evs[i].data, i, want)
		}
	}
	if end := evs[len(evs)-1]; end.typ != "end" || end.data != `{"sent":4}` {
		t.Errorf("last event %+v, want the end", end)
	}
}

func TestReplayStreamResumesAfterLastEventID(t *testing.T) {
	srv, _ := replayServer(t, "")
	evs, _, err := readReplay(t, srv.URL+"/api/tasks/task-r/replay?speed=0&cut=1", "1")
	if err != nil || len(evs) != 3 || evs[0].id != "2" || evs[1].id != "3" {
		t.Errorf("resumed after 1: %+v (%v), want 2, 3 and the end, without the cut", evs, err)
	}
	_, status, _ := readReplay(t, srv.URL+"/api/tasks/task-r/replay?speed=0", "3")
	if status != http.StatusNoContent {
		t.Errorf("resumed after the last event: status %d, want 204", status)
	}
}

func TestReplayStreamOptions(t *testing.T) {
	srv, _ := replayServer(t, "")
	evs, _, err := readReplay(t, srv.URL+"/api/tasks/task-r/replay?speed=0&from=1&to=2", "")
	if err != nil || len(evs) != 3 || evs[0].id != "1" || evs[1].id != "2" {
		t.Errorf("from 1 to 2: %+v (%v)", evs, err)
	}
	evs, _, err = readReplay(t, srv.URL+"/api/tasks/task-r/replay?speed=0&exchange=ex-get", "")
	if err != nil || len(evs) != 2 || evs[0].id != "0" || !strings.Contains(evs[0].data, `"exchangeId":"ex-get"`) {
		t.Errorf("exchange ex-get: %+v (%v)", evs, err)
	}
	evs, _, err = readReplay(t, srv.URL+"/api/tasks/task-r/replay?speed=0&cut=2", "")
	if !errors.Is(err, io.ErrUnexpectedEOF) || len(evs) != 2 {
		t.Errorf("cut before 2: %+v, err %v; want events 0 and 1, then a broken stream", evs, err)
	}
}

func TestReplayStreamErrors(t *testing.T) {
	srv, _ := replayServer(t, "")
	for path, want := range map[string]int{
		"/api/tasks/nope/replay":                     http.StatusNotFound,
		"/api/tasks/task-r/replay?speed=-2":          http.StatusBadRequest,
		"/api/tasks/task-r/replay?cut=1&stall=1":     http.StatusBadRequest,
		"/api/tasks/task-r/replay?exchange=ex-other": http.StatusNotFound,
		"/api/tasks/nope/export":                     http.StatusNotFound,
		"/api/contexts/nope/export":                  http.StatusNotFound,
	} {
		var doc errorDoc
		if resp := get(t, srv, path, "", &doc); resp.StatusCode != want || doc.Error.Message == "" {
			t.Errorf("GET %s: %d %+v, want %d with a JSON error", path, resp.StatusCode, doc, want)
		}
	}
}

func TestExport(t *testing.T) {
	srv, store := replayServer(t, "")
	rec, err := store.Recording(context.Background(), "task-r")
	if err != nil {
		t.Fatal(err)
	}
	var want bytes.Buffer
	if err := recorder.WriteRecordings(&want, rec); err != nil {
		t.Fatal(err)
	}
	for _, path := range []string{"/api/tasks/task-r/export", "/api/contexts/ctx-r/export"} {
		resp, err := http.Get(srv.URL + path)
		if err != nil {
			t.Fatal(err)
		}
		body, _ := io.ReadAll(resp.Body)
		resp.Body.Close()
		if resp.Header.Get("Content-Type") != "application/x-ndjson" || !bytes.Equal(body, want.Bytes()) {
			t.Errorf("GET %s: %s\n%s\nwant the recording:\n%s", path, resp.Header.Get("Content-Type"), body, want.Bytes())
		}
		if cd := resp.Header.Get("Content-Disposition"); !strings.HasPrefix(cd, "attachment; filename=") {
			t.Errorf("GET %s: Content-Disposition %q", path, cd)
		}
	}
}

func TestReplayAgent(t *testing.T) {
	srv, _ := replayServer(t, "")
	var card struct {
		URL string `json:"url"`
	}
	get(t, srv, "/replay/task-r/.well-known/agent-card.json?speed=0", "", &card)
	if want := srv.URL + "/replay/task-r/?speed=0"; card.URL != want {
		t.Fatalf("card url %q, want %q", card.URL, want)
	}
	body := `{"jsonrpc":"2.0","id":"n","method":"message/stream","params":{"message":{"kind":"message","role":"user","messageId":"x","parts":[{"kind":"text","text":"hi"}]}}}`
	resp, err := http.Post(card.URL, "application/json", strings.NewReader(body))
	if err != nil {
		t.Fatal(err)
	}
	got, err := io.ReadAll(resp.Body)
	resp.Body.Close()
	if err != nil || !strings.HasPrefix(string(got), "id: e0\ndata: {\"jsonrpc\":\"2.0\",\"id\":\"n\",") || strings.Count(string(got), `"id":"n"`) != 3 {
		t.Errorf("stream %q (%v), want the three recorded events under id n", got, err)
	}

	// A cut reaches the client through gin as a broken stream.
	resp, err = http.Post(card.URL+"&cut=1", "application/json", strings.NewReader(body))
	if err != nil {
		t.Fatal(err)
	}
	got, err = io.ReadAll(resp.Body)
	resp.Body.Close()
	if !errors.Is(err, io.ErrUnexpectedEOF) || strings.Count(string(got), `"id":"n"`) != 1 {
		t.Errorf("cut before 1: %q (%v), want one event and a broken stream", got, err)
	}

	resp, err = http.Post(srv.URL+"/replay/nope/", "application/json", strings.NewReader(body))
	if err != nil {
		t.Fatal(err)
	}
	resp.Body.Close()
	if resp.StatusCode != http.StatusNotFound {
		t.Errorf("unknown task: status %d, want 404", resp.StatusCode)
	}
}

func TestReplayNeedsTheToken(t *testing.T) {
	srv, _ := replayServer(t, "s3cret")
	for _, path := range []string{"/replay/task-r/.well-known/agent-card.json", "/api/tasks/task-r/replay", "/api/tasks/task-r/export"} {
		if resp := get(t, srv, path, "", nil); resp.StatusCode != http.StatusUnauthorized {
			t.Errorf("GET %s without token: %d, want 401", path, resp.StatusCode)
		}
	}
	if resp := get(t, srv, "/api/tasks/task-r/export", "s3cret", nil); resp.StatusCode != http.StatusOK {
		t.Errorf("export with token: %d", resp.StatusCode)
	}
}

func TestReplayRoutesOffWithoutRecordings(t *testing.T) {
	srv := newServer(t, web.Options{Store: recordForReplay(t)})
	if resp := get(t, srv, "/api/tasks/task-r/export", "", nil); resp.StatusCode != http.StatusNotFound {
		t.Errorf("export without Recordings: %d, want 404", resp.StatusCode)
	}
}
