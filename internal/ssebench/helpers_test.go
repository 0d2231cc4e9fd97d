package ssebench

import (
	"testing"

	"github.com/a2aproxy/a2a-proxy/recorder"
)

func startUpstream(tb testing.TB) *Upstream {
	tb.Helper()
	up, err := StartUpstream()
	if err != nil {
		tb.Fatal(err)
	}
	tb.Cleanup(func() {
		if err := up.Close(); err != nil {
			tb.Errorf("close upstream: %v", err)
		}
	})
	return up
}

// newTargetFunc makes the target a test or benchmark measures.
type newTargetFunc func(tb testing.TB, up *Upstream) *Target

func direct(_ testing.TB, up *Upstream) *Target { return Direct(up) }

func bare(tb testing.TB, up *Upstream) *Target  { return must(tb)(Bare(up)) }
func plain(tb testing.TB, up *Upstream) *Target { return must(tb)(Plain(up)) }

func must(tb testing.TB) func(*Target, error) *Target {
	return func(t *Target, err error) *Target {
		tb.Helper()
		if err != nil {
			tb.Fatal(err)
		}
		return t
	}
}

func proxiedIn(name string, mode recorder.Mode) newTargetFunc {
	return func(tb testing.TB, up *Upstream) *Target {
		return must(tb)(Proxied(tb.Context(), name, up, tb.TempDir(), mode))
	}
}

// measure measures w against a new target, closes it, and fails tb if a
// stream broke or an event went missing on the way to the client.
func measure(tb testing.TB, newTarget newTargetFunc, up *Upstream, w Workload) (Result, Recording) {
	tb.Helper()
	target := newTarget(tb, up)
	res, err := Measure(tb.Context(), target, w)
	rec, closeErr := target.Close()
	if err != nil || closeErr != nil {
		tb.Fatalf("%s: measure: %v; close: %v", target.Name, err, closeErr)
	}
	if err := CheckComplete(res); err != nil {
		tb.Error(err)
	}
	return res, rec
}

func traced(tb testing.TB, up *Upstream) *Target {
	return must(tb)(Traced(tb.Context(), "traced", up, tb.TempDir(), *spanEvents))
}
