package replaytest_test

import (
	"bytes"
	"fmt"
	"io"
	"log/slog"
	"net"
	"net/http"
	"net/http/httptest"
	"os"
	"path/filepath"
	"strings"
	"sync"
	"sync/atomic"
	"testing"

	builtinagent "github.com/a2aproxy/a2a-proxy/builtin-agent"
	"github.com/a2aproxy/a2a-proxy/internal/a2awire"
	"github.com/a2aproxy/a2a-proxy/recorder"
	"github.com/a2aproxy/a2a-proxy/replay"
	"github.com/a2aproxy/a2a-proxy/replay/replaytest"
)

// liveAgent starts the built-in agent without pauses and counts the
// requests it gets.
func liveAgent(t *testing.T) (string, *atomic.Int32) {
	t.Helper()
	var calls atomic.Int32
	srv := httptest.NewUnstartedServer(nil)
	url := "http://" + srv.Listener.Addr().String() + "/"
	agent := builtinagent.NewHandler(builtinagent.Options{URL: url, StepDelay: -1, Logger: slog.New(slog.DiscardHandler)})
	srv.Config.Handler = http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		calls.Add(1)
		agent.ServeHTTP(w, r)
	})
	srv.Start()
	t.Cleanup(srv.Close)
	return url, &calls
}

// fixtureCopy copies testdata/weather.ndjson (one recording, "What is
// 2+2?") into a temporary directory and returns its path and bytes.
func fixtureCopy(t *testing.T) (string, []byte) {
	t.Helper()
	data, err := os.ReadFile("testdata/weather.ndjson")
	if err != nil {
		t.Fatal(err)
	}
	path := filepath.Join(t.TempDir(), "weather.ndjson")
	if err := os.WriteFile(path, data, 0o644); err != nil {
		t.Fatal(err)
	}
	return path, data
}

// post sends a v0.3 JSON-RPC request with the user text and returns the
// response's status, content type and body.
func post(t *testing.T, url, method, id, text string) (int, string, string) {
	t.Helper()
	body := fmt.Sprintf(`{"jsonrpc":"2.0","id":%s,"method":%q,"params":{"message":{"kind":"message","role":"user","messageId":"m-%s","parts":[{"kind":"text","text":%q}]}}}`,
		id, method, id, text)
	resp, err := http.Post(url, "application/json", strings.NewReader(body))
	if err != nil {
		t.Fatalf("POST %s: %v", method, err)
	}
	defer resp.Body.Close()
	got, err := io.ReadAll(resp.Body)
	if err != nil {
		t.Fatalf("read %s: %v", method, err)
	}
	return resp.StatusCode, resp.Header.Get("Content-Type"), string(got)
}

// recordingsIn reads a fixture file back, failing on a corrupt line.
func recordingsIn(t *testing.T, path string) []*recorder.Recording {
	t.Helper()
	recs, err := replay.ReadFixtures(path)
	if err != nil {
		t.Fatal(err)
	}
	return recs
}

// export encodes recordings as `a2a-proxy export` writes them.
func export(t *testing.T, recs ...*recorder.Recording) string {
	t.Helper()
	var b bytes.Buffer
	if err := recorder.WriteRecordings(&b, recs...); err != nil {
		t.Fatal(err)
	}
	return b.String()
}

func rawOf(rec *recorder.Recording) string {
	var b strings.Builder
	for _, ev := range rec.Events {
		b.Write(ev.Raw)
	}
	return b.String()
}

// A message no fixture matches is answered live by the agent, byte for
// byte, and appended to the fixture file as one recording that reads back
// and exports to the same bytes; the same request is then replayed from it,
// in this server and in a fresh one, without calling the agent again.
func TestRecordMissingGrowsTheFixture(t *testing.T) {
	agentURL, calls := liveAgent(t)
	path, before := fixtureCopy(t)
	srv := replaytest.NewServer(t, filepath.Join(filepath.Dir(path), "*.ndjson"), replaytest.RecordMissing(agentURL))

	status, contentType, live := post(t, srv.URL+"/?speed=0", "message/stream", "7", "hello")
	if status != http.StatusOK || contentType != "text/event-stream" || !strings.Contains(live, `"state":"completed"`) {
		t.Fatalf("live answer: %d %s\n%s", status, contentType, live)
	}
	if n := calls.Load(); n != 1 {
		t.Fatalf("agent called %d times, want 1", n)
	}
	grown, err := os.ReadFile(path)
	if err != nil {
		t.Fatal(err)
	}
	if !bytes.HasPrefix(grown, before) {
		t.Fatalf("the fixture's lines changed:\n%s", grown)
	}
	recs := recordingsIn(t, path)
	if len(recs) != 2 {
		t.Fatalf("%d recordings in the fixture, want 2", len(recs))
	}
	added := recs[1]
	if got := rawOf(added); got != live {
		t.Errorf("recorded events:\n%s\nwant what the client got:\n%s", got, live)
	}
	if got := export(t, added); got != string(grown[len(before):]) {
		t.Errorf("re-export differs:\n%s\nappended:\n%s", got, grown[len(before):])
	}
	if x := added.Exchanges[0]; x.Agent != replay.LiveAgentName || x.Method != "message/stream" || x.End == nil || !x.End.Streaming {
		t.Errorf("recorded exchange %+v", x)
	}

	if _, _, again := post(t, srv.URL+"/?speed=0", "message/stream", "7", "hello"); again != live {
		t.Errorf("replayed:\n%s\nwant:\n%s", again, live)
	}
	if _, _, task := post(t, srv.URL+"/?speed=0", "message/send", "8", "hello"); !strings.Contains(task, `"state":"completed"`) {
		t.Errorf("message/send of the recorded text: %s", task)
	}
	fresh := replaytest.NewServer(t, path)
	if _, _, replayed := post(t, fresh.URL+"/?speed=0", "message/stream", "7", "hello"); replayed != live {
		t.Errorf("fresh server replayed:\n%s\nwant:\n%s", replayed, live)
	}
	if n := calls.Load(); n != 1 {
		t.Errorf("agent called %d times, want 1: the replays must not reach it", n)
	}
	if n := len(recordingsIn(t, path)); n != 2 {
		t.Errorf("%d recordings after the replays, want 2", n)
	}
}

// Without RecordMissing, an unmatched message gets the JSON-RPC error that
// quotes its text, as before.
func TestUnmatchedWithoutRecordMissing(t *testing.T) {
	path, _ := fixtureCopy(t)
	srv := replaytest.NewServer(t, path)
	status, _, body := post(t, srv.URL+"/", "message/send", "1", "never recorded")
	if status != http.StatusOK || !strings.Contains(body, `"code":-32000`) || !strings.Contains(body, `no recording matches message/send with text \"never recorded\"`) {
		t.Errorf("unmatched: %d %s", status, body)
	}
}

// An agent that is down: the client gets the proxy's 502 JSON-RPC error and
// the fixture is left as it was, so the next try forwards again.
func TestRecordMissingAgentDown(t *testing.T) {
	ln, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		t.Fatal(err)
	}
	deadURL := "http://" + ln.Addr().String() + "/"
	ln.Close()
	path, before := fixtureCopy(t)
	srv := replaytest.NewServer(t, path, replaytest.RecordMissing(deadURL))

	status, contentType, body := post(t, srv.URL+"/", "message/send", "1", "hello")
	if status != http.StatusBadGateway || !strings.HasPrefix(contentType, "application/json") || !strings.Contains(body, `"jsonrpc":"2.0"`) || !strings.Contains(body, `"error"`) {
		t.Errorf("agent down: %d %s %s", status, contentType, body)
	}
	after, err := os.ReadFile(path)
	if err != nil {
		t.Fatal(err)
	}
	if !bytes.Equal(after, before) {
		t.Errorf("fixture changed:\n%s", after)
	}
}

// Concurrent unmatched requests each append one whole recording: the file
// reads back with every one of them and no line torn or interleaved.
func TestRecordMissingConcurrentAppends(t *testing.T) {
	agentURL, calls := liveAgent(t)
	path, before := fixtureCopy(t)
	srv := replaytest.NewServer(t, path, replaytest.RecordMissing(agentURL))

	const n = 8
	var wg sync.WaitGroup
	for i := range n {
		wg.Add(1)
		go func() {
			defer wg.Done()
			method := []string{"message/stream", "message/send"}[i%2]
			if status, _, body := post(t, srv.URL+"/", method, fmt.Sprint(i+1), fmt.Sprintf("question %d", i)); status != http.StatusOK {
				t.Errorf("%s %d: %d %s", method, i, status, body)
			}
		}()
	}
	wg.Wait()

	recs := recordingsIn(t, path)
	if len(recs) != n+1 {
		t.Fatalf("%d recordings, want %d", len(recs), n+1)
	}
	texts := make(map[string]bool)
	for _, rec := range recs[1:] {
		x := rec.Exchanges[0]
		texts[a2awire.ParseRequest(x.HTTPMethod, x.Path, x.RequestHeaders, x.RequestBody).Text] = true
	}
	for i := range n {
		if !texts[fmt.Sprintf("question %d", i)] {
			t.Errorf("no recording of question %d (have %v)", i, texts)
		}
	}
	grown, err := os.ReadFile(path)
	if err != nil {
		t.Fatal(err)
	}
	if got := export(t, recs[1:]...); got != string(grown[len(before):]) {
		t.Errorf("appended lines differ from their re-export:\n%s", grown[len(before):])
	}
	if got := calls.Load(); got != n {
		t.Errorf("agent called %d times, want %d", got, n)
	}
}

// Recording into a fixture that does not exist yet: the card is the live
// agent's, pointing at the replay server, and the first answer creates the
// file.
func TestRecordMissingStartsFromNothing(t *testing.T) {
	agentURL, _ := liveAgent(t)
	path := filepath.Join(t.TempDir(), "new.ndjson")
	srv := replaytest.NewServer(t, path, replaytest.RecordMissing(agentURL))

	resp, err := http.Get(srv.URL + "/.well-known/agent-card.json")
	if err != nil {
		t.Fatal(err)
	}
	card, _ := io.ReadAll(resp.Body)
	resp.Body.Close()
	if !strings.Contains(string(card), `"url":"`+srv.URL+`/"`) {
		t.Errorf("card does not point at the replay server %s:\n%s", srv.URL, card)
	}
	if _, err := os.Stat(path); !os.IsNotExist(err) {
		t.Errorf("a card fetch made the fixture: %v", err)
	}
	if status, _, body := post(t, srv.URL+"/", "message/send", "1", "hello"); status != http.StatusOK || !strings.Contains(body, `"result"`) {
		t.Fatalf("live answer: %d %s", status, body)
	}
	if recs := recordingsIn(t, path); len(recs) != 1 || recs[0].Task.TaskID == "" {
		t.Errorf("recordings %+v, want one of the task", recs)
	}
}

// A hand-edited fixture whose last line lacks its newline: the new
// recording starts on a line of its own, and the file still reads.
func TestRecordMissingAfterUnterminatedLine(t *testing.T) {
	agentURL, _ := liveAgent(t)
	path, before := fixtureCopy(t)
	if err := os.WriteFile(path, bytes.TrimSuffix(before, []byte("\n")), 0o644); err != nil {
		t.Fatal(err)
	}
	srv := replaytest.NewServer(t, path, replaytest.RecordMissing(agentURL))
	if status, _, body := post(t, srv.URL+"/", "message/send", "1", "hello"); status != http.StatusOK {
		t.Fatalf("live answer: %d %s", status, body)
	}
	if n := len(recordingsIn(t, path)); n != 2 {
		t.Errorf("%d recordings, want 2", n)
	}
}
