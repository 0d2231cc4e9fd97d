package main

import (
	"context"
	"encoding/json"
	"fmt"
	"net/http"
	"net/http/httptest"
	"net/url"
	"path/filepath"
	"regexp"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/google/uuid"

	"github.com/a2aproxy/a2a-proxy/diff"
	"github.com/a2aproxy/a2a-proxy/recorder"
)

// detAgent is an A2A v0.3 JSON-RPC agent whose stream is a pure function of
// the input text, apart from the ids and timestamps it mints: a task, a
// working status, an artifact "echo: <input><suffix>", a completed status.
// Its behaviour can be changed between runs, as a developer changes an
// agent: another artifact text, or one extra status update.
type detAgent struct {
	mu     sync.Mutex
	suffix string
	extra  bool
}

func (a *detAgent) set(suffix string, extra bool) {
	a.mu.Lock()
	defer a.mu.Unlock()
	a.suffix, a.extra = suffix, extra
}

func (a *detAgent) ServeHTTP(w http.ResponseWriter, r *http.Request) {
	a.mu.Lock()
	suffix, extra := a.suffix, a.extra
	a.mu.Unlock()
	var req struct {
		ID     json.RawMessage `json:"id"`
		Params struct {
			Message map[string]any `json:"message"`
		} `json:"params"`
	}
	if err := json.NewDecoder(r.Body).Decode(&req); err != nil {
		http.Error(w, err.Error(), http.StatusBadRequest)
		return
	}
	parts, _ := req.Params.Message["parts"].([]any)
	input := ""
	if len(parts) > 0 {
		input, _ = parts[0].(map[string]any)["text"].(string)
	}
	taskID, contextID := uuid.NewString(), uuid.NewString()
	now := func() string { return time.Now().UTC().Format(time.RFC3339Nano) }
	status := func(state string, final bool, text string) map[string]any {
		st := map[string]any{"state": state, "timestamp": now()}
		if text != "" {
			st["message"] = map[string]any{"kind": "message", "role": "agent", "messageId": uuid.NewString(),
				"parts": []any{map[string]any{"kind": "text", "text": text}}}
		}
		return map[string]any{"kind": "status-update", "taskId": taskID, "contextId": contextID, "status": st, "final": final}
	}
	events := []any{
		map[string]any{"kind": "task", "id": taskID, "contextId": contextID,
			"status": map[string]any{"state": "submitted", "timestamp": now()}, "history": []any{req.Params.Message}},
		status("working", false, "Working on it"),
	}
	if extra {
		events = append(events, status("working", false, "Thinking harder"))
	}
	events = append(events,
		map[string]any{"kind": "artifact-update", "taskId": taskID, "contextId": contextID, "lastChunk": true,
			"artifact": map[string]any{"artifactId": uuid.NewString(), "name": "answer",
				"parts": []any{map[string]any{"kind": "text", "text": "echo: " + input + suffix}}}},
		status("completed", true, ""),
	)
	w.Header().Set("Content-Type", "text/event-stream")
	for _, ev := range events {
		data, _ := json.Marshal(map[string]any{"jsonrpc": "2.0", "id": req.ID, "result": ev})
		fmt.Fprintf(w, "data: %s\n\n", data)
		w.(http.Flusher).Flush()
	}
}

// startDetAgent serves a detAgent behind a real Server, as agent "det".
func startDetAgent(t *testing.T) (*Server, *detAgent) {
	t.Helper()
	agent := &detAgent{}
	upstream := httptest.NewServer(agent)
	t.Cleanup(upstream.Close)
	s := startServer(t, func(c *ServeConfig) { c.Agents = []string{"det=" + upstream.URL} })
	return s, agent
}

// flushed waits until the recorder committed everything sent so far.
func flushed(t *testing.T, s *Server) {
	t.Helper()
	ctx, cancel := context.WithTimeout(context.Background(), 10*time.Second)
	defer cancel()
	if err := s.Store().Flush(ctx); err != nil {
		t.Fatal(err)
	}
}

// Pins `a2a-proxy diff` on recordings of real traffic through the proxy:
// two runs of a deterministic agent with the same input are equal (exit 0)
// although every id and timestamp differs; a changed artifact differs
// (exit 1) at that artifact's text path, with both values; one extra event
// is one added event, not every later event changed; --json prints the
// diff.Result; and the same holds for exported NDJSON files, including one
// that holds several tasks (FILE#TASK_ID).
func TestDiffCommand(t *testing.T) {
	s, agent := startDetAgent(t)
	base := s.DataURL() + "/agents/det/"
	a := streamMessage(t, base, "hello")
	b := streamMessage(t, base, "hello")
	agent.set(" (v2)", false)
	changed := streamMessage(t, base, "hello")
	agent.set("", true)
	extra := streamMessage(t, base, "hello")
	flushed(t, s)
	db := s.Config.DB

	t.Run("equal", func(t *testing.T) {
		code, stdout, stderr := runCLI(t, "diff", "--db", db, a, b)
		if code != 0 || !strings.Contains(stdout, "equal: 4 events") {
			t.Fatalf("exit %d, want 0:\n%s%s", code, stdout, stderr)
		}
		// --strict compares the ids too: then they differ.
		if code, stdout, _ := runCLI(t, "diff", "--strict", "--db", db, a, b); code != 1 || !strings.Contains(stdout, "$.result.id") {
			t.Errorf("--strict: exit %d, want 1 naming the task id:\n%s", code, stdout)
		}
	})
	t.Run("changed artifact", func(t *testing.T) {
		code, stdout, stderr := runCLI(t, "diff", "--db", db, a, changed)
		if code != 1 {
			t.Fatalf("exit %d, want 1:\n%s%s", code, stdout, stderr)
		}
		for _, want := range []string{"1 changed", "$.result.artifact.parts[0].text", `- "echo: hello"`, `+ "echo: hello (v2)"`} {
			if !strings.Contains(stdout, want) {
				t.Errorf("output lacks %q:\n%s", want, stdout)
			}
		}
		if strings.Contains(stdout, "added") || strings.Contains(stdout, "removed") {
			t.Errorf("a changed artifact reported as added or removed:\n%s", stdout)
		}
	})
	t.Run("extra event", func(t *testing.T) {
		code, stdout, stderr := runCLI(t, "diff", "--json", "--db", db, a, extra)
		if code != 1 {
			t.Fatalf("exit %d, want 1:\n%s%s", code, stdout, stderr)
		}
		var res diff.Result
		if err := json.Unmarshal([]byte(stdout), &res); err != nil {
			t.Fatalf("--json: %v\n%s", err, stdout)
		}
		if len(res.Added) != 1 || len(res.Changed)+len(res.Removed)+len(res.Moved) != 0 || res.Same != 4 {
			t.Fatalf("want exactly one added event and 4 same:\n%s", stdout)
		}
		if got := res.Added[0]; got.Index != 2 || got.Kind != "status-update" || got.Exchange != "message/stream" || !strings.Contains(got.Preview, `"status-update"`) {
			t.Errorf("added %+v, want b's event 2, the extra status update", got)
		}
		if res.A.Name != a || res.B.Name != extra {
			t.Errorf("sides named %q and %q, want the task ids", res.A.Name, res.B.Name)
		}
	})
	t.Run("files", func(t *testing.T) {
		dir := t.TempDir()
		fileA, fileChanged := exportToFile(t, db, a, dir), exportToFile(t, db, changed, dir)
		code, stdout, stderr := runCLI(t, "diff", fileA, fileChanged)
		if code != 1 || !strings.Contains(stdout, `+ "echo: hello (v2)"`) || !strings.Contains(stdout, "--- a: "+fileA) {
			t.Fatalf("files: exit %d, want 1 with the change:\n%s%s", code, stdout, stderr)
		}
		// A file and a task id mix.
		if code, stdout, stderr := runCLI(t, "diff", "--db", db, fileA, b); code != 0 {
			t.Errorf("file against task: exit %d, want 0:\n%s%s", code, stdout, stderr)
		}
		both := filepath.Join(dir, "both.ndjson")
		var recs []*recorder.Recording
		for _, id := range []string{a, changed} {
			rec, err := s.Store().Recording(context.Background(), id)
			if err != nil {
				t.Fatal(err)
			}
			recs = append(recs, rec)
		}
		if err := writeFile(both, recs); err != nil {
			t.Fatal(err)
		}
		code, _, stderr = runCLI(t, "diff", both, fileA)
		if code != 2 || !strings.Contains(stderr, "holds 2 tasks") || !strings.Contains(stderr, a) || !strings.Contains(stderr, changed) {
			t.Errorf("a file of two tasks: exit %d, want 2 listing both ids: %s", code, stderr)
		}
		if code, stdout, stderr := runCLI(t, "diff", both+"#"+changed, fileA); code != 1 || !strings.Contains(stdout, `- "echo: hello (v2)"`) {
			t.Errorf("FILE#TASK_ID: exit %d, want 1:\n%s%s", code, stdout, stderr)
		}
		if code, _, stderr := runCLI(t, "diff", both+"#nope", fileA); code != 2 || !strings.Contains(stderr, `no task "nope"`) {
			t.Errorf("FILE#unknown: exit %d, want 2: %s", code, stderr)
		}
	})
	t.Run("errors", func(t *testing.T) {
		for _, tc := range []struct {
			args []string
			want string
		}{
			{[]string{a}, "want two recordings"},
			{[]string{"--ignore", "$.[", a, b}, `parse path "$.["`},
			{[]string{"--timing", "0.5", a, b}, "timing factor"},
			{[]string{a, "no-such-task"}, `no task "no-such-task"`},
		} {
			code, _, stderr := runCLI(t, append([]string{"diff", "--db", db}, tc.args...)...)
			if code != 2 || !strings.Contains(stderr, tc.want) {
				t.Errorf("diff %q: exit %d, want 2 with %q: %s", tc.args, code, tc.want, stderr)
			}
		}
	})
}

// Pins the example on the built-in agent: its artifact says when it
// ran ("Processed at: ..."), so two runs differ exactly there by default,
// and --ignore '$..artifact.parts[*].text' makes them equal.
func TestDiffBuiltinAgentProcessedAt(t *testing.T) {
	s := startServer(t)
	a := streamMessage(t, s.DataURL()+"/agents/builtin/", "Process my data")
	b := streamMessage(t, s.DataURL()+"/agents/builtin/", "Process my data")
	flushed(t, s)
	code, stdout, stderr := runCLI(t, "diff", "--db", s.Config.DB, a, b)
	if code != 1 {
		t.Fatalf("exit %d, want 1:\n%s%s", code, stdout, stderr)
	}
	assertOnlyProcessedAt(t, stdout)
	code, stdout, stderr = runCLI(t, "diff", "--db", s.Config.DB, "--ignore", "$..artifact.parts[*].text", a, b)
	if code != 0 {
		t.Fatalf("--ignore: exit %d, want 0:\n%s%s", code, stdout, stderr)
	}
}

// assertOnlyProcessedAt checks a text diff of two built-in agent runs: one
// changed event, the artifact, at its text, both values "Processed at".
func assertOnlyProcessedAt(t *testing.T, out string) {
	t.Helper()
	if !regexp.MustCompile(`different: \d+ same, 1 changed\n`).MatchString(out) || strings.Count(out, "\nchanged ") != 1 {
		t.Fatalf("want exactly one changed event:\n%s", out)
	}
	if !strings.Contains(out, "artifact-update (message/stream): 1 difference\n  $.result.artifact.parts[0].text\n") {
		t.Errorf("the change is not at the artifact's text:\n%s", out)
	}
	if strings.Count(out, "Processed at: ") != 2 {
		t.Errorf("want both values, each with \"Processed at: \":\n%s", out)
	}
}

// Pins GET /api/diff: the diff.Result of two tasks as JSON, options from the
// query; a bad ignore path or timing is 400 and an unknown task 404, in the
// API's error shape.
func TestDiffAPI(t *testing.T) {
	s, agent := startDetAgent(t)
	base := s.DataURL() + "/agents/det/"
	a := streamMessage(t, base, "hello")
	agent.set(" (v2)", false)
	b := streamMessage(t, base, "hello")
	flushed(t, s)
	api := s.AdminURL() + "/api/diff?a=" + url.QueryEscape(a) + "&b=" + url.QueryEscape(b)

	var res diff.Result
	getJSON(t, api, &res)
	if res.Equal || len(res.Changed) != 1 || res.A.Name != a || res.B.Name != b {
		t.Fatalf("want one changed event: %+v", res)
	}
	if d := res.Changed[0].Diffs; len(d) != 1 || d[0].Path != "$.result.artifact.parts[0].text" || d[0].Old != `"echo: hello"` || d[0].New != `"echo: hello (v2)"` {
		t.Errorf("diffs %+v", d)
	}
	getJSON(t, api+"&ignore="+url.QueryEscape("$..artifact.parts[*].text"), &res)
	if !res.Equal {
		t.Errorf("ignore: want equal, got %+v", res)
	}
	getJSON(t, api+"&strict=true", &res)
	if len(res.Changed) != 4 {
		t.Errorf("strict: want every event changed (ids), got %d", len(res.Changed))
	}
	for _, tc := range []struct {
		query string
		code  int
	}{
		{"&ignore=" + url.QueryEscape("$.["), http.StatusBadRequest},
		{"&timing=fast", http.StatusBadRequest},
		{"&strict=maybe", http.StatusBadRequest},
	} {
		assertAPIError(t, api+tc.query, tc.code)
	}
	assertAPIError(t, s.AdminURL()+"/api/diff?a="+url.QueryEscape(a)+"&b=nope", http.StatusNotFound)
	assertAPIError(t, s.AdminURL()+"/api/diff?a="+url.QueryEscape(a), http.StatusBadRequest)
}

func assertAPIError(t *testing.T, u string, status int) {
	t.Helper()
	resp, err := http.Get(u)
	if err != nil {
		t.Fatal(err)
	}
	defer resp.Body.Close()
	var doc struct {
		Error struct{ Code, Message string } `json:"error"`
	}
	if err := json.NewDecoder(resp.Body).Decode(&doc); err != nil || resp.StatusCode != status || doc.Error.Code == "" || doc.Error.Message == "" {
		t.Errorf("GET %s: %d %+v (%v), want %d with an error document", u, resp.StatusCode, doc, err, status)
	}
}
