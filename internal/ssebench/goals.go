package ssebench

import (
	"errors"
	"fmt"
	"time"
)

// The README's targets for a2a-proxy on a 2-core machine.
const (
	// At 200 streams with 20 ms between events, recording in drop mode, the
	// proxy adds at most this much to the per-event latency of a direct
	// connection, at the median and at p99.
	MaxP50Overhead = 500 * time.Microsecond
	MaxP99Overhead = 2 * time.Millisecond
	// At 50 streams sending as fast as they can, lossless recording keeps up
	// with at least this many events per second, missing none.
	MinLosslessRate = 50_000
	// With a2a-proxy in its own process, lossless, at 50 streams sending as
	// fast as they can: events per second recorded, missing none.
	MinProcessRateSQLite   = 60_000
	MinProcessRatePostgres = 30_000
	// At 200 streams with 20 ms between events, a2a-proxy's process spends
	// at most this multiple of a bare httputil.ReverseProxy process's CPU
	// time per event, and adds at most this multiple of its p99 latency.
	MaxCPUPerEventToBare = 1.5
	MaxAddedP99ToBare    = 1.5
	// On the latency workload, tracing on and exporting adds at most this
	// share to the per-event p50 latency and CPU time of tracing off.
	MaxTracingOverhead = 0.10
)

// CheckComplete reports a run in which a stream failed or an event went
// missing on the way to the client.
func CheckComplete(r Result) error {
	if r.Err != nil {
		return fmt.Errorf("%s: %w", r.Target, r.Err)
	}
	if r.Received != r.Expected {
		return fmt.Errorf("%s: client received %d of %d events", r.Target, r.Received, r.Expected)
	}
	return nil
}

// CheckRecorded reports events that the client received but the recorder
// did not keep, during the run and over the target's life.
func CheckRecorded(r Result, rec Recording) error {
	var errs []error
	if r.Recorded != uint64(r.Received) || r.Dropped != 0 {
		errs = append(errs, fmt.Errorf("%s: recorded %d of %d events in the run, dropped %d",
			r.Target, r.Recorded, r.Received, r.Dropped))
	}
	if rec.Rows != int64(rec.Sent) || rec.Written != uint64(rec.Sent) || rec.Dropped != 0 || rec.Failed != 0 {
		errs = append(errs, fmt.Errorf("%s: %d rows in SQLite, %d written, %d dropped, %d failed, of %d events sent",
			r.Target, rec.Rows, rec.Written, rec.Dropped, rec.Failed, rec.Sent))
	}
	return errors.Join(errs...)
}

// CheckLatency compares a proxied run with the direct one.
func CheckLatency(direct, proxied Result) error {
	var errs []error
	if d := proxied.Latency.P50 - direct.Latency.P50; d > MaxP50Overhead {
		errs = append(errs, fmt.Errorf("p50 overhead %v, want at most %v", d, MaxP50Overhead))
	}
	if d := proxied.Latency.P99 - direct.Latency.P99; d > MaxP99Overhead {
		errs = append(errs, fmt.Errorf("p99 overhead %v, want at most %v", d, MaxP99Overhead))
	}
	return errors.Join(errs...)
}

// CheckThroughput checks the lossless rate; CheckRecorded checks that
// nothing is missing.
func CheckThroughput(r Result) error {
	if rate := r.Rate(); rate < MinLosslessRate {
		return fmt.Errorf("%s: %.0f events/s, want at least %d", r.Target, rate, MinLosslessRate)
	}
	return nil
}

// CheckTracing compares a traced run with the same proxy's untraced one.
func CheckTracing(off, on Result) error {
	var errs []error
	if o := overhead(off.Latency.P50, on.Latency.P50); o > MaxTracingOverhead {
		errs = append(errs, fmt.Errorf("p50 overhead %.1f%%, want at most %.0f%%", 100*o, 100*MaxTracingOverhead))
	}
	if o := overhead(off.CPUPerEvent(), on.CPUPerEvent()); o > MaxTracingOverhead {
		errs = append(errs, fmt.Errorf("CPU per event overhead %.1f%%, want at most %.0f%%", 100*o, 100*MaxTracingOverhead))
	}
	return errors.Join(errs...)
}

// overhead is how much larger on is than off, as a share of off.
func overhead(off, on time.Duration) float64 {
	if off <= 0 {
		return 0
	}
	return float64(on-off) / float64(off)
}

// CheckRate checks the median events per second of a lossless run.
func CheckRate(f Figures, min float64) error {
	if f.Rate < min {
		return fmt.Errorf("%s: %.0f events/s recorded, want at least %.0f", f.Target, f.Rate, min)
	}
	return nil
}

// CheckAgainstBare compares a2a-proxy's process with a bare proxy's.
func CheckAgainstBare(bare, proxy Figures) error {
	var errs []error
	if limit := time.Duration(MaxCPUPerEventToBare * float64(bare.CPUPerEvent)); proxy.CPUPerEvent > limit {
		errs = append(errs, fmt.Errorf("%s: CPU per event %v, want at most %.1fx bare's %v = %v",
			proxy.Target, proxy.CPUPerEvent, MaxCPUPerEventToBare, bare.CPUPerEvent, limit))
	}
	if limit := time.Duration(MaxAddedP99ToBare * float64(bare.AddedP99)); proxy.AddedP99 > limit {
		errs = append(errs, fmt.Errorf("%s: added p99 %v, want at most %.1fx bare's %v = %v",
			proxy.Target, proxy.AddedP99, MaxAddedP99ToBare, bare.AddedP99, limit))
	}
	return errors.Join(errs...)
}
