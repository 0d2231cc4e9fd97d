package ssebench

import (
	"errors"
	"runtime"
	"slices"
	"time"
)

// Result is one target's run of a workload, or the sum of several (Merge).
type Result struct {
	Target    string
	Workload  Workload
	Runs      int
	Exchanges int
	Expected  int // events the upstream was asked for
	Received  int // events the client read
	// Elapsed runs from the first request to the last event received and,
	// behind a proxy, committed to SQLite.
	Elapsed time.Duration
	// CPU is the time the whole process (client, upstream and proxy alike)
	// spent on the CPU during Elapsed, or for a ProcessTarget the proxy's
	// process alone. It moves much less than latency when other processes
	// load the machine.
	CPU time.Duration
	// OtherCPU is the CPU time the rest of the machine used meanwhile, steal
	// included (Linux only): much of it means a busy machine, and latencies
	// to take with care.
	OtherCPU time.Duration
	Latency  Percentiles
	// Recorded and Dropped count the recorder's events during the run
	// (warm-up excluded); zero when nothing records.
	Recorded, Dropped uint64
	Err               error // the streams that failed, joined

	latencies []int64 // every event's, sorted
	rows      int64   // events in a process target's store after the run
}

// Rate is the events received per second.
func (r Result) Rate() float64 {
	if r.Elapsed <= 0 {
		return 0
	}
	return float64(r.Received) / r.Elapsed.Seconds()
}

// CPUPerEvent is the process's CPU time per event received.
func (r Result) CPUPerEvent() time.Duration {
	if r.Received == 0 {
		return 0
	}
	return r.CPU / time.Duration(r.Received)
}

// OtherLoad is the share of the machine's CPUs that other processes used
// during the run.
func (r Result) OtherLoad() float64 {
	if r.Elapsed <= 0 {
		return 0
	}
	return max(r.OtherCPU.Seconds(), 0) / (r.Elapsed.Seconds() * float64(runtime.NumCPU()))
}

// Merge sums runs of one target, as if they were one run: counts and times
// add up, and the percentiles are taken over every event of every run.
func Merge(runs ...Result) Result {
	if len(runs) == 0 {
		return Result{}
	}
	sum := Result{Target: runs[0].Target, Workload: runs[0].Workload}
	var errs []error
	for _, r := range runs {
		sum.Runs += r.Runs
		sum.Exchanges += r.Exchanges
		sum.Expected += r.Expected
		sum.Received += r.Received
		sum.Elapsed += r.Elapsed
		sum.CPU += r.CPU
		sum.OtherCPU += r.OtherCPU
		sum.Recorded += r.Recorded
		sum.Dropped += r.Dropped
		sum.latencies = append(sum.latencies, r.latencies...)
		errs = append(errs, r.Err)
	}
	sum.Err = errors.Join(errs...)
	sum.Latency = percentiles(sum.latencies)
	return sum
}

// Percentiles summarize per-event latencies.
type Percentiles struct {
	P50, P90, P99, Max time.Duration
}

// percentiles sorts ns in place and takes nearest-rank percentiles.
func percentiles(ns []int64) Percentiles {
	if len(ns) == 0 {
		return Percentiles{}
	}
	slices.Sort(ns)
	at := func(p float64) time.Duration {
		i := int(p*float64(len(ns))+0.999999) - 1
		return time.Duration(ns[max(i, 0)])
	}
	return Percentiles{P50: at(0.50), P90: at(0.90), P99: at(0.99), Max: time.Duration(ns[len(ns)-1])}
}
