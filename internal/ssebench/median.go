package ssebench

import (
	"fmt"
	"io"
	"slices"
	"text/tabwriter"
	"time"
)

// Figures are one target's medians over interleaved rounds: each round
// runs every target once, and added latency is taken against the direct
// run of the same round, so that a change in the machine's load hits the
// targets and their baseline alike.
type Figures struct {
	Target string
	Rounds int
	// AddedP50 and AddedP99 are the latency percentiles over direct's.
	AddedP50, AddedP99 time.Duration
	CPUPerEvent        time.Duration // of the proxy's process
	Rate               float64       // events received (and, behind a2a-proxy, recorded) per second
	Sent, Recorded     int           // over every round
	Lost               int           // received by the client but not in the store
	OtherLoad          float64       // the highest share of the CPUs other processes took in a round
}

// MedianFigures takes the medians of runs, one per round, against direct's
// runs of the same rounds (nil: no added latency).
func MedianFigures(runs, direct []Result) Figures {
	f := Figures{Rounds: len(runs)}
	var p50, p99, cpu []time.Duration
	var rates []float64
	for i, r := range runs {
		f.Target = r.Target
		if i < len(direct) {
			p50 = append(p50, r.Latency.P50-direct[i].Latency.P50)
			p99 = append(p99, r.Latency.P99-direct[i].Latency.P99)
		}
		cpu = append(cpu, r.CPUPerEvent())
		rates = append(rates, r.Rate())
		f.Sent += r.Received
		f.Recorded += int(r.Recorded)
		f.Lost += int(r.Dropped)
		f.OtherLoad = max(f.OtherLoad, r.OtherLoad())
	}
	f.AddedP50, f.AddedP99, f.CPUPerEvent, f.Rate = median(p50), median(p99), median(cpu), median(rates)
	return f
}

func median[T int64 | float64 | time.Duration](xs []T) T {
	if len(xs) == 0 {
		return 0
	}
	s := slices.Clone(xs)
	slices.Sort(s)
	if len(s)%2 == 1 {
		return s[len(s)/2]
	}
	return (s[len(s)/2-1] + s[len(s)/2]) / 2
}

// WriteFigures prints figures side by side.
func WriteFigures(w io.Writer, figs ...Figures) error {
	tw := tabwriter.NewWriter(w, 0, 0, 2, ' ', tabwriter.AlignRight)
	fmt.Fprintln(tw, "median of rounds\trounds\tevents/s\tadded p50\tadded p99\tproxy cpu/event\treceived\trecorded\tlost\tmax other load\t")
	for _, f := range figs {
		fmt.Fprintf(tw, "%s\t%d\t%.0f\t%s\t%s\t%s\t%d\t%d\t%d\t%.0f%%\t\n", f.Target, f.Rounds, f.Rate,
			signedMs(f.AddedP50), signedMs(f.AddedP99), us(f.CPUPerEvent), f.Sent, f.Recorded, f.Lost, 100*f.OtherLoad)
	}
	return tw.Flush()
}
