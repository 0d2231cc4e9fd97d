package proxy

import (
	"context"
	"io"
	"net/http"
	"strings"
	"testing"

	"go.opentelemetry.io/otel/attribute"
	"go.opentelemetry.io/otel/codes"
	"go.opentelemetry.io/otel/propagation"
	sdktrace "go.opentelemetry.io/otel/sdk/trace"
	"go.opentelemetry.io/otel/sdk/trace/tracetest"
	"go.opentelemetry.io/otel/trace"

	"github.com/a2aproxy/a2a-proxy/recorder"
)

// clientTraceparent is the trace context a traced client sends.
const (
	clientTraceID     = "0af7651916cd43dd8448eb211c80319c"
	clientSpanID      = "b7ad6b7169203331"
	clientTraceparent = "00-" + clientTraceID + "-" + clientSpanID + "-01"
)

// startTracedProxy is startProxy with a tracer whose spans land in the
// returned recorder.
func startTracedProxy(t *testing.T, upstream http.Handler, mutate ...func(*Options)) (string, *memRecorder, *tracetest.SpanRecorder) {
	t.Helper()
	spans := tracetest.NewSpanRecorder()
	tp := sdktrace.NewTracerProvider(sdktrace.WithSpanProcessor(spans))
	t.Cleanup(func() { tp.Shutdown(context.Background()) })
	traced := func(o *Options) {
		o.TracerProvider = tp
		o.Propagator = propagation.NewCompositeTextMapPropagator(propagation.TraceContext{}, propagation.Baggage{})
	}
	srv, rec, _ := startProxy(t, upstream, append([]func(*Options){traced}, mutate...)...)
	return srv.URL, rec, spans
}

// call sends body to the proxy, optionally with a traceparent, and reads the
// whole response.
func call(t *testing.T, method, url, body, traceparent string) {
	t.Helper()
	req, _ := http.NewRequest(method, url, strings.NewReader(body))
	req.Header.Set("Content-Type", "application/json")
	if traceparent != "" {
		req.Header.Set("Traceparent", traceparent)
	}
	resp, err := http.DefaultClient.Do(req)
	if err != nil {
		t.Fatal(err)
	}
	io.Copy(io.Discard, resp.Body)
	resp.Body.Close()
}

// exchangeSpansOf returns the SERVER and CLIENT span of the nth exchange
// (0-based) that ended.
func exchangeSpansOf(t *testing.T, rec *tracetest.SpanRecorder, n int) (server, client sdktrace.ReadOnlySpan) {
	t.Helper()
	var servers, clients []sdktrace.ReadOnlySpan
	for _, s := range rec.Ended() {
		switch s.SpanKind() {
		case trace.SpanKindServer:
			servers = append(servers, s)
		case trace.SpanKindClient:
			clients = append(clients, s)
		}
	}
	if len(servers) <= n || len(clients) < len(servers)-1 {
		t.Fatalf("ended spans: %d server, %d client; want exchange %d", len(servers), len(clients), n)
	}
	server = servers[n]
	for _, c := range clients {
		if c.Parent().SpanID() == server.SpanContext().SpanID() {
			client = c
		}
	}
	return server, client
}

func attrs(kvs []attribute.KeyValue) map[attribute.Key]attribute.Value {
	m := make(map[attribute.Key]attribute.Value, len(kvs))
	for _, kv := range kvs {
		m[kv.Key] = kv.Value
	}
	return m
}

// wantAttrs fails for each key whose value (as emitted) differs from want's.
func wantAttrs(t *testing.T, span string, got []attribute.KeyValue, want map[attribute.Key]string) {
	t.Helper()
	m := attrs(got)
	for k, v := range want {
		if g, ok := m[k]; !ok || g.Emit() != v {
			t.Errorf("%s span: %s = %q (present %v), want %q", span, k, g.Emit(), ok, v)
		}
	}
}

func TestStreamIsTracedServerToClient(t *testing.T) {
	gotTraceparent := make(chan string, 1)
	url, rec, spans := startTracedProxy(t, http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		gotTraceparent <- r.Header.Get("Traceparent")
		sseHeaders(w)
		io.WriteString(w, strings.Join(a2aEvents, ""))
	}))
	call(t, http.MethodPost, url, streamRequest, clientTraceparent)
	end, evs := rec.waitEnd(t)
	server, client := exchangeSpansOf(t, spans, 0)

	if server.Name() != "SendStreamingMessage" || client == nil || client.Name() != "SendStreamingMessage" {
		t.Fatalf("spans %q / %v, want SendStreamingMessage for both", server.Name(), client)
	}
	if server.Parent().TraceID().String() != clientTraceID || server.Parent().SpanID().String() != clientSpanID || !server.Parent().IsRemote() {
		t.Errorf("SERVER span does not continue the client's trace: parent %v", server.Parent())
	}
	if client.SpanContext().TraceID() != server.SpanContext().TraceID() {
		t.Errorf("CLIENT span in another trace")
	}
	wantUpstream := "00-" + clientTraceID + "-" + client.SpanContext().SpanID().String() + "-01"
	if got := within(t, gotTraceparent, "the upstream request"); got != wantUpstream {
		t.Errorf("agent got traceparent %q, want the CLIENT span's %q", got, wantUpstream)
	}

	wantAttrs(t, "SERVER", server.Attributes(), map[attribute.Key]string{
		"a2a.task.id":               "T",
		"a2a.task.state":            "TASK_STATE_COMPLETED",
		"a2a.message.id":            "m1",
		"a2a.protocol.version":      "0.3",
		"gen_ai.conversation.id":    "C",
		"gen_ai.agent.name":         "test",
		"rpc.method":                "message/stream",
		"rpc.system.name":           "jsonrpc",
		"jsonrpc.request.id":        "1",
		"http.request.method":       "POST",
		"http.response.status_code": "200",
		"url.path":                  "/",
		"a2a_proxy.exchange.id":     end.ExchangeID,
		"a2a_proxy.outcome":         "completed",
		"a2a_proxy.event.count":     "4",
	})
	wantAttrs(t, "CLIENT", client.Attributes(), map[attribute.Key]string{
		"a2a.task.id":               "T",
		"gen_ai.conversation.id":    "C",
		"a2a.task.state":            "TASK_STATE_COMPLETED",
		"rpc.method":                "message/stream",
		"http.response.status_code": "200",
		"server.address":            "127.0.0.1",
	})
	if _, hasErr := attrs(server.Attributes())["error.type"]; hasErr || server.Status().Code == codes.Error {
		t.Errorf("a completed stream is marked failed: %v", server.Status())
	}

	events := server.Events()
	if len(events) != len(evs) {
		t.Fatalf("%d span events for %d SSE events", len(events), len(evs))
	}
	wantEvents := []map[attribute.Key]string{
		{"a2a.event.kind": "task", "a2a.task.state": "TASK_STATE_SUBMITTED"},
		{"a2a.event.kind": "status-update", "a2a.task.state": "TASK_STATE_WORKING"},
		{"a2a.event.kind": "artifact-update", "a2a.artifact.id": "A"},
		{"a2a.event.kind": "status-update", "a2a.task.state": "TASK_STATE_COMPLETED", "a2a.event.final": "true"},
	}
	for i, ev := range events {
		want := wantEvents[i]
		want["a2a.event.sequence_number"] = itoa(i)
		want["a2a.event.size"] = itoa(len(evs[i].Raw))
		if ev.Name != "a2a.event" || !ev.Time.Equal(evs[i].At) {
			t.Errorf("span event %d: %q at %v, want a2a.event at %v", i, ev.Name, ev.Time, evs[i].At)
		}
		wantAttrs(t, "event "+itoa(i), ev.Attributes, want)
	}

	ex := rec.exchange(end.ExchangeID)
	if ex.TraceID != server.SpanContext().TraceID().String() || ex.SpanID != server.SpanContext().SpanID().String() {
		t.Errorf("recorded trace %s/%s, want the SERVER span's %s/%s", ex.TraceID, ex.SpanID, server.SpanContext().TraceID(), server.SpanContext().SpanID())
	}
}

func TestSpanNamesAreV1Methods(t *testing.T) {
	cases := []struct {
		name, httpMethod, path, body string
		wantSpan, wantRPCMethod      string
	}{
		{"v0.3 JSON-RPC", "POST", "/", `{"jsonrpc":"2.0","id":"a","method":"tasks/get","params":{"id":"T"}}`, "GetTask", "tasks/get"},
		{"v1.0 JSON-RPC", "POST", "/", `{"jsonrpc":"2.0","id":2,"method":"CancelTask","params":{"id":"T"}}`, "CancelTask", "CancelTask"},
		{"REST", "POST", "/v1/message:send", `{"message":{"messageId":"m"}}`, "SendMessage", "SendMessage"},
		{"unknown JSON-RPC method", "POST", "/", `{"jsonrpc":"2.0","id":3,"method":"x-custom/thing"}`, "POST", "x-custom/thing"},
		{"agent card", "GET", "/.well-known/agent-card.json", "", "GET /.well-known/agent-card.json", ""},
	}
	for _, c := range cases {
		t.Run(c.name, func(t *testing.T) {
			url, rec, spans := startTracedProxy(t, http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
				w.Header().Set("Content-Type", "application/json")
				io.WriteString(w, `{"url":"http://elsewhere/"}`)
			}))
			call(t, c.httpMethod, url+c.path, c.body, "")
			rec.waitEnd(t)
			server, client := exchangeSpansOf(t, spans, 0)
			if server.Name() != c.wantSpan || client.Name() != c.wantSpan {
				t.Errorf("spans %q/%q, want %q", server.Name(), client.Name(), c.wantSpan)
			}
			if got := attrs(server.Attributes())["rpc.method"].AsString(); got != c.wantRPCMethod {
				t.Errorf("rpc.method %q, want %q", got, c.wantRPCMethod)
			}
		})
	}
}

func TestSpanEventsAreCapped(t *testing.T) {
	url, rec, spans := startTracedProxy(t, http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		sseHeaders(w)
		io.WriteString(w, strings.Join(a2aEvents, ""))
	}), func(o *Options) { o.SpanEventLimit = 3 })
	call(t, http.MethodPost, url, streamRequest, "")
	rec.waitEnd(t)
	server, _ := exchangeSpansOf(t, spans, 0)
	if n := len(server.Events()); n != 3 {
		t.Errorf("%d span events, want the limit of 3", n)
	}
	wantAttrs(t, "SERVER", server.Attributes(), map[attribute.Key]string{
		"a2a_proxy.event.omitted": "1",
		"a2a_proxy.event.count":   "4",
		"a2a.task.state":          "TASK_STATE_COMPLETED", // learned from the omitted event too
	})
}

func TestLaterExchangesOfATaskLinkToTheFirst(t *testing.T) {
	url, rec, spans := startTracedProxy(t, http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		body, _ := io.ReadAll(r.Body)
		if strings.Contains(string(body), "stream") {
			sseHeaders(w)
			io.WriteString(w, strings.Join(a2aEvents, ""))
			return
		}
		w.Header().Set("Content-Type", "application/json")
		io.WriteString(w, `{"jsonrpc":"2.0","id":1,"result":{"kind":"task","id":"T","contextId":"C","status":{"state":"completed"}}}`)
	}))
	call(t, http.MethodPost, url, streamRequest, "") // learns task T mid-stream
	rec.waitEnd(t)
	later := []string{
		`{"jsonrpc":"2.0","id":2,"method":"tasks/get","params":{"id":"T"}}`,
		`{"jsonrpc":"2.0","id":3,"method":"tasks/resubscribe","params":{"id":"T"}}`,
		`{"jsonrpc":"2.0","id":4,"method":"message/send","params":{"message":{"messageId":"m2","taskId":"T","contextId":"C","parts":[]}}}`,
		`{"jsonrpc":"2.0","id":5,"method":"message/send","params":{"message":{"messageId":"m3","parts":[]}}}`, // learns T from the answer
	}
	for _, body := range later {
		call(t, http.MethodPost, url, body, "")
		rec.waitEnd(t)
	}

	first, _ := exchangeSpansOf(t, spans, 0)
	if n := len(first.Links()); n != 0 {
		t.Errorf("the first exchange of a task has %d links", n)
	}
	for i := range later {
		span, _ := exchangeSpansOf(t, spans, i+1)
		links := span.Links()
		if len(links) != 1 || !links[0].SpanContext.Equal(first.SpanContext()) {
			t.Errorf("%s (exchange %d): links %+v, want one to the first exchange", span.Name(), i+1, links)
			continue
		}
		wantAttrs(t, "link", links[0].Attributes, map[attribute.Key]string{"a2a.task.id": "T"})
	}
}

func TestStreamOfSeveralTasksSaysSo(t *testing.T) {
	stream := a2aEvents[0] +
		"data: {\"jsonrpc\":\"2.0\",\"id\":1,\"result\":{\"kind\":\"task\",\"id\":\"U\",\"contextId\":\"C\",\"status\":{\"state\":\"failed\"}}}\n\n" +
		a2aEvents[3]
	url, rec, spans := startTracedProxy(t, http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		sseHeaders(w)
		io.WriteString(w, stream)
	}))
	call(t, http.MethodPost, url, streamRequest, "")
	rec.waitEnd(t)
	server, _ := exchangeSpansOf(t, spans, 0)
	m := attrs(server.Attributes())
	if got := m["a2a.task.ids"].AsStringSlice(); len(got) != 2 || got[0] != "T" || got[1] != "U" {
		t.Errorf("a2a.task.ids = %v, want [T U]", got)
	}
	if m["a2a.task.id"].AsString() != "T" || m["a2a.task.state"].AsString() != "TASK_STATE_COMPLETED" {
		t.Errorf("the span's task is %v in %v, want T, completed (U's state is not T's)", m["a2a.task.id"], m["a2a.task.state"])
	}
	wantAttrs(t, "event 1", server.Events()[1].Attributes, map[attribute.Key]string{"a2a.task.id": "U"})
}

func TestFailuresSetErrorType(t *testing.T) {
	t.Run("unreachable agent", func(t *testing.T) {
		url, rec, spans := startTracedProxy(t, http.NotFoundHandler(), func(o *Options) {
			dead, _ := NewAgent("test", "http://127.0.0.1:1")
			o.Agents = []Agent{dead}
		})
		call(t, http.MethodPost, url, streamRequest, "")
		rec.waitEnd(t)
		server, client := exchangeSpansOf(t, spans, 0)
		for _, s := range []sdktrace.ReadOnlySpan{server, client} {
			wantAttrs(t, s.SpanKind().String(), s.Attributes(), map[attribute.Key]string{"error.type": recorder.OutcomeUpstreamUnreachable})
			if s.Status().Code != codes.Error {
				t.Errorf("%s span status %v", s.SpanKind(), s.Status())
			}
		}
		if _, ok := attrs(client.Attributes())["http.response.status_code"]; ok {
			t.Error("CLIENT span has a status code though the agent never answered")
		}
	})
	t.Run("JSON-RPC error event", func(t *testing.T) {
		url, rec, spans := startTracedProxy(t, http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
			sseHeaders(w)
			io.WriteString(w, "data: {\"jsonrpc\":\"2.0\",\"id\":1,\"error\":{\"code\":-32001,\"message\":\"task not found\"}}\n\n")
		}))
		call(t, http.MethodPost, url, streamRequest, "")
		rec.waitEnd(t)
		server, client := exchangeSpansOf(t, spans, 0)
		for _, s := range []sdktrace.ReadOnlySpan{server, client} {
			wantAttrs(t, s.SpanKind().String(), s.Attributes(), map[attribute.Key]string{
				"error.type": "-32001", "rpc.response.status_code": "-32001",
			})
		}
	})
}

func TestErrorType(t *testing.T) {
	cases := []struct {
		outcome, rpcCode  string
		status, minStatus int
		want              string
	}{
		{recorder.OutcomeCompleted, "", 200, 500, ""},
		{recorder.OutcomeClientClosed, "", 200, 500, ""},
		{recorder.OutcomeRejected, "", 413, 500, ""},
		{recorder.OutcomeRejected, "", 413, 400, "413"},
		{recorder.OutcomeCompleted, "", 503, 500, "503"},
		{recorder.OutcomeCompleted, "-32602", 200, 500, "-32602"},
		{recorder.OutcomeUpstreamError, "-32602", 200, 500, recorder.OutcomeUpstreamError},
		{recorder.OutcomeShutdown, "", 0, 500, recorder.OutcomeShutdown},
	}
	for _, c := range cases {
		if got := errorType(c.outcome, c.rpcCode, c.status, c.minStatus); got != c.want {
			t.Errorf("errorType(%q, %q, %d, %d) = %q, want %q", c.outcome, c.rpcCode, c.status, c.minStatus, got, c.want)
		}
	}
}

// Without a tracer the proxy makes no span of its own: the agent gets the
// client's traceparent, and the exchange keeps the client's trace id.
func TestWithoutTracerTraceContextPassesThrough(t *testing.T) {
	got := make(chan string, 1)
	srv, rec, _ := startProxy(t, http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		got <- r.Header.Get("Traceparent")
		sseHeaders(w)
		io.WriteString(w, a2aEvents[0])
	}), func(o *Options) { o.Propagator = propagation.TraceContext{} })
	call(t, http.MethodPost, srv.URL, streamRequest, clientTraceparent)
	if tp := within(t, got, "the upstream request"); tp != clientTraceparent {
		t.Errorf("agent got traceparent %q, want the client's %q", tp, clientTraceparent)
	}
	end, _ := rec.waitEnd(t)
	if ex := rec.exchange(end.ExchangeID); ex.TraceID != clientTraceID || ex.SpanID != "" {
		t.Errorf("recorded trace %q span %q, want the client's trace and no span", ex.TraceID, ex.SpanID)
	}
}

// A trace sampled out costs no attribute and leaves no trace id to link to;
// the agent still learns it is not sampled.
func TestSampledOutExchangeIsNotRecorded(t *testing.T) {
	got := make(chan string, 1)
	spans := tracetest.NewSpanRecorder()
	tp := sdktrace.NewTracerProvider(sdktrace.WithSampler(sdktrace.NeverSample()), sdktrace.WithSpanProcessor(spans))
	srv, rec, _ := startProxy(t, http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		got <- r.Header.Get("Traceparent")
		sseHeaders(w)
		io.WriteString(w, a2aEvents[0])
	}), func(o *Options) {
		o.TracerProvider = tp
		o.Propagator = propagation.TraceContext{}
	})
	call(t, http.MethodPost, srv.URL, streamRequest, "")
	if tp := within(t, got, "the upstream request"); !strings.HasSuffix(tp, "-00") {
		t.Errorf("agent got traceparent %q, want an unsampled one", tp)
	}
	end, _ := rec.waitEnd(t)
	if ex := rec.exchange(end.ExchangeID); ex.TraceID != "" || ex.SpanID != "" {
		t.Errorf("recorded trace %q span %q for a trace nobody exports", ex.TraceID, ex.SpanID)
	}
	if n := len(spans.Ended()); n != 0 {
		t.Errorf("%d spans recorded", n)
	}
}

func itoa(i int) string { return attribute.IntValue(i).Emit() }
