package replay_test

import (
	"context"
	"errors"
	"os"
	"path/filepath"
	"strings"
	"testing"

	"github.com/a2aproxy/a2a-proxy/internal/a2awire"
	"github.com/a2aproxy/a2a-proxy/recorder"
	"github.com/a2aproxy/a2a-proxy/replay"
)

// The hand-written fixture of docs/replay.md: no binding, version, end or
// outcome; the replay works them out.
func TestHandWrittenFixture(t *testing.T) {
	recs, err := replay.ReadFixtures(filepath.Join("testdata", "fixture.ndjson"))
	if err != nil {
		t.Fatal(err)
	}
	srv := startAgent(t, replay.AgentOptions{Recordings: recs, Strict: true})
	got, err := rpc(t, context.Background(), srv.URL+"/?speed=0", "message/stream", `"q"`, messageParams(a2awire.V03, "What is 2+2?"))
	if err != nil || len(events(got)) != 2 || strings.Count(got, `"id":"q"`) != 2 {
		t.Errorf("stream: %q (%v), want both events under id q", got, err)
	}
	body, err := rpc(t, context.Background(), srv.URL+"/?speed=0", "message/send", `"s"`, messageParams(a2awire.V03, "What is 2+2?"))
	if err != nil {
		t.Fatal(err)
	}
	task := result(t, body, `"s"`)
	status := task["status"].(map[string]any)
	if task["id"] != "t1" || status["state"] != "completed" || !strings.Contains(mustJSON(status["message"]), `"text":"4"`) {
		t.Errorf("message/send: %v", task)
	}
}

func TestReadFixturesNamesTheFile(t *testing.T) {
	dir := t.TempDir()
	good, bad := filepath.Join("testdata", "fixture.ndjson"), filepath.Join(dir, "bad.ndjson")
	if err := os.WriteFile(bad, []byte(`{"format":"a2a-proxy.recording","version":1,"task":{"taskId":"t"},"exchanges":[]}`+"\n{\n"), 0o644); err != nil {
		t.Fatal(err)
	}
	recs, err := replay.ReadFixtures(good, bad)
	var fe *recorder.FormatError
	if !errors.As(err, &fe) || fe.Source != bad || fe.Line != 2 || recs != nil {
		t.Errorf("err = %v, want a FormatError at %s:2 and no recordings", err, bad)
	}
	if _, err := replay.ReadFixtures(filepath.Join(dir, "missing.ndjson")); err == nil || !strings.Contains(err.Error(), "missing.ndjson") {
		t.Errorf("missing file: %v", err)
	}
}
