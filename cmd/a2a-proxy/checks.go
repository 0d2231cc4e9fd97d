package main

import (
	"context"
	"errors"
	"fmt"
	"sync/atomic"

	"go.opentelemetry.io/otel/attribute"
	"go.opentelemetry.io/otel/metric"

	"github.com/a2aproxy/a2a-proxy/checks"
	"github.com/a2aproxy/a2a-proxy/recorder"
)

// lateStore is the checker's store, set once the recorder that feeds the
// checker is open.
type lateStore struct {
	r atomic.Pointer[recorder.Recorder]
}

var _ checks.Store = (*lateStore)(nil)

func (s *lateStore) set(r *recorder.Recorder) { s.r.Store(r) }

func (s *lateStore) ExchangeRecording(ctx context.Context, id string, maxRaw int) (*recorder.Recording, error) {
	r := s.r.Load()
	if r == nil {
		return nil, errors.New("recorder not open yet")
	}
	return r.ExchangeRecording(ctx, id, maxRaw)
}

func (s *lateStore) RecordChecks(c *recorder.ExchangeChecks) {
	if r := s.r.Load(); r != nil {
		r.RecordChecks(c)
	}
}

// conformanceCounter returns what counts the checks' findings:
// a2a_proxy_conformance_findings_total{rule,severity} on /metrics.
func (t *telemetry) conformanceCounter() (func([]recorder.Finding), error) {
	meter := t.meterProvider.Meter(instrumentationName)
	findings, err := meter.Int64Counter("a2a_proxy.conformance.findings",
		metric.WithUnit("{finding}"), metric.WithDescription("conformance findings of recorded exchanges, by rule and severity"))
	if err != nil {
		return nil, fmt.Errorf("conformance metrics: %w", err)
	}
	return func(fs []recorder.Finding) {
		for _, f := range fs {
			findings.Add(context.Background(), 1, metric.WithAttributes(
				attribute.String("rule", f.Rule), attribute.String("severity", f.Severity)))
		}
	}, nil
}

// observeChecker reports a2a_proxy_conformance_skipped_total: exchanges
// whose checks did not run (the checker's queue was full).
func (t *telemetry) observeChecker(c *checks.Checker) error {
	meter := t.meterProvider.Meter(instrumentationName)
	skipped, err := meter.Int64ObservableCounter("a2a_proxy.conformance.skipped",
		metric.WithUnit("{exchange}"), metric.WithDescription("ended exchanges not checked for conformance: the checker's queue was full or the exchange could not be read"))
	if err != nil {
		return fmt.Errorf("conformance metrics: %w", err)
	}
	_, err = meter.RegisterCallback(func(_ context.Context, o metric.Observer) error {
		o.ObserveInt64(skipped, int64(c.Skipped()))
		return nil
	}, skipped)
	if err != nil {
		return fmt.Errorf("conformance metrics: %w", err)
	}
	return nil
}
