package main

import (
	"encoding/json"
	"strings"
	"testing"

	"github.com/a2aproxy/a2a-proxy/recorder"
)

// Pins `a2a-proxy rerun` against the built-in agent through a real proxy:
// the task's request is sent again, the new run is recorded (the command
// waits for it), and the diff against the original differs only at the
// artifact's "Processed at" text (exit 1); with that text ignored the runs
// are equal (exit 0). The new run is a new task in the database.
func TestRerunBuiltinAgent(t *testing.T) {
	s := startServer(t)
	orig := streamMessage(t, s.DataURL()+"/agents/builtin/", "Process my data")
	flushed(t, s)

	code, stdout, stderr := runCLI(t, "rerun", "--db", s.Config.DB, "--proxy", s.DataURL(), orig)
	if code != 1 {
		t.Fatalf("exit %d, want 1:\n%s%s", code, stdout, stderr)
	}
	assertOnlyProcessedAt(t, stdout)
	newTask := rerunTask(t, stderr, orig)
	if newTask == orig || !strings.Contains(stdout, "+++ b: "+newTask) {
		t.Errorf("the diff is not against the new task %s:\n%s", newTask, stdout)
	}
	rec := recordedTask(t, s, newTask)
	if len(rec.Exchanges) != 1 || rec.Exchanges[0].Outcome != recorder.OutcomeCompleted {
		t.Errorf("new run recorded as %+v", rec.Exchanges)
	}

	code, stdout, stderr = runCLI(t, "rerun", "--db", s.Config.DB, "--proxy", s.DataURL(), "--agent", "builtin",
		"--ignore", "$..artifact.parts[*].text", orig)
	if code != 0 || !strings.Contains(stdout, "equal: ") {
		t.Fatalf("--ignore: exit %d, want 0:\n%s%s", code, stdout, stderr)
	}
}

// Pins rerun as a regression test after a change to the agent: the rerun
// of a deterministic agent's task reports the changed artifact (exit 1),
// also when the agent is given as an absolute URL on the proxy; and the
// request the agent got has a fresh message id.
func TestRerunDetectsAChangedAgent(t *testing.T) {
	s, agent := startDetAgent(t)
	orig := streamMessage(t, s.DataURL()+"/agents/det/", "hello")
	flushed(t, s)
	if code, stdout, stderr := runCLI(t, "rerun", "--db", s.Config.DB, "--proxy", s.DataURL(), orig); code != 0 {
		t.Fatalf("unchanged agent: exit %d, want 0:\n%s%s", code, stdout, stderr)
	}
	agent.set(" (v2)", false)
	code, stdout, stderr := runCLI(t, "rerun", "--db", s.Config.DB, "--proxy", s.DataURL(), "--agent", s.DataURL()+"/agents/det/", orig)
	if code != 1 || !strings.Contains(stdout, "$.result.artifact.parts[0].text\n  - \"echo: hello\"\n  + \"echo: hello (v2)\"") {
		t.Fatalf("changed agent: exit %d, want 1 with the artifact:\n%s%s", code, stdout, stderr)
	}
	origRec, err := s.Store().Recording(t.Context(), orig)
	if err != nil {
		t.Fatal(err)
	}
	newRec, err := s.Store().Recording(t.Context(), rerunTask(t, stderr, orig))
	if err != nil {
		t.Fatal(err)
	}
	if a, b := origRec.Exchanges[0].MessageID, newRec.Exchanges[0].MessageID; a == "" || b == "" || a == b {
		t.Errorf("message ids %q and %q: want a fresh one", a, b)
	}

	for _, tc := range []struct {
		args []string
		want string
	}{
		{[]string{"nope"}, `no task "nope"`},
		{[]string{"--agent", "a/b", orig}, "--agent"},
		{[]string{"--proxy", "ftp://x", orig}, "--proxy"},
		{[]string{"--proxy", "http://127.0.0.1:1", orig}, "is the proxy running"},
	} {
		code, _, stderr := runCLI(t, append([]string{"rerun", "--db", s.Config.DB}, tc.args...)...)
		if code != 2 || !strings.Contains(stderr, tc.want) {
			t.Errorf("rerun %q: exit %d, want 2 with %q: %s", tc.args, code, tc.want, stderr)
		}
	}
}

// rerunTask reads the new task's id from rerun's message on stderr.
func rerunTask(t *testing.T, stderr, orig string) string {
	t.Helper()
	_, rest, ok := strings.Cut(stderr, "rerun of task "+orig+" is task ")
	id, _, _ := strings.Cut(rest, ";")
	if !ok || id == "" {
		t.Fatalf("stderr names no new task: %s", stderr)
	}
	return id
}

// Pins the request rewrite: a fresh message id in both the JSON-RPC and the
// REST shape (and protobuf's message_id spelling), the original run's task
// and context ids replaced where the new run's are known, and dropped from
// the message where they are not; other fields as recorded.
func TestRerunRewritesRequests(t *testing.T) {
	r := newRerun(&recorder.Recording{Task: recorder.RecordedTask{TaskID: "old-t", ContextID: "old-c"}}, rerunTarget{})
	decode := func(b []byte) map[string]any {
		var m map[string]any
		if err := json.Unmarshal(b, &m); err != nil {
			t.Fatalf("%s: %v", b, err)
		}
		return m
	}
	msgOf := func(doc map[string]any) map[string]any {
		if p, ok := doc["params"].(map[string]any); ok {
			return p["message"].(map[string]any)
		}
		return doc["message"].(map[string]any)
	}

	first := []byte(`{"jsonrpc":"2.0","id":7,"method":"message/stream","params":{"message":{"messageId":"m1","taskId":"old-t","contextId":"old-c","parts":[{"kind":"text","text":"hi"}]},"metadata":{"n":1.50}}}`)
	out, named := r.rewriteBody(first)
	doc := decode(out)
	msg := msgOf(doc)
	if msg["messageId"] == "m1" || msg["messageId"] == "" || named {
		t.Errorf("first request: message %v, named %v", msg, named)
	}
	if _, ok := msg["taskId"]; ok {
		t.Errorf("unknown old task id kept: %v", msg)
	}
	if _, ok := msg["contextId"]; ok {
		t.Errorf("unknown old context id kept: %v", msg)
	}
	if doc["id"].(float64) != 7 || !strings.Contains(string(out), `"n":1.50`) {
		t.Errorf("other fields changed: %s", out)
	}

	r.learn("old-t", "new-t")
	r.learn("old-c", "new-c")
	follow := []byte(`{"message":{"message_id":"m2","taskId":"old-t","contextId":"old-c"}}`) // REST
	out, named = r.rewriteBody(follow)
	msg = msgOf(decode(out))
	if msg["message_id"] == "m2" || msg["taskId"] != "new-t" || msg["contextId"] != "new-c" || !named {
		t.Errorf("follow-up: %s, named %v", out, named)
	}
	get := []byte(`{"jsonrpc":"2.0","id":8,"method":"GetTask","params":{"name":"tasks/old-t"}}`)
	if out, named = r.rewriteBody(get); !strings.Contains(string(out), `"tasks/new-t"`) || !named {
		t.Errorf("GetTask: %s", out)
	}
	if got := r.mapPath("http://p/agents/x/v1/tasks/old-t:subscribe"); got != "http://p/agents/x/v1/tasks/new-t:subscribe" {
		t.Errorf("path %s", got)
	}
	if out, _ := r.rewriteBody([]byte("not json")); string(out) != "not json" {
		t.Errorf("a body that is not JSON changed: %s", out)
	}
}
