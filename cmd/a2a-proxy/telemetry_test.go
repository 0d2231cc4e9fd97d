package main

import (
	"bufio"
	"context"
	"io"
	"log/slog"
	"net/http"
	"net/http/httptest"
	"os"
	"strings"
	"testing"
	"time"

	dto "github.com/prometheus/client_model/go"
	"github.com/prometheus/common/expfmt"
	"github.com/prometheus/common/model"
	sdktrace "go.opentelemetry.io/otel/sdk/trace"
	tracenoop "go.opentelemetry.io/otel/trace/noop"
	tracepb "go.opentelemetry.io/proto/otlp/trace/v1"

	"github.com/a2aproxy/a2a-proxy/internal/a2awire"
	"github.com/a2aproxy/a2a-proxy/proxy"
)

// otelEnv unsets every OTEL_* variable the telemetry reads, then sets vars,
// for the duration of the test.
func otelEnv(t *testing.T, vars map[string]string) {
	t.Helper()
	for _, k := range []string{
		"OTEL_SDK_DISABLED", "OTEL_TRACES_EXPORTER", "OTEL_METRICS_EXPORTER",
		"OTEL_EXPORTER_OTLP_ENDPOINT", "OTEL_EXPORTER_OTLP_TRACES_ENDPOINT",
		"OTEL_EXPORTER_OTLP_PROTOCOL", "OTEL_EXPORTER_OTLP_TRACES_PROTOCOL",
		"OTEL_SERVICE_NAME", "OTEL_RESOURCE_ATTRIBUTES", "OTEL_SPAN_EVENT_COUNT_LIMIT",
	} {
		t.Setenv(k, "") // restores the variable after the test
		os.Unsetenv(k)
	}
	for k, v := range vars {
		t.Setenv(k, v)
	}
}

var discardLog = slog.New(slog.DiscardHandler)

func TestTracingIsConfiguredFromTheEnvironment(t *testing.T) {
	const endpoint = "http://127.0.0.1:4318"
	cases := []struct {
		name    string
		env     map[string]string
		traced  bool
		wantErr bool
	}{
		{name: "nothing configured"},
		{name: "OTLP endpoint", env: map[string]string{"OTEL_EXPORTER_OTLP_ENDPOINT": endpoint}, traced: true},
		{name: "OTLP traces endpoint", env: map[string]string{"OTEL_EXPORTER_OTLP_TRACES_ENDPOINT": endpoint + "/v1/traces"}, traced: true},
		{name: "OTLP over gRPC", env: map[string]string{"OTEL_EXPORTER_OTLP_ENDPOINT": "http://127.0.0.1:4317", "OTEL_EXPORTER_OTLP_PROTOCOL": "grpc"}, traced: true},
		{name: "console", env: map[string]string{"OTEL_TRACES_EXPORTER": "console"}, traced: true},
		{name: "none wins over an endpoint", env: map[string]string{"OTEL_TRACES_EXPORTER": "none", "OTEL_EXPORTER_OTLP_ENDPOINT": endpoint}},
		{name: "SDK disabled", env: map[string]string{"OTEL_SDK_DISABLED": "true", "OTEL_EXPORTER_OTLP_ENDPOINT": endpoint}},
		{name: "OTLP metrics too", env: map[string]string{"OTEL_EXPORTER_OTLP_ENDPOINT": endpoint, "OTEL_METRICS_EXPORTER": "otlp"}, traced: true},
		{name: "unknown trace exporter", env: map[string]string{"OTEL_TRACES_EXPORTER": "zipkin"}, wantErr: true},
		{name: "unknown OTLP protocol", env: map[string]string{"OTEL_EXPORTER_OTLP_ENDPOINT": endpoint, "OTEL_EXPORTER_OTLP_PROTOCOL": "http/json"}, wantErr: true},
		{name: "unknown metric exporter", env: map[string]string{"OTEL_METRICS_EXPORTER": "statsd"}, wantErr: true},
	}
	for _, c := range cases {
		t.Run(c.name, func(t *testing.T) {
			otelEnv(t, c.env)
			tel, err := newTelemetry(context.Background(), 1000, discardLog)
			if c.wantErr {
				if err == nil {
					tel.shutdown(context.Background())
					t.Fatal("accepted")
				}
				return
			}
			if err != nil {
				t.Fatal(err)
			}
			defer tel.shutdown(context.Background())
			_, isNoop := tel.tracerProvider.(tracenoop.TracerProvider)
			_, isSDK := tel.tracerProvider.(*sdktrace.TracerProvider)
			if c.traced != isSDK || c.traced == isNoop {
				t.Errorf("tracer provider %T, want traced=%v", tel.tracerProvider, c.traced)
			}
			if tel.metrics == nil {
				t.Error("no /metrics handler")
			}
		})
	}
}

func TestResourceNamesTheService(t *testing.T) {
	for _, c := range []struct {
		env  map[string]string
		want string
	}{
		{nil, "a2a-proxy"},
		{map[string]string{"OTEL_RESOURCE_ATTRIBUTES": "service.name=from-attrs,deployment.environment.name=dev"}, "from-attrs"},
		{map[string]string{"OTEL_SERVICE_NAME": "edge-proxy", "OTEL_RESOURCE_ATTRIBUTES": "service.name=from-attrs"}, "edge-proxy"},
	} {
		otelEnv(t, c.env)
		res, err := newResource(context.Background(), discardLog)
		if err != nil {
			t.Fatal(err)
		}
		got, _ := res.Set().Value("service.name")
		if got.AsString() != c.want {
			t.Errorf("env %v: service.name %q, want %q", c.env, got.AsString(), c.want)
		}
	}
}

// The SDK keeps 128 span events by default; a2a-proxy raises that to its
// own per-span limit, so a long stream's events are not cut twice.
func TestSDKKeepsTheProxysSpanEventLimit(t *testing.T) {
	recv := startOTLPReceiver(t)
	otelEnv(t, map[string]string{"OTEL_EXPORTER_OTLP_ENDPOINT": recv.URL})
	tel, err := newTelemetry(context.Background(), 500, discardLog)
	if err != nil {
		t.Fatal(err)
	}
	_, span := tel.tracerProvider.Tracer("test").Start(context.Background(), "long stream")
	for range 600 {
		span.AddEvent("a2a.event")
	}
	span.End()
	if err := tel.shutdown(context.Background()); err != nil {
		t.Fatal(err)
	}
	spans := recv.received()
	if len(spans) != 1 || len(spans[0].Events) != 500 || spans[0].DroppedEventsCount != 100 {
		t.Fatalf("received %d spans; want one with 500 events and 100 dropped", len(spans))
	}
}

// streamTask sends a message/stream call to the agent at url and returns the
// events of the response.
func streamTask(t *testing.T, url string) []a2awire.Event {
	t.Helper()
	body := `{"jsonrpc":"2.0","id":1,"method":"message/stream","params":{"message":{"kind":"message","role":"user","messageId":"m-e2e","parts":[{"kind":"text","text":"Process my data"}]}}}`
	resp, err := http.Post(url, "application/json", strings.NewReader(body))
	if err != nil {
		t.Fatal(err)
	}
	defer resp.Body.Close()
	var events []a2awire.Event
	r := bufio.NewReader(resp.Body)
	for {
		block, err := readBlock(r)
		if fields, ok := a2awire.ParseSSE([]byte(block)); ok {
			ev, perr := a2awire.ParseEvent(fields.Data)
			if perr != nil {
				t.Fatalf("event %q: %v", block, perr)
			}
			events = append(events, ev)
		}
		if err == io.EOF {
			return events
		}
		if err != nil {
			t.Fatal(err)
		}
	}
}

// The end-to-end check: a streamed task through the real OTLP/HTTP
// exporter to an OTLP receiver.
func TestStreamedTaskIsTracedToAnOTLPReceiver(t *testing.T) {
	recv := startOTLPReceiver(t)
	otelEnv(t, map[string]string{"OTEL_EXPORTER_OTLP_ENDPOINT": recv.URL, "OTEL_SERVICE_NAME": "proxy-under-test"})
	gotTraceparent := make(chan string, 1)
	plain := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		gotTraceparent <- r.Header.Get("Traceparent")
		w.Header().Set("Content-Type", "application/json")
		io.WriteString(w, `{"jsonrpc":"2.0","id":1,"result":{"kind":"task","id":"P","contextId":"PC","status":{"state":"completed"}}}`)
	}))
	defer plain.Close()
	s := startServer(t, func(c *ServeConfig) {
		c.Agents = []string{"plain=" + plain.URL}
		c.SpanEventLimit = proxy.DefaultSpanEventLimit
	})

	events := streamTask(t, s.DataURL()+"/agents/builtin/")
	if len(events) != 8 || events[0].Kind != a2awire.KindTask {
		t.Fatalf("built-in agent streamed %d events, want 8 starting with the task", len(events))
	}
	taskID, contextID := events[0].TaskID, events[0].ContextID
	resp, err := http.Post(s.DataURL()+"/agents/plain/", "application/json",
		strings.NewReader(`{"jsonrpc":"2.0","id":1,"method":"message/send","params":{"message":{"messageId":"m","parts":[]}}}`))
	if err != nil {
		t.Fatal(err)
	}
	resp.Body.Close()
	var traceparent string
	select {
	case traceparent = <-gotTraceparent:
	case <-time.After(10 * time.Second):
		t.Fatal("the plain agent was not called")
	}

	detail := recordedTask(t, s, taskID)
	ctx, cancel := context.WithTimeout(context.Background(), 10*time.Second)
	defer cancel()
	if err := s.Shutdown(ctx); err != nil { // flushes the spans
		t.Fatal(err)
	}
	spans := recv.received()

	server := findSpan(spans, func(sp receivedSpan) bool {
		return sp.Kind == tracepb.Span_SPAN_KIND_SERVER && stringAttr(sp.Attributes, "a2a.task.id") == taskID
	})
	if server == nil {
		t.Fatalf("no SERVER span with a2a.task.id=%s among %d spans", taskID, len(spans))
	}
	client := findSpan(spans, childOf(server, tracepb.Span_SPAN_KIND_CLIENT))
	if client == nil {
		t.Fatal("no CLIENT span under the SERVER span")
	}
	agent := findSpan(spans, childOf(client, tracepb.Span_SPAN_KIND_SERVER))

	if server.Name != "SendStreamingMessage" || client.Name != "SendStreamingMessage" {
		t.Errorf("span names %q, %q", server.Name, client.Name)
	}
	if server.service != "proxy-under-test" || server.scope != "github.com/a2aproxy/a2a-proxy/proxy" {
		t.Errorf("SERVER span from service %q scope %q", server.service, server.scope)
	}
	for _, sp := range []*receivedSpan{server, client} {
		if stringAttr(sp.Attributes, "gen_ai.conversation.id") != contextID || stringAttr(sp.Attributes, "a2a.task.id") != taskID {
			t.Errorf("%s span lacks the task and context ids", sp.Kind)
		}
	}
	if len(server.Events) != len(events) {
		t.Errorf("%d span events for %d SSE events", len(server.Events), len(events))
	}
	for i, ev := range server.Events {
		if ev.Name != "a2a.event" || stringAttr(ev.Attributes, "a2a.event.kind") != events[i].Kind {
			t.Errorf("span event %d: %s kind %q, want a2a.event kind %q", i, ev.Name, stringAttr(ev.Attributes, "a2a.event.kind"), events[i].Kind)
		}
	}
	if agent == nil {
		t.Error("the built-in agent's span is not a child of the proxy's CLIENT span")
	} else if string(agent.TraceId) != string(server.TraceId) || agent.Name != "builtin-agent POST" {
		t.Errorf("agent span %q in trace %s, want builtin-agent POST in %s", agent.Name, hexID(agent.TraceId), hexID(server.TraceId))
	}

	plainClient := findSpan(spans, func(sp receivedSpan) bool {
		return sp.Kind == tracepb.Span_SPAN_KIND_CLIENT && stringAttr(sp.Attributes, "gen_ai.agent.name") == "plain"
	})
	if plainClient == nil {
		t.Fatal("no CLIENT span for the call to the plain agent")
	}
	if want := "00-" + hexID(plainClient.TraceId) + "-" + hexID(plainClient.SpanId) + "-01"; traceparent != want {
		t.Errorf("agent received traceparent %q, want the proxy's CLIENT span %q", traceparent, want)
	}

	if len(detail.Exchanges) != 1 || detail.Exchanges[0].TraceID != hexID(server.TraceId) || detail.Exchanges[0].SpanID != hexID(server.SpanId) {
		t.Errorf("recorded exchanges %+v, want trace %s span %s", detail.Exchanges, hexID(server.TraceId), hexID(server.SpanId))
	}
	if detail.Task.TraceID != hexID(server.TraceId) {
		t.Errorf("task's traceId %q, want %s", detail.Task.TraceID, hexID(server.TraceId))
	}
}

func findSpan(spans []receivedSpan, match func(receivedSpan) bool) *receivedSpan {
	for i := range spans {
		if match(spans[i]) {
			return &spans[i]
		}
	}
	return nil
}

func childOf(parent *receivedSpan, kind tracepb.Span_SpanKind) func(receivedSpan) bool {
	return func(sp receivedSpan) bool {
		return sp.Kind == kind && string(sp.TraceId) == string(parent.TraceId) && string(sp.ParentSpanId) == string(parent.SpanId)
	}
}

// scrape reads the Prometheus text from h.
func scrape(t *testing.T, h http.Handler) map[string]*dto.MetricFamily {
	t.Helper()
	rec := httptest.NewRecorder()
	h.ServeHTTP(rec, httptest.NewRequest(http.MethodGet, "/metrics", nil))
	if rec.Code != http.StatusOK {
		t.Fatalf("/metrics: %d %s", rec.Code, rec.Body)
	}
	parser := expfmt.NewTextParser(model.UTF8Validation)
	families, err := parser.TextToMetricFamilies(rec.Body)
	if err != nil {
		t.Fatal(err)
	}
	return families
}

// value is the value of the series of family with these labels (a subset).
func value(families map[string]*dto.MetricFamily, family string, labels map[string]string) (float64, bool) {
	f, ok := families[family]
	if !ok {
		return 0, false
	}
series:
	for _, m := range f.Metric {
		have := map[string]string{}
		for _, l := range m.Label {
			have[l.GetName()] = l.GetValue()
		}
		for k, v := range labels {
			if have[k] != v {
				continue series
			}
		}
		switch {
		case m.Counter != nil:
			return m.Counter.GetValue(), true
		case m.Gauge != nil:
			return m.Gauge.GetValue(), true
		case m.Histogram != nil:
			return float64(m.Histogram.GetSampleCount()), true
		}
	}
	return 0, false
}

func TestMetricsAfterTraffic(t *testing.T) {
	otelEnv(t, nil)
	s := startServer(t)
	for range 2 {
		if n := len(streamTask(t, s.DataURL()+"/agents/builtin/")); n != 8 {
			t.Fatalf("streamed %d events, want 8", n)
		}
	}
	families := scrape(t, s.MetricsHandler())
	builtin := map[string]string{"gen_ai_agent_name": "builtin"}
	kind := func(k string) map[string]string {
		return map[string]string{"gen_ai_agent_name": "builtin", "a2a_event_kind": k}
	}
	for _, c := range []struct {
		family string
		labels map[string]string
		want   float64
	}{
		{"a2a_proxy_events_total", kind("task"), 2},
		{"a2a_proxy_events_total", kind("status-update"), 12},
		{"a2a_proxy_events_total", kind("artifact-update"), 2},
		{"a2a_proxy_exchanges_total", map[string]string{"gen_ai_agent_name": "builtin", "a2a_proxy_outcome": "completed"}, 2},
		{"a2a_proxy_streams_open", builtin, 0},
		{"a2a_proxy_stream_time_to_first_event_seconds", builtin, 2},
		{"a2a_proxy_stream_duration_seconds", builtin, 2},
		{"a2a_proxy_recorder_dropped_events_total", nil, 0},
		{"a2a_proxy_recorder_lost_total", map[string]string{"reason": "buffer_full"}, 0},
		{"a2a_proxy_recorder_lost_total", map[string]string{"reason": "commit_failed"}, 0},
	} {
		if got, ok := value(families, c.family, c.labels); !ok || got != c.want {
			t.Errorf("%s%v = %v (present %v), want %v", c.family, c.labels, got, ok, c.want)
		}
	}
	if _, ok := value(families, "a2a_proxy_recorder_queue_depth", nil); !ok {
		t.Error("no a2a_proxy_recorder_queue_depth")
	}
}

func TestJaegerURLMustBeAbsolute(t *testing.T) {
	for _, ok := range []string{"", "http://localhost:16686", "https://jaeger.example/ui"} {
		if err := checkJaegerURL(ok); err != nil {
			t.Errorf("%q: %v", ok, err)
		}
	}
	for _, bad := range []string{"localhost:16686", "/trace", "ftp://jaeger"} {
		if checkJaegerURL(bad) == nil {
			t.Errorf("%q accepted", bad)
		}
	}
}
