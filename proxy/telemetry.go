package proxy

import (
	"cmp"

	"go.opentelemetry.io/otel"
	metricnoop "go.opentelemetry.io/otel/metric/noop"
	"go.opentelemetry.io/otel/propagation"
	semconv "go.opentelemetry.io/otel/semconv/v1.43.0"
	"go.opentelemetry.io/otel/trace"
	tracenoop "go.opentelemetry.io/otel/trace/noop"

	"github.com/a2aproxy/a2a-proxy/internal/redact"
	"github.com/a2aproxy/a2a-proxy/recorder"
)

// instrumentationName names the proxy's tracer and meter.
const instrumentationName = "github.com/a2aproxy/a2a-proxy/proxy"

// DefaultSpanEventLimit is the default number of a2a.event span events per
// span; a longer stream's other events are only counted.
const DefaultSpanEventLimit = 1000

// telemetry is what the proxy traces and measures exchanges with.
type telemetry struct {
	tracer     trace.Tracer
	propagator propagation.TextMapPropagator
	meters     *meters
	links      *taskLinks
	eventLimit int              // span events per span; 0: none
	redactor   *redact.Redactor // for the upstream URL on CLIENT spans
}

func newTelemetry(opts Options) (*telemetry, error) {
	tp := opts.TracerProvider
	if tp == nil {
		tp = tracenoop.NewTracerProvider()
	}
	mp := opts.MeterProvider
	if mp == nil {
		mp = metricnoop.NewMeterProvider()
	}
	prop := opts.Propagator
	if prop == nil {
		prop = otel.GetTextMapPropagator()
	}
	limit := opts.SpanEventLimit
	switch {
	case limit == 0:
		limit = DefaultSpanEventLimit
	case limit < 0:
		limit = 0
	}
	m, err := newMeters(mp, opts.Agents)
	if err != nil {
		return nil, err
	}
	return &telemetry{
		tracer:     tp.Tracer(instrumentationName, trace.WithSchemaURL(semconv.SchemaURL)),
		propagator: prop,
		meters:     m,
		links:      newTaskLinks(defaultTaskLinkCapacity),
		eventLimit: limit,
		redactor:   cmp.Or(opts.Redactor, redact.Default()),
	}, nil
}

// observeEvent reports one event of the exchange to the metrics and the
// SERVER span. The tee calls it after the client already has the event's
// bytes, and before the recorder owns ev.
func (ex *exchange) observeEvent(ev *recorder.Event, streaming bool) {
	ex.tel.meters.event(ex.agent.Name, eventKind(ev))
	if streaming && ev.Seq == 0 {
		ex.tel.meters.firstEvent(ex.agent.Name, ev.Offset)
	}
	ex.spans.event(ev)
}

// observeEnd reports how the exchange ended to the metrics and ends its spans.
func (ex *exchange) observeEnd(end *recorder.ExchangeEnd) {
	ex.tel.meters.exchangeDone(ex.agent.Name, end.Outcome)
	if end.Streaming {
		ex.tel.meters.streamClosed(ex.agent.Name, end.EndedAt.Sub(ex.start))
	}
	ex.spans.end(ex, end)
}
