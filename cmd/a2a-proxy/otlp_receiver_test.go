package main

import (
	"compress/gzip"
	"encoding/hex"
	"io"
	"net/http"
	"net/http/httptest"
	"sync"
	"testing"

	coltracepb "go.opentelemetry.io/proto/otlp/collector/trace/v1"
	commonpb "go.opentelemetry.io/proto/otlp/common/v1"
	tracepb "go.opentelemetry.io/proto/otlp/trace/v1"
	"google.golang.org/protobuf/proto"
)

// otlpReceiver is an OTLP/HTTP trace receiver, as a collector or Jaeger
// runs one, that keeps every span it is sent.
type otlpReceiver struct {
	URL string

	mu    sync.Mutex
	spans []receivedSpan
}

// receivedSpan is a span with the resource that sent it.
type receivedSpan struct {
	*tracepb.Span
	service string // the resource's service.name
	scope   string
}

func startOTLPReceiver(t *testing.T) *otlpReceiver {
	t.Helper()
	recv := &otlpReceiver{}
	srv := httptest.NewServer(http.HandlerFunc(recv.serveTraces))
	t.Cleanup(srv.Close)
	recv.URL = srv.URL
	return recv
}

func (recv *otlpReceiver) serveTraces(w http.ResponseWriter, r *http.Request) {
	if r.URL.Path != "/v1/traces" || r.Header.Get("Content-Type") != "application/x-protobuf" {
		http.Error(w, "want protobuf at /v1/traces", http.StatusUnsupportedMediaType)
		return
	}
	var body io.Reader = r.Body
	if r.Header.Get("Content-Encoding") == "gzip" {
		gz, err := gzip.NewReader(r.Body)
		if err != nil {
			http.Error(w, err.Error(), http.StatusBadRequest)
			return
		}
		body = gz
	}
	raw, err := io.ReadAll(body)
	var req coltracepb.ExportTraceServiceRequest
	if err == nil {
		err = proto.Unmarshal(raw, &req)
	}
	if err != nil {
		http.Error(w, err.Error(), http.StatusBadRequest)
		return
	}
	recv.mu.Lock()
	for _, rs := range req.ResourceSpans {
		service := stringAttr(rs.GetResource().GetAttributes(), "service.name")
		for _, ss := range rs.ScopeSpans {
			for _, s := range ss.Spans {
				recv.spans = append(recv.spans, receivedSpan{Span: s, service: service, scope: ss.GetScope().GetName()})
			}
		}
	}
	recv.mu.Unlock()
	resp, _ := proto.Marshal(&coltracepb.ExportTraceServiceResponse{})
	w.Header().Set("Content-Type", "application/x-protobuf")
	w.Write(resp)
}

// received returns the spans received so far.
func (recv *otlpReceiver) received() []receivedSpan {
	recv.mu.Lock()
	defer recv.mu.Unlock()
	return append([]receivedSpan(nil), recv.spans...)
}

func stringAttr(kvs []*commonpb.KeyValue, key string) string {
	for _, kv := range kvs {
		if kv.Key == key {
			return kv.GetValue().GetStringValue()
		}
	}
	return ""
}

func hexID(id []byte) string { return hex.EncodeToString(id) }
