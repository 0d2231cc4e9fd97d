package streamclient

import (
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"log/slog"
	"net/http"
	"net/http/httptest"
	"regexp"
	"slices"
	"strings"
	"testing"
	"time"

	builtinagent "github.com/a2aproxy/a2a-proxy/builtin-agent"
	"github.com/a2aproxy/a2a-proxy/internal/a2awire"
)

func newClient(t *testing.T, version string) *Client {
	t.Helper()
	c, err := New(Options{Version: version})
	if err != nil {
		t.Fatal(err)
	}
	return c
}

// collect runs a stream to its end.
func collect(t *testing.T, ctx context.Context, c *Client, ep Endpoint, text string) []Event {
	t.Helper()
	var events []Event
	for ev, err := range c.Stream(ctx, ep, text) {
		if err != nil {
			t.Fatalf("stream: %v", err)
		}
		events = append(events, ev)
	}
	return events
}

// withoutData blanks what a test compares separately.
func withoutData(events []Event) []Event {
	out := slices.Clone(events)
	for i := range out {
		out[i].Data, out[i].TaskID, out[i].ContextID, out[i].ArtifactID = "", "", "", ""
	}
	return out
}

func startBuiltinAgent(t *testing.T) string {
	t.Helper()
	srv := httptest.NewUnstartedServer(nil)
	url := "http://" + srv.Listener.Addr().String() + "/"
	srv.Config.Handler = builtinagent.NewHandler(builtinagent.Options{
		URL:       url,
		StepDelay: time.Millisecond,
		Logger:    slog.New(slog.DiscardHandler),
	})
	srv.Start()
	t.Cleanup(srv.Close)
	return url
}

func TestStreamBuiltinAgentV03(t *testing.T) {
	ctx, cancel := context.WithTimeout(t.Context(), 10*time.Second)
	defer cancel()
	baseURL := startBuiltinAgent(t)
	c := newClient(t, "")

	ep, err := c.Discover(ctx, baseURL)
	if err != nil {
		t.Fatalf("discover: %v", err)
	}
	if want := (Endpoint{Agent: "Basic Streaming Agent", URL: baseURL, Version: a2awire.V03}); ep != want {
		t.Fatalf("endpoint %+v, want %+v", ep, want)
	}

	events := collect(t, ctx, c, ep, "Process my data")
	if len(events) != 8 {
		t.Fatalf("got %d events, want 8: %+v", len(events), events)
	}
	artifactText := events[6].Text
	events[6].Text = ""
	want := []Event{
		{Fields: a2awire.Fields{Kind: "task", State: "submitted"}},
		{Fields: a2awire.Fields{Kind: "status-update", State: "working"}},
		{Fields: a2awire.Fields{Kind: "status-update", State: "working", Text: "🚀 Initializing... (1/4)"}},
		{Fields: a2awire.Fields{Kind: "status-update", State: "working", Text: "📊 Processing your request... (2/4)"}},
		{Fields: a2awire.Fields{Kind: "status-update", State: "working", Text: "🔍 Analyzing data... (3/4)"}},
		{Fields: a2awire.Fields{Kind: "status-update", State: "working", Text: "📝 Generating response... (4/4)"}},
		{Fields: a2awire.Fields{Kind: "artifact-update"}, ArtifactName: "processing_result", LastChunk: true},
		{Fields: a2awire.Fields{Kind: "status-update", State: "completed", Final: true}},
	}
	if got := withoutData(events); !slices.Equal(got, want) {
		t.Errorf("events:\n got %+v\nwant %+v", got, want)
	}
	if re := regexp.MustCompile(`^✅ Completed processing: 'Process my data'\n\nProcessed at: [\d.]+$`); !re.MatchString(artifactText) {
		t.Errorf("artifact text %q does not match %v", artifactText, re)
	}
	for _, ev := range events {
		if ev.TaskID != events[0].TaskID || ev.ContextID != events[0].ContextID || ev.TaskID == "" {
			t.Errorf("event %s has task %q context %q, want %q %q", ev.Kind, ev.TaskID, ev.ContextID, events[0].TaskID, events[0].ContextID)
		}
		if !strings.HasPrefix(ev.Data, `{"jsonrpc":"2.0"`) {
			t.Errorf("data %q is not the JSON-RPC response", ev.Data)
		}
	}
}

// v1Events are what a v1.0 agent streams for one message.
var v1Events = []string{
	`{"task":{"id":"t1","contextId":"c1","status":{"state":"TASK_STATE_SUBMITTED"}}}`,
	`{"statusUpdate":{"taskId":"t1","contextId":"c1","status":{"state":"TASK_STATE_WORKING","message":{"role":"ROLE_AGENT","messageId":"m1","parts":[{"text":"step 1"}]}}}}`,
	`{"artifactUpdate":{"taskId":"t1","contextId":"c1","artifact":{"artifactId":"a1","name":"result","parts":[{"text":"done: hi"}]},"lastChunk":true}}`,
	`{"statusUpdate":{"taskId":"t1","contextId":"c1","status":{"state":"TASK_STATE_COMPLETED"}}}`,
}

// v1Agent is a hand-written v1.0 JSON-RPC agent that checks what it is sent
// and streams v1Events.
func v1Agent(t *testing.T) *httptest.Server {
	mux := http.NewServeMux()
	mux.HandleFunc("GET /.well-known/agent-card.json", func(w http.ResponseWriter, r *http.Request) {
		if v := r.Header.Get("A2A-Version"); v != "1.0" {
			t.Errorf("card fetched with A2A-Version %q, want 1.0", v)
		}
		fmt.Fprintf(w, `{"name":"v1 agent","supportedInterfaces":[
			{"url":"http://%[1]s/rest","protocolBinding":"HTTP+JSON","protocolVersion":"1.0"},
			{"url":"http://%[1]s/rpc","protocolBinding":"JSONRPC","protocolVersion":"1.0"}]}`, r.Host)
	})
	mux.HandleFunc("POST /rpc", func(w http.ResponseWriter, r *http.Request) {
		if v := r.Header.Get("A2A-Version"); v != "1.0" {
			t.Errorf("message sent with A2A-Version %q, want 1.0", v)
		}
		var req struct {
			ID     json.RawMessage `json:"id"`
			Method string          `json:"method"`
			Params struct {
				Message map[string]any `json:"message"`
			} `json:"params"`
		}
		if err := json.NewDecoder(r.Body).Decode(&req); err != nil {
			t.Errorf("decode request: %v", err)
		}
		msg, _ := json.Marshal(req.Params.Message)
		if req.Method != "SendStreamingMessage" || !regexp.MustCompile(`^{"messageId":"[-0-9a-f]{36}","parts":\[{"text":"hi"}\],"role":"ROLE_USER"}$`).Match(msg) {
			t.Errorf("request %s %s, want a v1.0 SendStreamingMessage", req.Method, msg)
		}

		w.Header().Set("Content-Type", "text/event-stream")
		fmt.Fprint(w, ": keep-alive\n\n")
		for _, ev := range v1Events {
			fmt.Fprintf(w, "data: {\"jsonrpc\":\"2.0\",\"id\":%s,\"result\":%s}\n\n", req.ID, ev)
			w.(http.Flusher).Flush()
		}
	})
	srv := httptest.NewServer(mux)
	t.Cleanup(srv.Close)
	return srv
}

func TestStreamV10(t *testing.T) {
	ctx, cancel := context.WithTimeout(t.Context(), 10*time.Second)
	defer cancel()
	srv := v1Agent(t)
	c := newClient(t, "")

	ep, err := c.Discover(ctx, srv.URL)
	if err != nil {
		t.Fatalf("discover: %v", err)
	}
	if want := (Endpoint{Agent: "v1 agent", URL: srv.URL + "/rpc", Version: a2awire.V10}); ep != want {
		t.Fatalf("endpoint %+v, want %+v", ep, want)
	}

	events := collect(t, ctx, c, ep, "hi")
	want := []Event{
		{Fields: a2awire.Fields{Kind: "task", TaskID: "t1", ContextID: "c1", State: "submitted"}},
		{Fields: a2awire.Fields{Kind: "status-update", TaskID: "t1", ContextID: "c1", State: "working", Text: "step 1"}},
		{Fields: a2awire.Fields{Kind: "artifact-update", TaskID: "t1", ContextID: "c1", Text: "done: hi", ArtifactID: "a1"}, ArtifactName: "result", LastChunk: true},
		{Fields: a2awire.Fields{Kind: "status-update", TaskID: "t1", ContextID: "c1", State: "completed"}},
	}
	if len(events) != len(want) {
		t.Fatalf("got %d events, want %d: %+v", len(events), len(want), events)
	}
	for i := range events {
		if !strings.HasSuffix(events[i].Data, `"result":`+v1Events[i]+`}`) {
			t.Errorf("event %d data %s, want the response around %s", i, events[i].Data, v1Events[i])
		}
		events[i].Data = ""
	}
	if !slices.Equal(events, want) {
		t.Errorf("events:\n got %+v\nwant %+v", events, want)
	}
}

func TestEndpoint(t *testing.T) {
	// jsCard is what @a2a-js/sdk 1.x with v0.3 compatibility serves to a
	// request without A2A-Version: a v0.3 card that also lists v1.0.
	const jsCard = `{"name":"js","url":"http://a/v03","preferredTransport":"JSONRPC","supportedInterfaces":[
		{"url":"http://a/v1","protocolBinding":"JSONRPC","protocolVersion":"1.0"},
		{"url":"http://a/v03","protocolBinding":"JSONRPC","protocolVersion":"0.3"}]}`
	tests := []struct {
		name, card, version  string
		wantURL, wantVersion string
	}{
		{"v0.3 card", `{"url":"http://a/"}`, "", "http://a/", "0.3"},
		{"v0.3 card, forced 1.0", `{"url":"http://a/"}`, "1.0", "http://a/", "1.0"},
		{"v0.3 card, grpc preferred", `{"url":"grpc://a","preferredTransport":"GRPC","additionalInterfaces":[{"url":"http://a/rpc","transport":"JSONRPC"}]}`, "", "http://a/rpc", "0.3"},
		{"js card", jsCard, "", "http://a/v1", "1.0"},
		{"js card, forced 0.3", jsCard, "0.3", "http://a/v03", "0.3"},
		{"v1.0 card", `{"supportedInterfaces":[{"url":"http://a/v1","protocolBinding":"JSONRPC","protocolVersion":"1.0.1"}]}`, "", "http://a/v1", "1.0"},
		{"v1.0 card, forced 0.3", `{"supportedInterfaces":[{"url":"http://a/v1","protocolBinding":"JSONRPC","protocolVersion":"1.0"}]}`, "0.3", "http://a/v1", "0.3"},
		{"v1.0 card, rest only", `{"supportedInterfaces":[{"url":"http://a/v1","protocolBinding":"HTTP+JSON","protocolVersion":"1.0"}]}`, "", "", "0.3"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			var card agentCard
			if err := json.Unmarshal([]byte(tt.card), &card); err != nil {
				t.Fatal(err)
			}
			ep, ok := card.endpoint(tt.version)
			if ep.URL != tt.wantURL || ep.Version != tt.wantVersion || ok != (tt.wantURL != "") {
				t.Errorf("endpoint(%q) = %+v, %v; want %s %s", tt.version, ep, ok, tt.wantURL, tt.wantVersion)
			}
		})
	}
}

func TestCardURL(t *testing.T) {
	tests := map[string]string{
		"http://a":                                 "http://a/.well-known/agent-card.json",
		"http://a/agents/x/":                       "http://a/agents/x/.well-known/agent-card.json",
		"https://a/custom/card.json":               "https://a/custom/card.json",
		"http://a/agents/x/.well-known/agent.json": "http://a/agents/x/.well-known/agent.json",
	}
	for in, want := range tests {
		if got, err := cardURL(in); got != want || err != nil {
			t.Errorf("cardURL(%q) = %q, %v; want %q", in, got, err, want)
		}
	}
	if _, err := cardURL("localhost:8080"); err == nil {
		t.Error("cardURL without a scheme: want an error")
	}
}

func TestDecodeEventArtifact(t *testing.T) {
	docs := map[string]string{
		"v0.3 JSON-RPC": `{"jsonrpc":"2.0","id":1,"result":{"kind":"artifact-update","taskId":"t","contextId":"c","artifact":{"artifactId":"a","name":"n","parts":[{"kind":"text","text":"x"}]},"lastChunk":true}}`,
		"v0.3 REST":     `{"artifactUpdate":{"taskId":"t","contextId":"c","artifact":{"artifactId":"a","name":"n","parts":[{"text":"x"}]},"lastChunk":true}}`,
		"v1.0 JSON-RPC": `{"jsonrpc":"2.0","id":1,"result":{"artifactUpdate":{"taskId":"t","contextId":"c","artifact":{"artifactId":"a","name":"n","parts":[{"text":"x"}]},"lastChunk":true}}}`,
	}
	want := Event{Fields: a2awire.Fields{Kind: "artifact-update", TaskID: "t", ContextID: "c", Text: "x", ArtifactID: "a"}, ArtifactName: "n", LastChunk: true}
	for name, doc := range docs {
		got := DecodeEvent(doc)
		got.Data = ""
		if got != want {
			t.Errorf("%s: got %+v, want %+v", name, got, want)
		}
	}
	if got := DecodeEvent("not json"); got != (Event{Data: "not json"}) {
		t.Errorf("non-JSON: got %+v, want only Data", got)
	}
}

func TestAgentErrors(t *testing.T) {
	const rpcError = `{"jsonrpc":"2.0","id":"1","error":{"code":-32009,"message":"version not supported"}}`
	tests := []struct {
		name    string
		respond func(w http.ResponseWriter)
	}{
		{"JSON instead of a stream", func(w http.ResponseWriter) {
			w.Header().Set("Content-Type", "application/json")
			fmt.Fprint(w, rpcError)
		}},
		{"JSON-RPC error in the stream", func(w http.ResponseWriter) {
			w.Header().Set("Content-Type", "text/event-stream")
			fmt.Fprintf(w, "data: %s\n\n", rpcError)
		}},
		{"SSE error event", func(w http.ResponseWriter) {
			w.Header().Set("Content-Type", "text/event-stream")
			fmt.Fprintf(w, "event: error\ndata: %s\n\n", rpcError)
		}},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			srv := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, _ *http.Request) { tt.respond(w) }))
			defer srv.Close()

			events := collect(t, t.Context(), newClient(t, ""), Endpoint{URL: srv.URL, Version: a2awire.V03}, "hi")
			want := &RPCError{Code: -32009, Message: "version not supported"}
			if len(events) != 1 || events[0].Kind != "error" || events[0].Err == nil || *events[0].Err != *want {
				t.Fatalf("events %+v, want one error event %v", events, want)
			}
			if got := events[0].Err.Error(); got != "agent error -32009: version not supported" {
				t.Errorf("message %q", got)
			}
		})
	}
}

func TestHTTPErrors(t *testing.T) {
	srv := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, _ *http.Request) {
		http.Error(w, "no such agent", http.StatusNotFound)
	}))
	defer srv.Close()
	c := newClient(t, "")

	_, err := c.Discover(t.Context(), srv.URL)
	var httpErr *HTTPError
	if !errors.As(err, &httpErr) || httpErr.StatusCode != http.StatusNotFound {
		t.Fatalf("discover: got %v, want an HTTP 404 error", err)
	}
	if want := fmt.Sprintf("fetch card: GET %s/.well-known/agent-card.json: 404 Not Found: no such agent", srv.URL); err.Error() != want {
		t.Errorf("message %q, want %q", err, want)
	}

	var streamErr error
	for _, err := range c.Stream(t.Context(), Endpoint{URL: srv.URL, Version: a2awire.V03}, "hi") {
		streamErr = err
	}
	if !errors.As(streamErr, &httpErr) || httpErr.Method != http.MethodPost {
		t.Errorf("stream: got %v, want an HTTP error for the POST", streamErr)
	}
}

func TestNewRejectsUnknownVersion(t *testing.T) {
	if _, err := New(Options{Version: "2"}); err == nil {
		t.Error("want an error")
	}
}
