package proxy

import (
	"context"
	"errors"
	"fmt"
	"time"

	"go.opentelemetry.io/otel/attribute"
	"go.opentelemetry.io/otel/metric"

	"github.com/a2aproxy/a2a-proxy/internal/a2awire"
)

// Metric names; the Prometheus exporter turns a2a_proxy.events into
// a2a_proxy_events_total and seconds histograms into *_seconds.
const (
	metricOpenStreams      = "a2a_proxy.streams.open"
	metricEvents           = "a2a_proxy.events"
	metricTimeToFirstEvent = "a2a_proxy.stream.time_to_first_event"
	metricStreamDuration   = "a2a_proxy.stream.duration"
	metricExchanges        = "a2a_proxy.exchanges"
)

// kindUnknown labels events whose kind could not be told (malformed SSE,
// non-JSON data, an unknown shape).
const kindUnknown = "unknown"

var eventKinds = []string{
	a2awire.KindTask, a2awire.KindMessage, a2awire.KindStatusUpdate,
	a2awire.KindArtifactUpdate, a2awire.KindError, kindUnknown,
}

// Streams last from milliseconds to many minutes.
var streamSecondsBuckets = []float64{0.005, 0.01, 0.025, 0.05, 0.1, 0.25, 0.5, 1, 2.5, 5, 10, 30, 60, 120, 300, 600, 1800}

// meters are the proxy's instruments.
type meters struct {
	openStreams      metric.Int64UpDownCounter
	events           metric.Int64Counter
	timeToFirstEvent metric.Float64Histogram
	streamDuration   metric.Float64Histogram
	exchanges        metric.Int64Counter

	// Attribute sets are built once per agent (and event kind), so that
	// counting an event allocates nothing; the options are kept as slices, as
	// building the variadic argument at each call would allocate too.
	agentAttrs map[string]metric.MeasurementOption
	eventAttrs map[string]map[string][]metric.AddOption // agent -> kind
}

func newMeters(mp metric.MeterProvider, agents []Agent) (*meters, error) {
	meter := mp.Meter(instrumentationName)
	m := &meters{
		agentAttrs: make(map[string]metric.MeasurementOption, len(agents)),
		eventAttrs: make(map[string]map[string][]metric.AddOption, len(agents)),
	}
	var errs [5]error
	m.openStreams, errs[0] = meter.Int64UpDownCounter(metricOpenStreams,
		metric.WithUnit("{stream}"), metric.WithDescription("SSE streams open through the proxy"))
	m.events, errs[1] = meter.Int64Counter(metricEvents,
		metric.WithUnit("{event}"), metric.WithDescription("A2A events passed through, by agent and kind; a unary response counts as one"))
	m.timeToFirstEvent, errs[2] = meter.Float64Histogram(metricTimeToFirstEvent,
		metric.WithUnit("s"), metric.WithDescription("time from a streaming request's arrival to its first event"),
		metric.WithExplicitBucketBoundaries(streamSecondsBuckets...))
	m.streamDuration, errs[3] = meter.Float64Histogram(metricStreamDuration,
		metric.WithUnit("s"), metric.WithDescription("time from a streaming request's arrival to the end of its stream"),
		metric.WithExplicitBucketBoundaries(streamSecondsBuckets...))
	m.exchanges, errs[4] = meter.Int64Counter(metricExchanges,
		metric.WithUnit("{exchange}"), metric.WithDescription("requests through the proxy, by agent and outcome"))
	if err := errors.Join(errs[:]...); err != nil {
		return nil, fmt.Errorf("proxy metrics: %w", err)
	}
	for _, a := range agents {
		agent := keyAgentName.String(a.Name)
		m.agentAttrs[a.Name] = metric.WithAttributeSet(attribute.NewSet(agent))
		byKind := make(map[string][]metric.AddOption, len(eventKinds))
		for _, kind := range eventKinds {
			byKind[kind] = []metric.AddOption{metric.WithAttributeSet(attribute.NewSet(agent, keyEventKind.String(kind)))}
		}
		m.eventAttrs[a.Name] = byKind
	}
	return m, nil
}

// The context passed to instruments: measurements do not depend on the
// request's, and a cancelled one must not lose them.
var measureCtx = context.Background()

func (m *meters) streamOpened(agent string) { m.openStreams.Add(measureCtx, 1, m.agentAttrs[agent]) }

func (m *meters) streamClosed(agent string, d time.Duration) {
	m.openStreams.Add(measureCtx, -1, m.agentAttrs[agent])
	m.streamDuration.Record(measureCtx, d.Seconds(), m.agentAttrs[agent])
}

func (m *meters) firstEvent(agent string, d time.Duration) {
	m.timeToFirstEvent.Record(measureCtx, d.Seconds(), m.agentAttrs[agent])
}

func (m *meters) event(agent, kind string) {
	opts, ok := m.eventAttrs[agent][kind]
	if !ok {
		opts = m.eventAttrs[agent][kindUnknown]
	}
	m.events.Add(measureCtx, 1, opts...)
}

func (m *meters) exchangeDone(agent, outcome string) {
	m.exchanges.Add(measureCtx, 1, metric.WithAttributes(keyAgentName.String(agent), keyOutcome.String(outcome)))
}
