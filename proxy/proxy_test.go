package proxy

import (
	"bufio"
	"bytes"
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"net/http"
	"net/http/httptest"
	"strings"
	"sync/atomic"
	"testing"
	"time"

	"github.com/a2aproxy/a2a-proxy/recorder"
)

const streamRequest = `{"jsonrpc":"2.0","id":1,"method":"message/stream","params":{"message":{"kind":"message","role":"user","messageId":"m1","parts":[{"kind":"text","text":"hi"}]}}}`

// a2aEvents are v0.3 events framed as a2a-go frames them.
var a2aEvents = []string{
	"id: 1\ndata: {\"jsonrpc\":\"2.0\",\"id\":1,\"result\":{\"kind\":\"task\",\"id\":\"T\",\"contextId\":\"C\",\"status\":{\"state\":\"submitted\"}}}\n\n",
	"id: 2\ndata: {\"jsonrpc\":\"2.0\",\"id\":1,\"result\":{\"kind\":\"status-update\",\"taskId\":\"T\",\"contextId\":\"C\",\"status\":{\"state\":\"working\"},\"final\":false}}\n\n",
	"id: 3\ndata: {\"jsonrpc\":\"2.0\",\"id\":1,\"result\":{\"kind\":\"artifact-update\",\"taskId\":\"T\",\"contextId\":\"C\",\"artifact\":{\"artifactId\":\"A\",\"parts\":[]}}}\n\n",
	"id: 4\ndata: {\"jsonrpc\":\"2.0\",\"id\":1,\"result\":{\"kind\":\"status-update\",\"taskId\":\"T\",\"contextId\":\"C\",\"status\":{\"state\":\"completed\"},\"final\":true}}\n\n",
}

// waitTimeout bounds waits for things that must happen; reaching it is a failure, not a pace.
const waitTimeout = 10 * time.Second

// startProxy serves a proxy in front of one upstream handler.
func startProxy(t *testing.T, upstream http.Handler, mutate ...func(*Options)) (*httptest.Server, *memRecorder, *Proxy) {
	t.Helper()
	up := httptest.NewServer(upstream)
	t.Cleanup(up.Close)
	agent, err := NewAgent("test", up.URL)
	if err != nil {
		t.Fatal(err)
	}
	rec := newMemRecorder()
	opts := Options{Agents: []Agent{agent}, Recorder: rec}
	for _, m := range mutate {
		m(&opts)
	}
	p, err := New(opts)
	if err != nil {
		t.Fatal(err)
	}
	srv := httptest.NewServer(p)
	t.Cleanup(srv.Close)
	return srv, rec, p
}

func sseHeaders(w http.ResponseWriter) {
	w.Header().Set("Content-Type", "text/event-stream")
	w.WriteHeader(http.StatusOK)
	w.(http.Flusher).Flush()
}

func postStream(t *testing.T, ctx context.Context, url string) *http.Response {
	t.Helper()
	req, _ := http.NewRequestWithContext(ctx, http.MethodPost, url, strings.NewReader(streamRequest))
	req.Header.Set("Content-Type", "application/json")
	resp, err := http.DefaultClient.Do(req)
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { resp.Body.Close() })
	return resp
}

// readEvent reads one SSE block (up to and including its blank line).
func readEvent(r *bufio.Reader) (string, error) {
	var b strings.Builder
	for {
		line, err := r.ReadString('\n')
		b.WriteString(line)
		if err != nil {
			return b.String(), err
		}
		if line == "\n" {
			return b.String(), nil
		}
	}
}

func within[T any](t *testing.T, ch <-chan T, what string) T {
	t.Helper()
	select {
	case v := <-ch:
		return v
	case <-time.After(waitTimeout):
		t.Fatalf("timed out waiting for %s", what)
		panic("unreachable")
	}
}

func TestStreamPassesThroughAndFlushesEachEvent(t *testing.T) {
	next := make(chan struct{})
	srv, rec, _ := startProxy(t, http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		sseHeaders(w)
		for _, ev := range a2aEvents {
			// The next event is sent only once the client has read this one:
			// the test passes only if every event is flushed as it comes.
			<-next
			io.WriteString(w, ev)
			w.(http.Flusher).Flush()
		}
	}))

	resp := postStream(t, context.Background(), srv.URL+"/")
	if ct := resp.Header.Get("Content-Type"); ct != "text/event-stream" {
		t.Fatalf("Content-Type %q", ct)
	}
	r := bufio.NewReader(resp.Body)
	var received strings.Builder
	for i, want := range a2aEvents {
		next <- struct{}{}
		got, err := readEvent(r)
		if err != nil || got != want {
			t.Fatalf("event %d: %q (%v), want %q", i, got, err, want)
		}
		received.WriteString(got)
	}
	if rest, _ := io.ReadAll(r); len(rest) != 0 {
		t.Fatalf("extra bytes after the last event: %q", rest)
	}

	end, evs := rec.waitEnd(t)
	if end.Outcome != recorder.OutcomeCompleted || !end.Streaming || end.EventCount != 4 || end.Status != 200 {
		t.Fatalf("end = %+v", end)
	}
	if got := string(joinRaw(evs)); got != received.String() {
		t.Fatalf("recorded bytes differ from the client's:\n%q\n%q", got, received.String())
	}
	wantKinds := []string{"task/submitted", "status-update/working", "artifact-update/", "status-update/completed"}
	for i, ev := range evs {
		if got := ev.Kind + "/" + ev.State; got != wantKinds[i] || ev.TaskID != "T" || ev.ContextID != "C" || ev.Seq != i {
			t.Errorf("event %d: %+v", i, ev)
		}
	}
	if !evs[3].Final || evs[2].ArtifactID != "A" {
		t.Errorf("final/artifact not extracted: %+v %+v", evs[3], evs[2])
	}
	ex := rec.exchange(end.ExchangeID)
	if ex.Method != "message/stream" || ex.ProtocolVersion != "0.3" || ex.Binding != "jsonrpc" || ex.RPCID != "1" || ex.Agent != "test" {
		t.Errorf("exchange = %+v", ex)
	}
	if string(ex.RequestBody) != streamRequest {
		t.Errorf("request body %q", ex.RequestBody)
	}
}

func TestClientDisconnectCancelsUpstream(t *testing.T) {
	upstreamCancelled := make(chan struct{})
	srv, rec, _ := startProxy(t, http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		sseHeaders(w)
		io.WriteString(w, a2aEvents[0])
		w.(http.Flusher).Flush()
		<-r.Context().Done()
		close(upstreamCancelled)
	}))
	ctx, cancel := context.WithCancel(context.Background())
	resp := postStream(t, ctx, srv.URL)
	if got, err := readEvent(bufio.NewReader(resp.Body)); err != nil || got != a2aEvents[0] {
		t.Fatalf("first event %q %v", got, err)
	}
	cancel()
	within(t, upstreamCancelled, "the upstream request to be cancelled")
	end, evs := rec.waitEnd(t)
	if end.Outcome != recorder.OutcomeClientClosed {
		t.Fatalf("outcome %q, want client_closed", end.Outcome)
	}
	if len(evs) != 1 || string(evs[0].Raw) != a2aEvents[0] {
		t.Fatalf("the event received before the client left is lost: %+v", evs)
	}
}

func TestUpstreamDiesMidStream(t *testing.T) {
	srv, rec, _ := startProxy(t, http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		sseHeaders(w)
		io.WriteString(w, a2aEvents[0])
		w.(http.Flusher).Flush()
		panic(http.ErrAbortHandler) // the agent process dies: the connection is cut
	}))
	resp := postStream(t, context.Background(), srv.URL)
	body, err := io.ReadAll(resp.Body)
	// The client must see a broken stream, not a clean end it could take for success.
	if err == nil || errors.Is(err, io.EOF) {
		t.Fatalf("client read the cut stream as a clean end (err %v)", err)
	}
	if string(body) != a2aEvents[0] {
		t.Fatalf("client got %q", body)
	}
	end, evs := rec.waitEnd(t)
	if end.Outcome != recorder.OutcomeUpstreamError || end.Error == "" {
		t.Fatalf("end = %+v, want upstream_error", end)
	}
	if len(evs) != 1 {
		t.Fatalf("recorded %d events, want the 1 received", len(evs))
	}
}

func TestUnreachableAgent(t *testing.T) {
	dead := httptest.NewServer(http.NotFoundHandler())
	deadURL := dead.URL
	dead.Close()
	agent, _ := NewAgent("gone", deadURL)
	rec := newMemRecorder()
	p, _ := New(Options{Agents: []Agent{agent}, Recorder: rec})
	srv := httptest.NewServer(p)
	defer srv.Close()

	resp, err := http.Post(srv.URL, "application/json",
		strings.NewReader(`{"jsonrpc":"2.0","id":"req-42","method":"message/send","params":{}}`))
	if err != nil {
		t.Fatal(err)
	}
	defer resp.Body.Close()
	var body struct {
		ID    string `json:"id"`
		Error struct {
			Code    int    `json:"code"`
			Message string `json:"message"`
		} `json:"error"`
	}
	if err := json.NewDecoder(resp.Body).Decode(&body); err != nil {
		t.Fatal(err)
	}
	if resp.StatusCode != http.StatusBadGateway || body.ID != "req-42" || body.Error.Code != codeInternalError {
		t.Fatalf("status %d body %+v", resp.StatusCode, body)
	}
	if strings.Contains(body.Error.Message, deadURL) {
		t.Errorf("error leaks the upstream address: %q", body.Error.Message)
	}
	end, _ := rec.waitEnd(t)
	if end.Outcome != recorder.OutcomeUpstreamUnreachable || end.Status != http.StatusBadGateway {
		t.Fatalf("end = %+v", end)
	}
}

func TestMalformedStreamPassesThroughAndIsFlagged(t *testing.T) {
	stream := []string{
		"data: not json\n\n",
		"garbage line\n\n",
		": keep-alive\n\n" + a2aEvents[1],
		"data: {\"unterminated\"",
	}
	srv, rec, _ := startProxy(t, http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		sseHeaders(w)
		io.WriteString(w, strings.Join(stream, ""))
	}))
	resp := postStream(t, context.Background(), srv.URL)
	body, err := io.ReadAll(resp.Body)
	if err != nil || string(body) != strings.Join(stream, "") {
		t.Fatalf("client got %q (%v)", body, err)
	}
	end, evs := rec.waitEnd(t)
	if end.Outcome != recorder.OutcomeCompleted || len(evs) != 4 {
		t.Fatalf("end %+v, %d events", end, len(evs))
	}
	wantFlags := []string{recorder.FlagNonJSON, recorder.FlagMalformedSSE, "", recorder.FlagIncomplete}
	for i, ev := range evs {
		if string(ev.Raw) != stream[i] || ev.Flag != wantFlags[i] {
			t.Errorf("event %d: raw %q flag %q, want %q flag %q", i, ev.Raw, ev.Flag, stream[i], wantFlags[i])
		}
	}
	if evs[2].Kind != "status-update" {
		t.Errorf("keep-alive hid the event after it: %+v", evs[2])
	}
}

// TestBodyTooLarge pins the 413 for a body over the limit, and that what is
// recorded of it is flagged truncated: a limit under the 1 KiB kept of
// refused bodies keeps what was read.
func TestBodyTooLarge(t *testing.T) {
	var hit atomic.Bool
	srv, rec, _ := startProxy(t, http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) { hit.Store(true) }),
		func(o *Options) { o.MaxBodyBytes = 100 })
	resp, err := http.Post(srv.URL, "application/json", bytes.NewReader(bytes.Repeat([]byte("x"), 4096)))
	if err != nil {
		t.Fatal(err)
	}
	body, _ := io.ReadAll(resp.Body)
	resp.Body.Close()
	if resp.StatusCode != http.StatusRequestEntityTooLarge || !strings.Contains(string(body), `"code":-32600`) {
		t.Fatalf("status %d body %s", resp.StatusCode, body)
	}
	end, _ := rec.waitEnd(t)
	if hit.Load() || end.Outcome != recorder.OutcomeRejected {
		t.Fatalf("upstream hit %v, end %+v", hit.Load(), end)
	}
	if ex := rec.exchange(end.ExchangeID); len(ex.RequestBody) != 100 || !ex.RequestBodyTruncated {
		t.Errorf("recorded %d bytes of the body, truncated %v; want 100, true", len(ex.RequestBody), ex.RequestBodyTruncated)
	}
}

func TestHeadersForwardedAndCredentialsRedacted(t *testing.T) {
	got := make(chan http.Header, 1)
	srv, rec, _ := startProxy(t, http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		got <- r.Header.Clone()
		w.Header().Set("Content-Type", "application/json")
		io.WriteString(w, `{"jsonrpc":"2.0","id":1,"result":{"kind":"task","id":"T","contextId":"C","status":{"state":"completed"}}}`)
	}))
	req, _ := http.NewRequest(http.MethodPost, srv.URL, strings.NewReader(`{"jsonrpc":"2.0","id":1,"method":"SendMessage","params":{}}`))
	forwarded := map[string]string{
		"A2A-Version":      "1.0",
		"A2A-Extensions":   "urn:x",
		"X-A2A-Extensions": "urn:y",
		"Authorization":    "Bearer s3cret",
		"Traceparent":      "00-0af7651916cd43dd8448eb211c80319c-b7ad6b7169203331-01",
		"X-Api-Key":        "k3y",
	}
	for k, v := range forwarded {
		req.Header.Set(k, v)
	}
	resp, err := http.DefaultClient.Do(req)
	if err != nil {
		t.Fatal(err)
	}
	resp.Body.Close()
	h := within(t, got, "the upstream request")
	for k, v := range forwarded {
		if h.Get(k) != v {
			t.Errorf("upstream got %s=%q, want %q", k, h.Get(k), v)
		}
	}
	end, evs := rec.waitEnd(t)
	ex := rec.exchange(end.ExchangeID)
	stored := ex.RequestHeaders
	if stored.Get("Authorization") != Redacted || stored.Get("X-Api-Key") != Redacted || stored.Get("A2A-Version") != "1.0" {
		t.Errorf("stored headers %v", stored)
	}
	if ex.Method != "SendMessage" || ex.ProtocolVersion != "1.0" {
		t.Errorf("exchange %+v", ex)
	}
	if len(evs) != 1 || evs[0].Kind != "task" || evs[0].State != "completed" || evs[0].TaskID != "T" {
		t.Errorf("unary response not recorded as one event: %+v", evs)
	}
}

func TestOnlyConfiguredAgentsAreReached(t *testing.T) {
	srv, _, _ := startProxy(t, http.NotFoundHandler())
	resp, err := http.Post(srv.URL+"/agents/elsewhere/", "application/json", strings.NewReader(streamRequest))
	if err != nil {
		t.Fatal(err)
	}
	body, _ := io.ReadAll(resp.Body)
	resp.Body.Close()
	if resp.StatusCode != http.StatusNotFound || !strings.Contains(string(body), "elsewhere") {
		t.Fatalf("status %d body %s", resp.StatusCode, body)
	}
}

// Events of exactly one copy buffer, and events spanning many buffers
// (the buffer is small, so that idle streams are cheap), reach the client
// and the recording whole.
func TestEventsOfOneAndManyBufferSizes(t *testing.T) {
	for _, size := range []int{copyBufferSize, 64*copyBufferSize + 1} {
		t.Run(fmt.Sprint(size), func(t *testing.T) {
			prefix, suffix := `data: {"jsonrpc":"2.0","id":1,"result":{"kind":"message","messageId":"`, "\"}}\n\n"
			ev := prefix + strings.Repeat("x", size-len(prefix)-len(suffix)) + suffix
			srv, rec, _ := startProxy(t, http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
				sseHeaders(w)
				io.WriteString(w, ev+ev)
			}))
			resp := postStream(t, context.Background(), srv.URL)
			body, _ := io.ReadAll(resp.Body)
			if string(body) != ev+ev {
				t.Fatalf("client got %d bytes, want %d", len(body), 2*len(ev))
			}
			_, evs := rec.waitEnd(t)
			if len(evs) != 2 || string(evs[0].Raw) != ev || string(evs[1].Raw) != ev || evs[0].Kind != "message" {
				t.Fatalf("recorded %d events", len(evs))
			}
		})
	}
}

func TestDroppedEventsAreCountedNotBlocking(t *testing.T) {
	srv, rec, _ := startProxy(t, http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		sseHeaders(w)
		io.WriteString(w, strings.Join(a2aEvents, ""))
	}))
	rec.RecordEventFn = func(ev *recorder.Event) bool { return ev.Seq != 1 } // a full queue
	resp := postStream(t, context.Background(), srv.URL)
	body, _ := io.ReadAll(resp.Body)
	if string(body) != strings.Join(a2aEvents, "") {
		t.Fatal("a dropped recording changed what the client got")
	}
	end, evs := rec.waitEnd(t)
	if end.DroppedEvents != 1 || end.EventCount != 4 || len(evs) != 3 {
		t.Fatalf("end %+v, %d events recorded", end, len(evs))
	}
}

func TestAbortCutsOpenStreams(t *testing.T) {
	srv, rec, p := startProxy(t, http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		sseHeaders(w)
		io.WriteString(w, a2aEvents[0])
		w.(http.Flusher).Flush()
		<-r.Context().Done() // an agent that never ends its stream
	}))
	resp := postStream(t, context.Background(), srv.URL)
	r := bufio.NewReader(resp.Body)
	if _, err := readEvent(r); err != nil {
		t.Fatal(err)
	}
	aborted := make(chan struct{})
	go func() { p.Abort(); close(aborted) }()
	if _, err := io.ReadAll(r); err == nil {
		t.Error("a stream cut by shutdown read as a clean end")
	}
	within(t, aborted, "Abort to return")
	end, evs := rec.waitEnd(t)
	if end.Outcome != recorder.OutcomeShutdown || len(evs) != 1 {
		t.Fatalf("end %+v, %d events", end, len(evs))
	}
}

func TestParseAgent(t *testing.T) {
	for _, bad := range []string{"noequals", "=http://x", "a=ftp://x", "a b=http://x", "a=/relative"} {
		if _, err := ParseAgent(bad); err == nil {
			t.Errorf("ParseAgent(%q) accepted", bad)
		}
	}
	a, err := ParseAgent("travel=http://127.0.0.1:9000/a2a/")
	if err != nil || a.Name != "travel" || a.URL.String() != "http://127.0.0.1:9000/a2a" {
		t.Fatalf("%+v %v", a, err)
	}
}
