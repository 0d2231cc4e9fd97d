package main

import (
	"context"
	"encoding/json"
	"encoding/xml"
	"fmt"
	"io"
	"net/http"
	"net/http/httptest"
	"strings"
	"testing"
	"time"

	"github.com/a2aproxy/a2a-proxy/checks"
	"github.com/a2aproxy/a2a-proxy/internal/nodepeer"
	"github.com/a2aproxy/a2a-proxy/recorder"
)

// badAgent breaks the A2A protocol on purpose, in the ways real agents do:
// its v0.3 stream never marks the last status update final:true, sends an
// artifact after the task completed and answers with another JSON-RPC id;
// its message/send answers as text/plain.
type badAgent struct{}

func (badAgent) ServeHTTP(w http.ResponseWriter, r *http.Request) {
	body, _ := io.ReadAll(r.Body)
	var req struct {
		Method string `json:"method"`
	}
	_ = json.Unmarshal(body, &req)
	switch req.Method {
	case "message/stream":
		w.Header().Set("Content-Type", "text/event-stream")
		for _, data := range []string{
			`{"jsonrpc":"2.0","id":1,"result":{"kind":"task","id":"bad-stream","contextId":"ctx-bad","status":{"state":"submitted"}}}`,
			`{"jsonrpc":"2.0","id":1,"result":{"kind":"status-update","taskId":"bad-stream","contextId":"ctx-bad","status":{"state":"working"},"final":false}}`,
			`{"jsonrpc":"2.0","id":1,"result":{"kind":"status-update","taskId":"bad-stream","contextId":"ctx-bad","status":{"state":"completed"},"final":false}}`,
			`{"jsonrpc":"2.0","id":1,"result":{"kind":"artifact-update","taskId":"bad-stream","contextId":"ctx-bad","artifact":{"artifactId":"a1","parts":[{"kind":"text","text":"late"}]}}}`,
		} {
			fmt.Fprintf(w, "data: %s\n\n", data)
			w.(http.Flusher).Flush()
		}
	case "message/send":
		w.Header().Set("Content-Type", "text/plain")
		fmt.Fprint(w, `{"jsonrpc":"2.0","id":99,"result":{"kind":"task","id":"bad-unary","contextId":"ctx-bad","status":{"state":"completed"}}}`)
	default:
		http.NotFound(w, r)
	}
}

// postRPC sends one JSON-RPC request with id 1 and reads the whole answer.
func postRPC(t *testing.T, url, method string) {
	t.Helper()
	body := `{"jsonrpc":"2.0","id":1,"method":"` + method + `","params":{"message":{"kind":"message","role":"user","messageId":"m1","parts":[{"kind":"text","text":"hi"}]}}}`
	resp, err := http.Post(url, "application/json", strings.NewReader(body))
	if err != nil {
		t.Fatal(err)
	}
	defer resp.Body.Close()
	if _, err := io.ReadAll(resp.Body); err != nil {
		t.Fatal(err)
	}
}

// checksDone waits until the checker has checked every exchange that
// ended so far and the recorder has written their findings; it checks that
// n exchanges were checked in all (-1: any number).
func checksDone(t *testing.T, s *Server, n int) {
	t.Helper()
	flushed(t, s) // every end reached the checker
	ctx, cancel := context.WithTimeout(context.Background(), 10*time.Second)
	defer cancel()
	if err := s.checker.Flush(ctx); err != nil {
		t.Fatal(err)
	}
	flushed(t, s) // and their findings are written
	if got := s.checker.Checked(); n >= 0 && got != uint64(n) {
		t.Fatalf("checked %d exchanges (%d skipped), want %d", got, s.checker.Skipped(), n)
	}
}

func ruleIDs(fs []checks.Described) map[string]string {
	out := map[string]string{}
	for _, f := range fs {
		out[f.Rule] = f.Severity
	}
	return out
}

// Pins the conformance checks end to end: a misbehaving upstream's traffic
// through the real Server is checked as it ends and its findings are
// stored: GET /api/tasks/{id}/checks names the broken rules with their spec
// section and TCK ids, the task list counts them and filters on
// checks=failed, /metrics counts them by rule and severity, and
// `a2a-proxy check` finds the same rules on the recording, exits 1, and
// says so as text, JSON and JUnit XML.
func TestChecksFlagMisbehavingAgent(t *testing.T) {
	upstream := httptest.NewServer(badAgent{})
	defer upstream.Close()
	s := startServer(t, func(c *ServeConfig) { c.Agents = []string{"bad=" + upstream.URL} })
	postRPC(t, s.DataURL()+"/agents/bad/", "message/stream")
	postRPC(t, s.DataURL()+"/agents/bad/", "message/send")
	checksDone(t, s, 2)

	wantStream := map[string]string{"stream.final-flag": "error", "stream.after-terminal": "error"}
	wantUnary := map[string]string{"http.content-type": "error", "jsonrpc.id-match": "error"}
	for task, want := range map[string]map[string]string{"bad-stream": wantStream, "bad-unary": wantUnary} {
		var got checks.TaskChecks
		getJSON(t, s.AdminURL()+"/api/tasks/"+task+"/checks", &got)
		rules := ruleIDs(got.Findings)
		for rule, sev := range want {
			if rules[rule] != sev {
				t.Errorf("%s: rule %s = %q, want %s; findings %+v", task, rule, rules[rule], sev, got.Findings)
			}
		}
		if got.Checks.Errors == 0 || got.Checks.Errors != len(got.Findings)-got.Checks.Warnings {
			t.Errorf("%s: counts %+v do not match %d findings", task, got.Checks, len(got.Findings))
		}
		for _, f := range got.Findings {
			if f.Title == "" || f.Spec == nil || !strings.HasPrefix(f.Spec.URL, "https://a2a-protocol.org/v0.3.0/") || f.ExchangeID == "" {
				t.Errorf("%s: finding %+v lacks its title, v0.3 spec link or exchange", task, f)
			}
		}
	}

	var page recorder.TaskPage
	getJSON(t, s.AdminURL()+"/api/tasks?checks=failed", &page)
	if len(page.Tasks) != 2 || page.Tasks[0].Checks.Errors == 0 || page.Tasks[1].Checks.Errors == 0 {
		t.Errorf("checks=failed = %+v, want both tasks with their errors counted", page.Tasks)
	}
	resp, err := http.Get(s.AdminURL() + "/metrics")
	if err != nil {
		t.Fatal(err)
	}
	metrics, _ := io.ReadAll(resp.Body)
	resp.Body.Close()
	for _, want := range []string{
		`a2a_proxy_conformance_findings_total{otel_scope_name="github.com/a2aproxy/a2a-proxy/cmd/a2a-proxy",otel_scope_schema_url="",otel_scope_version="",rule="stream.final-flag",severity="error"} 1`,
		`rule="jsonrpc.id-match",severity="error"} 1`,
		`a2a_proxy_conformance_skipped_total`,
	} {
		if !strings.Contains(string(metrics), want) {
			t.Errorf("/metrics lacks %s", want)
		}
	}

	db := s.Config.DB
	t.Run("text", func(t *testing.T) {
		code, stdout, stderr := runCLI(t, "check", "--db", db, "bad-stream", "bad-unary")
		if code != 1 {
			t.Fatalf("exit %d, want 1:\n%s%s", code, stdout, stderr)
		}
		for _, want := range []string{"stream.final-flag", "stream.after-terminal", "http.content-type", "jsonrpc.id-match", "2 tasks, 2 exchanges checked", "https://a2a-protocol.org/"} {
			if !strings.Contains(stdout, want) {
				t.Errorf("output lacks %q:\n%s", want, stdout)
			}
		}
	})
	t.Run("json", func(t *testing.T) {
		code, stdout, _ := runCLI(t, "check", "--db", db, "--agent", "bad", "--format", "json")
		var report checkReport
		if err := json.Unmarshal([]byte(stdout), &report); err != nil || code != 1 {
			t.Fatalf("exit %d, %v:\n%s", code, err, stdout)
		}
		if len(report.Tasks) != 2 || report.Checks.Errors < 4 {
			t.Fatalf("report %+v, want 2 tasks, at least 4 errors", report)
		}
		got := map[string]string{}
		for _, task := range report.Tasks {
			for _, x := range task.Exchanges {
				for r, sev := range ruleIDs(x.Findings) {
					got[r] = sev
				}
			}
		}
		for rule := range wantStream {
			if got[rule] == "" {
				t.Errorf("json lacks %s: %v", rule, got)
			}
		}
		for rule := range wantUnary {
			if got[rule] == "" {
				t.Errorf("json lacks %s: %v", rule, got)
			}
		}
	})
	t.Run("junit", func(t *testing.T) {
		code, stdout, _ := runCLI(t, "check", "--db", db, "--all", "--format", "junit")
		var suites junitSuites
		if err := xml.Unmarshal([]byte(stdout), &suites); err != nil || code != 1 {
			t.Fatalf("exit %d, %v:\n%s", code, err, stdout)
		}
		if suites.Tests != 2 || suites.Failures != 2 {
			t.Fatalf("tests %d failures %d, want 2 and 2:\n%s", suites.Tests, suites.Failures, stdout)
		}
		if !strings.Contains(stdout, `message="stream.final-flag`) && !strings.Contains(stdout, "stream.final-flag") {
			t.Errorf("junit lacks the rule ids:\n%s", stdout)
		}
	})
	t.Run("usage", func(t *testing.T) {
		for _, args := range [][]string{{"check", "--db", db}, {"check", "--db", db, "--all", "x"}, {"check", "--db", db, "--format", "yaml", "--all"}} {
			if code, _, _ := runCLI(t, args...); code != 2 {
				t.Errorf("%q: exit %d, want 2", args, code)
			}
		}
		if code, _, stderr := runCLI(t, "check", "--db", db, "nope"); code != 2 || !strings.Contains(stderr, "nope") {
			t.Errorf("unknown task: exit %d, want 2: %s", code, stderr)
		}
	})
}

// Pins that the built-in agent (ours, on a2a-go v0.3.3) breaks no rule:
// its streams, its card fetched through the proxy and a tasks/get are
// checked as they end with no finding, and `check --all` exits 0.
func TestChecksBuiltinAgentClean(t *testing.T) {
	s := startServer(t)
	base := s.DataURL() + "/agents/builtin/"
	resp, err := http.Get(base + ".well-known/agent-card.json")
	if err != nil {
		t.Fatal(err)
	}
	io.Copy(io.Discard, resp.Body)
	resp.Body.Close()
	taskID := streamMessage(t, base, "Process my data")
	getBody := `{"jsonrpc":"2.0","id":"g","method":"tasks/get","params":{"id":"` + taskID + `"}}`
	resp, err = http.Post(base, "application/json", strings.NewReader(getBody))
	if err != nil {
		t.Fatal(err)
	}
	io.Copy(io.Discard, resp.Body)
	resp.Body.Close()
	// Its card again, once the agent was seen streaming: capabilities.streaming holds.
	resp, err = http.Get(base + ".well-known/agent-card.json")
	if err != nil {
		t.Fatal(err)
	}
	io.Copy(io.Discard, resp.Body)
	resp.Body.Close()
	checksDone(t, s, 4)

	fs, err := s.Store().TaskFindings(context.Background(), taskID)
	if err != nil || len(fs) != 0 {
		t.Fatalf("findings of the built-in agent's task = %+v, %v; want none", fs, err)
	}
	if s.checker.Checked() != 4 || s.checker.Skipped() != 0 {
		t.Errorf("checked %d, skipped %d; want 4 and 0", s.checker.Checked(), s.checker.Skipped())
	}
	resp, err = http.Get(s.AdminURL() + "/metrics")
	if err != nil {
		t.Fatal(err)
	}
	metrics, _ := io.ReadAll(resp.Body)
	resp.Body.Close()
	if strings.Contains(string(metrics), "a2a_proxy_conformance_findings_total{") {
		t.Errorf("/metrics counts findings of the built-in agent:\n%s", metrics)
	}
	code, stdout, stderr := runCLI(t, "check", "--db", s.Config.DB, "--all")
	if code != 0 || !strings.Contains(stdout, "1 tasks, 2 exchanges checked: ok") {
		t.Fatalf("check --all: exit %d, want 0:\n%s%s", code, stdout, stderr)
	}
}

// Pins what the checks say of the @a2a-js/sdk peers through the proxy: its
// v1.0 server with v0.3 compatibility, driven by the SDK's own v1.0
// JSON-RPC, REST and legacy v0.3 clients (card fetches included), breaks
// no rule: nothing is stored and `check --all` exits 0.
func TestChecksJSPeers(t *testing.T) {
	nodepeer.Require(t)
	agentURL := nodepeer.StartServer(t, nodepeer.ServerOptions{Legacy: true, StepDelay: 5 * time.Millisecond})
	s := startServer(t, func(c *ServeConfig) { c.Agents = []string{"js=" + agentURL} })
	for _, transport := range []string{nodepeer.TransportJSONRPC, nodepeer.TransportREST, nodepeer.TransportLegacy} {
		res := nodepeer.RunClient(context.Background(), t, nodepeer.ClientOptions{URL: s.DataURL() + "/agents/js/", Text: "hello " + transport, Transport: transport})
		if !res.Done {
			t.Fatalf("%s client failed: %s\n%s", transport, res.Err, res.Stderr)
		}
	}
	checksDone(t, s, -1)
	if s.checker.Checked() < 6 || s.checker.Skipped() != 0 {
		t.Fatalf("checked %d exchanges, skipped %d; want a card and a stream per client", s.checker.Checked(), s.checker.Skipped())
	}
	code, stdout, stderr := runCLI(t, "check", "--db", s.Config.DB, "--all")
	t.Logf("check --all:\n%s", stdout)
	if code != 0 {
		t.Fatalf("check --all: exit %d, want 0:\n%s%s", code, stdout, stderr)
	}
	var page recorder.TaskPage
	getJSON(t, s.AdminURL()+"/api/tasks?checks=failed", &page)
	if len(page.Tasks) != 0 {
		t.Errorf("checks=failed lists %+v, want none", page.Tasks)
	}
	// The cards are checked live only (no task links them): none counted.
	resp, err := http.Get(s.AdminURL() + "/metrics")
	if err != nil {
		t.Fatal(err)
	}
	metrics, _ := io.ReadAll(resp.Body)
	resp.Body.Close()
	if strings.Contains(string(metrics), "a2a_proxy_conformance_findings_total{") {
		t.Errorf("/metrics counts findings of the SDK peers:\n%s", metrics)
	}
}

// With --live-checks=false nothing is checked as it ends (no findings are
// stored, no conformance metric is made), and `check` still finds the
// misbehaving agent's errors in the recording.
func TestLiveChecksOff(t *testing.T) {
	upstream := httptest.NewServer(badAgent{})
	defer upstream.Close()
	s := startServer(t, func(c *ServeConfig) {
		c.Agents = []string{"bad=" + upstream.URL}
		c.LiveChecks = false
	})
	postRPC(t, s.DataURL()+"/agents/bad/", "message/stream")
	flushed(t, s)
	if s.checker != nil {
		t.Fatal("a checker runs with live checks off")
	}
	var got checks.TaskChecks
	getJSON(t, s.AdminURL()+"/api/tasks/bad-stream/checks", &got)
	if len(got.Findings) != 0 {
		t.Errorf("findings stored with live checks off: %+v", got.Findings)
	}
	resp, err := http.Get(s.AdminURL() + "/metrics")
	if err != nil {
		t.Fatal(err)
	}
	metrics, _ := io.ReadAll(resp.Body)
	resp.Body.Close()
	if strings.Contains(string(metrics), "a2a_proxy_conformance_skipped_total") {
		t.Error("/metrics has the checker's metric with live checks off")
	}
	code, stdout, stderr := runCLI(t, "check", "--db", s.Config.DB, "bad-stream")
	if code != 1 || !strings.Contains(stdout, "stream.final-flag") {
		t.Errorf("check: exit %d, want 1 with stream.final-flag:\n%s%s", code, stdout, stderr)
	}
}
