package ssebench

import (
	"fmt"
	"io"
	"text/tabwriter"
	"time"
)

// WriteTable prints results side by side, then the deltas of every other
// row to the first one (the baseline).
func WriteTable(w io.Writer, results ...Result) error {
	tw := tabwriter.NewWriter(w, 0, 0, 2, ' ', tabwriter.AlignRight)
	fmt.Fprintln(tw, "target\tstreams\tevents\tevents/s\tp50\tp90\tp99\tmax\tcpu/event\tother load\trecorded\tdropped\t")
	for _, r := range results {
		l := r.Latency
		fmt.Fprintf(tw, "%s\t%d\t%d\t%.0f\t%s\t%s\t%s\t%s\t%s\t%.0f%%\t%d\t%d\t\n", r.Target, r.Workload.Streams,
			r.Received, r.Rate(), ms(l.P50), ms(l.P90), ms(l.P99), ms(l.Max), us(r.CPUPerEvent()),
			100*r.OtherLoad(), r.Recorded, r.Dropped)
	}
	for i := 1; i < len(results); i++ {
		base, r := results[0], results[i]
		d := r.Latency.minus(base.Latency)
		fmt.Fprintf(tw, "%s - %s\t\t\t%+.0f\t%s\t%s\t%s\t%s\t%s\t\t\t\t\n", r.Target, base.Target,
			r.Rate()-base.Rate(), signedMs(d.P50), signedMs(d.P90), signedMs(d.P99), signedMs(d.Max),
			signedUs(r.CPUPerEvent()-base.CPUPerEvent()))
	}
	return tw.Flush()
}

func (p Percentiles) minus(q Percentiles) Percentiles {
	return Percentiles{P50: p.P50 - q.P50, P90: p.P90 - q.P90, P99: p.P99 - q.P99, Max: p.Max - q.Max}
}

func ms(d time.Duration) string { return fmt.Sprintf("%.3fms", float64(d)/float64(time.Millisecond)) }

func us(d time.Duration) string { return fmt.Sprintf("%.1fµs", float64(d)/float64(time.Microsecond)) }

func signedUs(d time.Duration) string {
	return fmt.Sprintf("%+.1fµs", float64(d)/float64(time.Microsecond))
}

func signedMs(d time.Duration) string {
	return fmt.Sprintf("%+.3fms", float64(d)/float64(time.Millisecond))
}
