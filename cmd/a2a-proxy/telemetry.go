package main

import (
	"context"
	"errors"
	"fmt"
	"log/slog"
	"net/http"
	"net/url"
	"os"
	"strings"
	"sync"
	"time"

	"github.com/prometheus/client_golang/prometheus"
	"github.com/prometheus/client_golang/prometheus/promhttp"
	"go.opentelemetry.io/contrib/exporters/autoexport"
	"go.opentelemetry.io/contrib/instrumentation/net/http/otelhttp"
	"go.opentelemetry.io/otel/attribute"
	otelprometheus "go.opentelemetry.io/otel/exporters/prometheus"
	"go.opentelemetry.io/otel/metric"
	"go.opentelemetry.io/otel/propagation"
	sdkmetric "go.opentelemetry.io/otel/sdk/metric"
	"go.opentelemetry.io/otel/sdk/resource"
	sdktrace "go.opentelemetry.io/otel/sdk/trace"
	semconv "go.opentelemetry.io/otel/semconv/v1.43.0"
	"go.opentelemetry.io/otel/trace"
	tracenoop "go.opentelemetry.io/otel/trace/noop"

	"github.com/a2aproxy/a2a-proxy/recorder"
)

// defaultServiceName is service.name unless OTEL_SERVICE_NAME or
// OTEL_RESOURCE_ATTRIBUTES say otherwise.
const defaultServiceName = "a2a-proxy"

// instrumentationName names the meter of the metrics this package reports.
const instrumentationName = "github.com/a2aproxy/a2a-proxy/cmd/a2a-proxy"

// telemetry is the process's OpenTelemetry, built from the standard OTEL_*
// environment: one TracerProvider, one MeterProvider, the propagator, and the
// Prometheus handler for the admin plane's /metrics.
type telemetry struct {
	// tracerProvider is a no-op one unless a trace exporter is configured,
	// so that tracing nobody asked for costs next to nothing.
	tracerProvider trace.TracerProvider
	meterProvider  *sdkmetric.MeterProvider
	propagator     propagation.TextMapPropagator
	metrics        http.Handler

	shutdownOnce sync.Once
	shutdownErr  error
	closers      []func(context.Context) error // ForceFlush then Shutdown, each
}

// newPropagator is the propagator for W3C trace context and baggage.
func newPropagator() propagation.TextMapPropagator {
	return propagation.NewCompositeTextMapPropagator(propagation.TraceContext{}, propagation.Baggage{})
}

// newTelemetry reads the OTEL_* environment. spanEventLimit is the proxy's
// per-span event cap, which the SDK's own limit (128 by default) must not
// undercut.
func newTelemetry(ctx context.Context, spanEventLimit int, log *slog.Logger) (_ *telemetry, err error) {
	t := &telemetry{propagator: newPropagator()}
	defer func() {
		if err != nil {
			t.shutdown(ctx)
		}
	}()
	res, err := newResource(ctx, log)
	if err != nil {
		return nil, err
	}
	if err := t.startTracing(ctx, res, spanEventLimit); err != nil {
		return nil, err
	}
	if err := t.startMetrics(ctx, res); err != nil {
		return nil, err
	}
	return t, nil
}

// newResource describes the process: service.name a2a-proxy by default, then
// OTEL_RESOURCE_ATTRIBUTES and OTEL_SERVICE_NAME, which win.
func newResource(ctx context.Context, log *slog.Logger) (*resource.Resource, error) {
	res, err := resource.New(ctx,
		resource.WithSchemaURL(semconv.SchemaURL),
		resource.WithAttributes(semconv.ServiceName(defaultServiceName)),
		resource.WithTelemetrySDK(),
		resource.WithFromEnv(),
	)
	if errors.Is(err, resource.ErrPartialResource) {
		log.Warn("OTEL_RESOURCE_ATTRIBUTES partly unreadable; using the rest", "err", err)
		err = nil
	}
	if err != nil {
		return nil, fmt.Errorf("otel resource: %w", err)
	}
	return res, nil
}

// tracingConfigured reports whether the environment asks for spans to be
// exported: OTEL_TRACES_EXPORTER other than "none", or else an OTLP endpoint.
func tracingConfigured() bool {
	if sdkDisabled() {
		return false
	}
	switch os.Getenv("OTEL_TRACES_EXPORTER") {
	case "none":
		return false
	case "":
		return os.Getenv("OTEL_EXPORTER_OTLP_ENDPOINT") != "" || os.Getenv("OTEL_EXPORTER_OTLP_TRACES_ENDPOINT") != ""
	}
	return true
}

// sdkDisabled reports OTEL_SDK_DISABLED=true: no exporter at all.
func sdkDisabled() bool {
	return strings.EqualFold(strings.TrimSpace(os.Getenv("OTEL_SDK_DISABLED")), "true")
}

// startTracing builds the TracerProvider: OTEL_TRACES_EXPORTER (otlp,
// console), OTEL_EXPORTER_OTLP_* (endpoint, protocol grpc or http/protobuf,
// headers), OTEL_TRACES_SAMPLER and OTEL_BSP_* are read by autoexport and
// the SDK.
func (t *telemetry) startTracing(ctx context.Context, res *resource.Resource, spanEventLimit int) error {
	if !tracingConfigured() {
		t.tracerProvider = tracenoop.NewTracerProvider()
		return nil
	}
	exporter, err := autoexport.NewSpanExporter(ctx)
	if err != nil {
		return fmt.Errorf("trace exporter: %w", err)
	}
	limits := sdktrace.NewSpanLimits()
	if _, set := os.LookupEnv("OTEL_SPAN_EVENT_COUNT_LIMIT"); !set {
		limits.EventCountLimit = max(limits.EventCountLimit, spanEventLimit)
	}
	tp := sdktrace.NewTracerProvider(
		sdktrace.WithBatcher(exporter),
		sdktrace.WithResource(res),
		sdktrace.WithSpanLimits(limits),
	)
	t.tracerProvider = tp
	t.closers = append(t.closers, flushThenShutdown(tp))
	return nil
}

// startMetrics builds the MeterProvider. Its Prometheus reader always serves
// /metrics; OTEL_METRICS_EXPORTER=otlp or console adds a push exporter.
func (t *telemetry) startMetrics(ctx context.Context, res *resource.Resource) error {
	registry := prometheus.NewRegistry()
	promReader, err := otelprometheus.New(otelprometheus.WithRegisterer(registry))
	if err != nil {
		return fmt.Errorf("prometheus exporter: %w", err)
	}
	opts := []sdkmetric.Option{sdkmetric.WithResource(res), sdkmetric.WithReader(promReader)}
	push, err := pushMetricReader(ctx)
	if err != nil {
		return err
	}
	if push != nil {
		opts = append(opts, sdkmetric.WithReader(push))
	}
	t.meterProvider = sdkmetric.NewMeterProvider(opts...)
	t.closers = append(t.closers, flushThenShutdown(t.meterProvider))
	t.metrics = promhttp.HandlerFor(registry, promhttp.HandlerOpts{})
	return nil
}

// pushMetricReader is the reader OTEL_METRICS_EXPORTER asks for on top of
// the /metrics endpoint: otlp or console. Unset, prometheus (/metrics is
// that) and none ask for nothing more.
func pushMetricReader(ctx context.Context) (sdkmetric.Reader, error) {
	if sdkDisabled() {
		return nil, nil
	}
	switch name := os.Getenv("OTEL_METRICS_EXPORTER"); name {
	case "", "none", "prometheus":
		return nil, nil
	case "otlp", "console":
		r, err := autoexport.NewMetricReader(ctx)
		if err != nil {
			return nil, fmt.Errorf("metric exporter: %w", err)
		}
		return r, nil
	default:
		return nil, fmt.Errorf("OTEL_METRICS_EXPORTER=%q: want otlp, console, prometheus or none", name)
	}
}

// observeRecorder reports the recorder's queue depth, dropped events and
// lost items, read from its counters at each collection.
func (t *telemetry) observeRecorder(store *recorder.Recorder) error {
	meter := t.meterProvider.Meter(instrumentationName)
	queued, errQueued := meter.Int64ObservableGauge("a2a_proxy.recorder.queue_depth",
		metric.WithUnit("{item}"), metric.WithDescription("exchange starts, events and exchange ends waiting for the recorder's writer"))
	dropped, errDropped := meter.Int64ObservableCounter("a2a_proxy.recorder.dropped_events",
		metric.WithUnit("{event}"), metric.WithDescription("events the recorder refused: its queue was full (drop mode) or it was closed"))
	// a2a_proxy_recorder_lost_total{reason} on /metrics.
	lost, errLost := meter.Int64ObservableCounter("a2a_proxy.recorder.lost",
		metric.WithUnit("{item}"), metric.WithDescription("exchange starts, events and exchange ends the recorder did not store, by reason"))
	if err := errors.Join(errQueued, errDropped, errLost); err != nil {
		return fmt.Errorf("recorder metrics: %w", err)
	}
	_, err := meter.RegisterCallback(func(_ context.Context, o metric.Observer) error {
		st := store.Stats()
		o.ObserveInt64(queued, int64(st.Queued))
		o.ObserveInt64(dropped, int64(st.DroppedEvents))
		for _, reason := range recorder.LossReasons() { // zeros included: a series exists before the first loss
			o.ObserveInt64(lost, int64(st.Lost[reason]), metric.WithAttributes(attribute.String("reason", string(reason))))
		}
		return nil
	}, queued, dropped, lost)
	if err != nil {
		return fmt.Errorf("recorder metrics: %w", err)
	}
	return nil
}

// traceHandler gives each request to h a SERVER span, continuing the trace
// context the request carries (the proxy's CLIENT span, for the built-in
// agent).
func (t *telemetry) traceHandler(h http.Handler, name string) http.Handler {
	return otelhttp.NewHandler(h, name,
		otelhttp.WithTracerProvider(t.tracerProvider),
		otelhttp.WithMeterProvider(t.meterProvider),
		otelhttp.WithPropagators(t.propagator),
		otelhttp.WithSpanNameFormatter(func(operation string, r *http.Request) string { return operation + " " + r.Method }),
	)
}

// shutdown exports what is still buffered and stops the providers, once.
func (t *telemetry) shutdown(ctx context.Context) error {
	t.shutdownOnce.Do(func() {
		var errs []error
		for _, closeFn := range t.closers {
			errs = append(errs, closeFn(ctx))
		}
		t.shutdownErr = errors.Join(errs...)
	})
	return t.shutdownErr
}

type provider interface {
	ForceFlush(context.Context) error
	Shutdown(context.Context) error
}

func flushThenShutdown(p provider) func(context.Context) error {
	return func(ctx context.Context) error {
		return errors.Join(p.ForceFlush(ctx), p.Shutdown(ctx))
	}
}

// MetricsHandler serves the proxy's metrics in the Prometheus text format,
// for the admin plane's /metrics. It is set once Start has returned.
func (s *Server) MetricsHandler() http.Handler { return s.telemetry.metrics }

// telemetryFlushTimeout bounds how long Close waits for the last spans and
// metrics to be exported.
const telemetryFlushTimeout = 5 * time.Second

// flushTelemetry exports what is buffered and stops the providers. An
// unreachable collector costs the spans, not the shutdown.
func (s *Server) flushTelemetry() {
	if s.telemetry == nil {
		return
	}
	ctx, cancel := context.WithTimeout(context.Background(), telemetryFlushTimeout)
	defer cancel()
	if err := s.telemetry.shutdown(ctx); err != nil {
		s.log.Warn("flush telemetry", "err", err)
	}
}

// spanEventLimitFlag maps --trace-event-limit to proxy.Options, where zero
// means the default; on the command line 0 means no span events.
func spanEventLimitFlag(n int) int {
	if n <= 0 {
		return -1
	}
	return n
}

// checkJaegerURL accepts "" (no trace links) or an absolute http(s) URL.
func checkJaegerURL(raw string) error {
	if raw == "" {
		return nil
	}
	if u, err := url.Parse(raw); err != nil || (u.Scheme != "http" && u.Scheme != "https") || u.Host == "" {
		return fmt.Errorf("--jaeger-url %q: want the Jaeger UI's base URL, like http://localhost:16686", raw)
	}
	return nil
}
