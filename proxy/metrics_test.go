package proxy

import (
	"context"
	"io"
	"net/http"
	"strings"
	"testing"

	"go.opentelemetry.io/otel/attribute"
	sdkmetric "go.opentelemetry.io/otel/sdk/metric"
	"go.opentelemetry.io/otel/sdk/metric/metricdata"
)

// collect returns the proxy's metrics: name -> attribute set -> value (the
// sum for counters, the count for histograms).
func collect(t *testing.T, r *sdkmetric.ManualReader) map[string]map[attribute.Distinct]int64 {
	t.Helper()
	var rm metricdata.ResourceMetrics
	if err := r.Collect(context.Background(), &rm); err != nil {
		t.Fatal(err)
	}
	out := map[string]map[attribute.Distinct]int64{}
	for _, sm := range rm.ScopeMetrics {
		for _, m := range sm.Metrics {
			points := map[attribute.Distinct]int64{}
			switch data := m.Data.(type) {
			case metricdata.Sum[int64]:
				for _, p := range data.DataPoints {
					points[p.Attributes.Equivalent()] = p.Value
				}
			case metricdata.Histogram[float64]:
				for _, p := range data.DataPoints {
					points[p.Attributes.Equivalent()] = int64(p.Count)
				}
			}
			out[m.Name] = points
		}
	}
	return out
}

func set(kvs ...attribute.KeyValue) attribute.Distinct {
	s := attribute.NewSet(kvs...)
	return s.Equivalent()
}

func TestMetricsCountStreamsEventsAndOutcomes(t *testing.T) {
	reader := sdkmetric.NewManualReader()
	mp := sdkmetric.NewMeterProvider(sdkmetric.WithReader(reader))
	srv, rec, _ := startProxy(t, http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		sseHeaders(w)
		io.WriteString(w, strings.Join(a2aEvents, "")+"data: not json\n\n")
	}), func(o *Options) { o.MeterProvider = mp })
	for range 2 {
		call(t, http.MethodPost, srv.URL, streamRequest, "")
		rec.waitEnd(t)
	}

	got := collect(t, reader)
	agent := keyAgentName.String("test")
	kind := func(k string) attribute.Distinct { return set(agent, keyEventKind.String(k)) }
	checks := []struct {
		metric string
		attrs  attribute.Distinct
		want   int64
	}{
		{metricEvents, kind("task"), 2},
		{metricEvents, kind("status-update"), 4},
		{metricEvents, kind("artifact-update"), 2},
		{metricEvents, kind(kindUnknown), 2},
		{metricExchanges, set(agent, keyOutcome.String("completed")), 2},
		{metricOpenStreams, set(agent), 0},
		{metricTimeToFirstEvent, set(agent), 2},
		{metricStreamDuration, set(agent), 2},
	}
	for _, c := range checks {
		if v, ok := got[c.metric][c.attrs]; !ok || v != c.want {
			t.Errorf("%s%v = %d (present %v), want %d", c.metric, c.attrs, v, ok, c.want)
		}
	}
}
