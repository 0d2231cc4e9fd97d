package main

import (
	"bytes"
	"context"
	"fmt"
	"io"
	"log/slog"
	"net/http"
	"net/http/httptest"
	"os"
	"path/filepath"
	"strings"
	"sync/atomic"
	"testing"

	builtinagent "github.com/a2aproxy/a2a-proxy/builtin-agent"
	"github.com/a2aproxy/a2a-proxy/replay"
)

// countedBuiltinAgent starts the built-in agent without pauses and counts
// the requests it gets.
func countedBuiltinAgent(t *testing.T) (string, *atomic.Int32) {
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

// streamText sends message/stream with a user text and returns the body.
func streamText(t *testing.T, base, text string) string {
	t.Helper()
	body := fmt.Sprintf(`{"jsonrpc":"2.0","id":1,"method":"message/stream","params":{"message":{"kind":"message","role":"user","messageId":"m1","parts":[{"kind":"text","text":%q}]}}}`, text)
	resp, err := http.Post(base+"/?speed=0", "application/json", strings.NewReader(body))
	if err != nil {
		t.Fatal(err)
	}
	defer resp.Body.Close()
	got, err := io.ReadAll(resp.Body)
	if err != nil {
		t.Fatal(err)
	}
	return string(got)
}

func fixtureCount(t *testing.T, path string) int {
	t.Helper()
	recs, err := replay.ReadFixtures(path)
	if err != nil {
		t.Fatal(err)
	}
	return len(recs)
}

// `replay serve --from FILE --record-missing URL [--record-to FILE]`: an
// unmatched message is answered live and recorded into --record-to (created),
// else the first --from file; the same command run again replays it without
// the agent; without --record-missing it gets the usual error.
func TestReplayServeRecordMissing(t *testing.T) {
	agentURL, calls := countedBuiltinAgent(t)
	dir := t.TempDir()
	fixture := filepath.Join(dir, "weather.ndjson")
	original, err := os.ReadFile("../../replay/testdata/fixture.ndjson")
	if err != nil {
		t.Fatal(err)
	}
	if err := os.WriteFile(fixture, original, 0o644); err != nil {
		t.Fatal(err)
	}
	recordTo := filepath.Join(dir, "new.ndjson")
	cfg := replayServeConfig{Fixtures: []string{fixture}, RecordMissing: agentURL, RecordTo: recordTo}

	first := startReplayServer(t, cfg)
	live := streamText(t, first.URL(), "hello")
	if !strings.Contains(live, `"state":"completed"`) || calls.Load() != 1 {
		t.Fatalf("live answer (agent called %d times):\n%s", calls.Load(), live)
	}
	if n := fixtureCount(t, recordTo); n != 1 {
		t.Fatalf("%d recordings in --record-to, want 1", n)
	}
	if got := streamText(t, first.URL(), "What is 2+2?"); !strings.Contains(got, `"text":"4"`) || calls.Load() != 1 {
		t.Errorf("a fixture's message was not replayed (agent called %d times):\n%s", calls.Load(), got)
	}

	again := startReplayServer(t, cfg)
	if got := streamText(t, again.URL(), "hello"); got != live || calls.Load() != 1 {
		t.Errorf("the next run did not replay (agent called %d times):\n%s\nwant:\n%s", calls.Load(), got, live)
	}

	toFirst := startReplayServer(t, replayServeConfig{Fixtures: []string{fixture}, RecordMissing: agentURL})
	streamText(t, toFirst.URL(), "other")
	if n := fixtureCount(t, fixture); n != 2 {
		t.Errorf("%d recordings in the first --from file, want 2", n)
	}

	plain := startReplayServer(t, replayServeConfig{Fixtures: []string{fixture}})
	if got := streamText(t, plain.URL(), "never recorded"); !strings.Contains(got, `no recording matches message/stream with text \"never recorded\"`) {
		t.Errorf("without --record-missing: %s", got)
	}

	fresh := filepath.Join(dir, "fresh.ndjson")
	alone := startReplayServer(t, replayServeConfig{RecordMissing: agentURL, RecordTo: fresh})
	streamText(t, alone.URL(), "hello")
	if n := fixtureCount(t, fresh); n != 1 {
		t.Errorf("--record-to without --from: %d recordings, want 1", n)
	}

	var stderr bytes.Buffer
	code := run(context.Background(), []string{"replay", "serve", "--record-to", recordTo, "--from", fixture}, io.Discard, &stderr)
	if code != 2 || !strings.Contains(stderr.String(), "--record-to needs --record-missing") {
		t.Errorf("--record-to alone: exit %d, %q", code, stderr.String())
	}
}
