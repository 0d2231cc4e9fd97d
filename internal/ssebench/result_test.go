package ssebench

import (
	"slices"
	"testing"
	"time"
)

func TestPercentiles(t *testing.T) {
	ns := make([]int64, 1000)
	for i := range ns {
		ns[i] = int64(1000 - i) // 1000 .. 1
	}
	got := percentiles(ns)
	want := Percentiles{P50: 500, P90: 900, P99: 990, Max: 1000}
	if got != want {
		t.Errorf("percentiles = %+v, want %+v", got, want)
	}
}

func TestWorkloadQuota(t *testing.T) {
	w := Workload{Streams: 3, PerExchange: 1, Events: 10}
	if got := []int{w.quota(0), w.quota(1), w.quota(2)}; got[0]+got[1]+got[2] != 10 || got[0] != 4 || got[2] != 3 {
		t.Errorf("quotas = %v, want 4 3 3", got)
	}
}

// The streams' first exchanges end spread over one exchange's length, so
// that the next calls do not all start at once.
func TestWorkloadFirstExchange(t *testing.T) {
	w := Workload{Streams: 4, PerExchange: 100}
	if got := []int{w.firstExchange(0), w.firstExchange(1), w.firstExchange(2), w.firstExchange(3)}; !slices.Equal(got, []int{100, 75, 50, 25}) {
		t.Errorf("first exchanges = %v, want 100 75 50 25", got)
	}
	if got := (Workload{Streams: 300, PerExchange: 2}).firstExchange(299); got != 1 {
		t.Errorf("last stream's first exchange = %d events, want at least 1", got)
	}
}

func TestMerge(t *testing.T) {
	a := Result{Target: "x", Runs: 1, Received: 2, Elapsed: time.Second, CPU: 2 * time.Millisecond, latencies: []int64{1, 3}}
	b := Result{Target: "x", Runs: 1, Received: 2, Elapsed: time.Second, CPU: 4 * time.Millisecond, latencies: []int64{2, 4}}
	m := Merge(a, b)
	if m.Runs != 2 || m.Received != 4 || m.Rate() != 2 || m.CPUPerEvent() != 1500*time.Microsecond {
		t.Errorf("Merge = %+v", m)
	}
	if m.Latency.P50 != 2 || m.Latency.Max != 4 {
		t.Errorf("merged percentiles = %+v, want p50 2, max 4", m.Latency)
	}
}
