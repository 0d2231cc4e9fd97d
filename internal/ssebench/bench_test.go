package ssebench

import (
	"testing"
	"time"

	"github.com/a2aproxy/a2a-proxy/recorder"
)

// The benchmarks measure the README's targets with b.N events; compare the
// sub-benchmarks of one run (their ns/op is wall time per event).

func BenchmarkLatency(b *testing.B) {
	w := Workload{Streams: 200, Interval: 20 * time.Millisecond, Size: 400, PerExchange: 100}
	b.Run("direct", func(b *testing.B) { benchmarkLoad(b, direct, w) })
	b.Run("bare", func(b *testing.B) { benchmarkLoad(b, bare, w) })
	b.Run("plain", func(b *testing.B) { benchmarkLoad(b, plain, w) })
	b.Run("proxied", func(b *testing.B) { benchmarkLoad(b, proxiedIn("proxied", recorder.ModeDrop), w) })
}

func BenchmarkThroughput(b *testing.B) {
	w := Workload{Streams: 50, Size: 400, PerExchange: 100}
	b.Run("direct", func(b *testing.B) { benchmarkLoad(b, direct, w) })
	b.Run("proxied-lossless", func(b *testing.B) {
		benchmarkLoad(b, proxiedIn("proxied-lossless", recorder.ModeLossless), w)
	})
}

func benchmarkLoad(b *testing.B, newTarget newTargetFunc, w Workload) {
	up := startUpstream(b)
	target := newTarget(b, up)
	w.Events = b.N
	l, err := NewLoad(target, w)
	if err != nil {
		b.Fatal(err)
	}
	defer l.Close()
	if err := l.WarmUp(b.Context()); err != nil {
		b.Fatal(err)
	}
	b.ReportAllocs()
	b.ResetTimer()
	res := l.Run(b.Context())
	b.StopTimer()

	if _, err := target.Close(); err != nil {
		b.Fatal(err)
	}
	if err := CheckComplete(res); err != nil {
		b.Fatal(err)
	}
	b.ReportMetric(float64(res.Latency.P50.Microseconds()), "p50-µs")
	b.ReportMetric(float64(res.Latency.P99.Microseconds()), "p99-µs")
	b.ReportMetric(res.Rate(), "events/s")
	if res.Dropped > 0 {
		b.ReportMetric(float64(res.Dropped), "dropped")
	}
}
