package nodepeer

import (
	"context"
	"encoding/json"
	"io"
	"net/http"
	"os"
	"path/filepath"
	"strings"
	"testing"
	"time"
)

func TestDir(t *testing.T) {
	d := Dir()
	if !filepath.IsAbs(d) {
		t.Fatalf("Dir() = %q, want an absolute path", d)
	}
	for _, f := range []string{"package.json", "package-lock.json", "server.mjs", "client.mjs"} {
		if _, err := os.Stat(filepath.Join(d, f)); err != nil {
			t.Errorf("%s: %v", f, err)
		}
	}
}

// wantSequence checks the step agent's stream: task, 3 working statuses
// ("step i/3"), the processing_result artifact, completed.
func wantSequence(t *testing.T, r ClientResult, text string) {
	t.Helper()
	if r.Err != "" || !r.Done {
		t.Fatalf("client failed: done=%v err=%q", r.Done, r.Err)
	}
	evs := r.SummarizeAll(t)
	if len(evs) != 6 {
		t.Fatalf("got %d events, want 6: %+v", len(evs), evs)
	}
	taskID := evs[0].TaskID
	if evs[0].Kind != KindTask || evs[0].State != "TASK_STATE_SUBMITTED" || taskID == "" || evs[0].ContextID == "" {
		t.Errorf("event 0 = %+v, want a submitted task", evs[0])
	}
	for i := 1; i <= 3; i++ {
		want := Event{Kind: KindStatusUpdate, TaskID: taskID, ContextID: evs[0].ContextID, State: "TASK_STATE_WORKING", Text: "step " + string(rune('0'+i)) + "/3"}
		if evs[i] != want {
			t.Errorf("event %d = %+v, want %+v", i, evs[i], want)
		}
	}
	if a := evs[4]; a.Kind != KindArtifactUpdate || a.TaskID != taskID || a.ArtifactName != "processing_result" || a.Text != "processed: "+text {
		t.Errorf("event 4 = %+v, want artifact processing_result %q", a, "processed: "+text)
	}
	if c := evs[5]; c.Kind != KindStatusUpdate || c.TaskID != taskID || c.State != "TASK_STATE_COMPLETED" {
		t.Errorf("event 5 = %+v, want completed status", c)
	}
}

// wantUnary checks a blocking sendMessage result: the completed task with its artifact.
func wantUnary(t *testing.T, r ClientResult, text string) {
	t.Helper()
	if r.Err != "" || !r.Done {
		t.Fatalf("client failed: done=%v err=%q", r.Done, r.Err)
	}
	if len(r.Events) != 1 {
		t.Fatalf("got %d results, want 1", len(r.Events))
	}
	ev, err := Summarize(r.Events[0])
	if err != nil {
		t.Fatal(err)
	}
	if ev.Kind != KindTask || ev.State != "TASK_STATE_COMPLETED" {
		t.Errorf("result = %+v, want a completed task", ev)
	}
	var task struct {
		Artifacts []json.RawMessage `json:"artifacts"`
	}
	if err := json.Unmarshal(r.Events[0], &task); err != nil || len(task.Artifacts) != 1 {
		t.Fatalf("task artifacts = %d (%v), want 1", len(task.Artifacts), err)
	}
	if !strings.Contains(string(task.Artifacts[0]), "processed: "+text) {
		t.Errorf("artifact %s lacks %q", task.Artifacts[0], "processed: "+text)
	}
}

// wantFetchesTo checks that the client called only base: the card, then the service.
func wantFetchesTo(t *testing.T, r ClientResult, base string) {
	t.Helper()
	if len(r.Fetches) < 2 {
		t.Fatalf("fetches = %q, want the card fetch and at least one call", r.Fetches)
	}
	if r.Fetches[0] != "GET "+base+"/.well-known/agent-card.json" {
		t.Errorf("first fetch = %q, want the card", r.Fetches[0])
	}
	for _, u := range r.FetchURLs() {
		if !strings.HasPrefix(u, base+"/") {
			t.Errorf("fetch %q does not go to %s", u, base)
		}
	}
}

func runBoth(t *testing.T, base, transport, wantPath string) {
	t.Run(transport+"/stream", func(t *testing.T) {
		t.Parallel()
		text := "hello " + transport
		r := RunClient(context.Background(), t, ClientOptions{URL: base, Text: text, Transport: transport})
		wantSequence(t, r, text)
		wantFetchesTo(t, r, base)
		if got := r.Fetches[len(r.Fetches)-1]; got != "POST "+base+wantPath {
			t.Errorf("last fetch = %q, want POST %s%s", got, base, wantPath)
		}
	})
	t.Run(transport+"/unary", func(t *testing.T) {
		t.Parallel()
		text := "unary " + transport
		r := RunClient(context.Background(), t, ClientOptions{URL: base, Text: text, Transport: transport, Unary: true})
		wantUnary(t, r, text)
		wantFetchesTo(t, r, base)
	})
}

func TestV1Server(t *testing.T) {
	base := StartServer(t, ServerOptions{StepDelay: 5 * time.Millisecond})
	t.Run("clients", func(t *testing.T) {
		runBoth(t, base, TransportJSONRPC, "/a2a/jsonrpc")
		runBoth(t, base, TransportREST, "/a2a/rest/message:stream")
		t.Run("wire-format", func(t *testing.T) {
			t.Parallel()
			r := RunClient(context.Background(), t, ClientOptions{URL: base, Text: "w", Transport: TransportREST, Format: FormatWire})
			wantSequence(t, r, "w")
			if !strings.HasPrefix(string(r.Events[0]), `{"task":{`) {
				t.Errorf("wire event 0 = %s, want {\"task\":...}", r.Events[0])
			}
		})
		t.Run("legacy-client-refused", func(t *testing.T) {
			t.Parallel()
			r := RunClient(context.Background(), t, ClientOptions{URL: base, Text: "x", Transport: TransportLegacy})
			if r.Err == "" || r.Done || len(r.Events) != 0 {
				t.Errorf("legacy client against a v1.0-only server: done=%v err=%q events=%d, want an error", r.Done, r.Err, len(r.Events))
			}
		})
	})
}

func TestLegacyServer(t *testing.T) {
	base := StartServer(t, ServerOptions{Legacy: true, StepDelay: 5 * time.Millisecond})
	t.Run("card", func(t *testing.T) {
		// Without A2A-Version: a v0.3 card (plus supportedInterfaces); with 1.0: the v1.0 card.
		for _, tc := range []struct{ version, want string }{{"", `"protocolVersion":"0.3"`}, {"1.0", `"supportedInterfaces"`}} {
			req, _ := http.NewRequest(http.MethodGet, base+"/.well-known/agent-card.json", nil)
			if tc.version != "" {
				req.Header.Set("A2A-Version", tc.version)
			}
			resp, err := http.DefaultClient.Do(req)
			if err != nil {
				t.Fatal(err)
			}
			body, _ := io.ReadAll(resp.Body)
			resp.Body.Close()
			if !strings.Contains(string(body), tc.want) {
				t.Errorf("card for A2A-Version %q lacks %s: %s", tc.version, tc.want, body)
			}
			if tc.version == "" && !strings.Contains(string(body), `"url":"`+base+`/a2a/jsonrpc"`) {
				t.Errorf("v0.3 card url is not %s/a2a/jsonrpc: %s", base, body)
			}
			if v := resp.Header.Get("Vary"); !strings.Contains(v, "A2A-Version") {
				t.Errorf("Vary = %q, want A2A-Version", v)
			}
		}
	})
	t.Run("clients", func(t *testing.T) {
		runBoth(t, base, TransportJSONRPC, "/a2a/jsonrpc")
		runBoth(t, base, TransportREST, "/a2a/rest/message:stream")
		runBoth(t, base, TransportLegacy, "/a2a/jsonrpc")
	})
}

func TestAgentDiesMidStream(t *testing.T) {
	log := &lockedBuffer{}
	base := StartServer(t, ServerOptions{Legacy: true, Log: log})
	for _, transport := range []string{TransportJSONRPC, TransportREST, TransportLegacy} {
		r := RunClient(context.Background(), t, ClientOptions{URL: base, Text: "die", Transport: transport})
		if r.Done || r.Err == "" {
			t.Errorf("%s: done=%v err=%q, want the stream to break", transport, r.Done, r.Err)
		}
		evs := r.SummarizeAll(t)
		if len(evs) != 2 || evs[0].Kind != KindTask || evs[1].State != "TASK_STATE_WORKING" || evs[1].Text != "step 1/3" {
			t.Errorf("%s: events before the drop = %+v, want task + step 1/3", transport, evs)
		}
	}
	// The server survives and keeps serving.
	r := RunClient(context.Background(), t, ClientOptions{URL: base, Text: "after", Transport: TransportJSONRPC})
	wantSequence(t, r, "after")
	if !strings.Contains(log.String(), `"die": destroying socket`) {
		t.Errorf("server log lacks the die line:\n%s", log.String())
	}
}

func TestSummarize(t *testing.T) {
	for _, tc := range []struct {
		in   string
		want Event
	}{
		{`{"payload":{"$case":"statusUpdate","value":{"taskId":"T","contextId":"C","status":{"state":2,"message":{"parts":[{"content":{"$case":"text","value":"hi"}}]}}}}}`,
			Event{Kind: KindStatusUpdate, TaskID: "T", ContextID: "C", State: "TASK_STATE_WORKING", Text: "hi"}},
		{`{"statusUpdate":{"taskId":"T","contextId":"C","status":{"state":"TASK_STATE_COMPLETED"}}}`,
			Event{Kind: KindStatusUpdate, TaskID: "T", ContextID: "C", State: "TASK_STATE_COMPLETED"}},
		{`{"artifactUpdate":{"taskId":"T","contextId":"C","artifact":{"name":"n","parts":[{"text":"a"},{"text":"b"}]}}}`,
			Event{Kind: KindArtifactUpdate, TaskID: "T", ContextID: "C", ArtifactName: "n", Text: "a\nb"}},
		{`{"id":"T","contextId":"C","status":{"state":3},"artifacts":[]}`,
			Event{Kind: KindTask, TaskID: "T", ContextID: "C", State: "TASK_STATE_COMPLETED"}},
		{`{"messageId":"M","role":2,"parts":[{"content":{"$case":"text","value":"m"}}]}`,
			Event{Kind: KindMessage, Text: "m"}},
	} {
		got, err := Summarize(json.RawMessage(tc.in))
		if err != nil || got != tc.want {
			t.Errorf("Summarize(%s) = %+v, %v; want %+v", tc.in, got, err, tc.want)
		}
	}
	if _, err := Summarize(json.RawMessage(`{"what":1}`)); err == nil {
		t.Error("Summarize of an unknown shape: no error")
	}
}

func TestParseClientOutput(t *testing.T) {
	r := parseClientOutput("{\"a\":1}\nERROR boom: x\n", "FETCH GET http://h/.well-known/agent-card.json\nnoise\nFETCH POST http://h/a2a/jsonrpc\n")
	if r.Done || r.Err != "boom: x" || len(r.Events) != 1 {
		t.Errorf("got %+v", r)
	}
	if want := []string{"http://h/.well-known/agent-card.json", "http://h/a2a/jsonrpc"}; strings.Join(r.FetchURLs(), " ") != strings.Join(want, " ") {
		t.Errorf("FetchURLs = %q, want %q", r.FetchURLs(), want)
	}
}
