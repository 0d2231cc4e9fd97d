package ssebench

import (
	"flag"
	"fmt"
	"os"
	"slices"
	"strings"
	"testing"
	"time"

	"github.com/a2aproxy/a2a-proxy/recorder"
)

var (
	report       = flag.Bool("report", false, "run the latency and throughput report and check the README's targets")
	targets      = flag.String("targets", "", "report: run only these targets (comma-separated), e.g. to profile one")
	rounds       = flag.Int("rounds", 1, "report: measure every target this many times, taking turns, and merge the runs")
	streams      = flag.Int("streams", 200, "report: concurrent streams of the latency run")
	interval     = flag.Duration("interval", 20*time.Millisecond, "report: time between events in the latency run")
	duration     = flag.Duration("duration", 10*time.Second, "report: length of the latency run, per target")
	tputStreams  = flag.Int("tput-streams", 50, "report: concurrent streams of the throughput run")
	tputDuration = flag.Duration("tput-duration", 5*time.Second, "report: length of the throughput run, per target")
	size         = flag.Int("size", 400, "report: bytes per SSE event block, about")
	perExchange  = flag.Int("per-exchange", 100, "report: events per exchange (message/stream call)")
	spanEvents   = flag.Bool("span-events", true, "traced target: an a2a.event span event per event (false: spans only, as --trace-event-limit 0)")
)

// TestReport measures the README's targets; it only runs with -report
// (make bench). Select one part with -run TestReport/latency, /tracing or
// /throughput.
func TestReport(t *testing.T) {
	if !*report {
		t.Skip("the performance report runs with -report (make bench)")
	}
	up := startUpstream(t)

	t.Run("latency", func(t *testing.T) {
		w := Workload{Streams: *streams, Interval: *interval, Size: *size, PerExchange: *perExchange, Duration: *duration}
		res := measureAll(t, up, w, []namedTarget{
			{"direct", direct},
			{"bare", bare},
			{"plain", plain},
			{"proxied", proxiedIn("proxied", recorder.ModeDrop)},
		})
		base, okBase := res["direct"]
		proxied, ok := res["proxied"]
		if !okBase || !ok {
			return
		}
		if proxied.Dropped > 0 {
			t.Logf("note: the recorder dropped %d events (drop mode)", proxied.Dropped)
		}
		if err := CheckLatency(base, proxied); err != nil {
			t.Errorf("latency target missed: %v", err)
		}
	})

	t.Run("tracing", func(t *testing.T) {
		w := Workload{Streams: *streams, Interval: *interval, Size: *size, PerExchange: *perExchange, Duration: *duration}
		res := measureAll(t, up, w, []namedTarget{
			{"proxied", proxiedIn("proxied", recorder.ModeDrop)},
			{"traced", traced},
		})
		off, okOff := res["proxied"]
		on, ok := res["traced"]
		if !okOff || !ok {
			return
		}
		fmt.Printf("tracing overhead: p50 %+.1f%%, CPU per event %+.1f%%\n",
			100*overhead(off.Latency.P50, on.Latency.P50), 100*overhead(off.CPUPerEvent(), on.CPUPerEvent()))
		if err := CheckTracing(off, on); err != nil {
			t.Errorf("tracing target missed: %v", err)
		}
	})

	processReport(t, up)

	t.Run("throughput", func(t *testing.T) {
		w := Workload{Streams: *tputStreams, Size: *size, PerExchange: *perExchange, Duration: *tputDuration}
		res := measureAll(t, up, w, []namedTarget{
			{"direct", direct},
			{"proxied-lossless", proxiedIn("proxied-lossless", recorder.ModeLossless)},
		})
		if lossless, ok := res["proxied-lossless"]; ok {
			if err := CheckThroughput(lossless); err != nil {
				t.Errorf("throughput target missed: %v", err)
			}
		}
	})
}

type namedTarget struct {
	name      string
	newTarget newTargetFunc
}

// measureAll measures the targets selected by -targets one after another,
// -rounds times over so that a change in the machine's load hits them
// alike. It prints the merged runs as a table and checks that a lossless
// recorder kept every event.
func measureAll(t *testing.T, up *Upstream, w Workload, all []namedTarget) map[string]Result {
	t.Helper()
	byName := make(map[string]Result)
	var merged []Result
	for _, runs := range measureRounds(t, up, w, all, *rounds) {
		merged = append(merged, Merge(runs...))
		byName[runs[0].Target] = merged[len(merged)-1]
	}
	fmt.Printf("\n%s (%d round(s) of %v, %d streams):\n", t.Name(), max(*rounds, 1), w.Duration, w.Streams)
	if err := WriteTable(os.Stdout, merged...); err != nil {
		t.Fatal(err)
	}
	for _, r := range merged {
		if load := r.OtherLoad(); load > 0.1 {
			t.Logf("warning: other processes used %.0f%% of the CPUs during %s; its latencies are not comparable", 100*load, r.Target)
		}
	}
	return byName
}

// measureRounds measures the targets selected by -targets in turn, -rounds
// times over, and returns each target's runs in the order of all. Every
// run of a recording target must keep every event: lossless ones always,
// a2a-proxy processes in drop mode too (nothing may be lost below the
// record buffer).
func measureRounds(t *testing.T, up *Upstream, w Workload, all []namedTarget, n int) [][]Result {
	t.Helper()
	var selected []namedTarget
	for _, nt := range all {
		if *targets == "" || slices.Contains(strings.Split(*targets, ","), nt.name) {
			selected = append(selected, nt)
		}
	}
	runs := make([][]Result, len(selected))
	for round := range max(n, 1) {
		for i, nt := range selected {
			res, rec := measure(t, nt.newTarget, up, w)
			if strings.HasSuffix(nt.name, "-lossless") || strings.HasPrefix(nt.name, "a2a-proxy") {
				t.Logf("round %d, %s: %d events sent (warm-up included), %d rows in the store", round+1, nt.name, rec.Sent, rec.Rows)
				if err := CheckRecorded(res, rec); err != nil {
					t.Errorf("events missing: %v", err)
				}
			}
			runs[i] = append(runs[i], res)
		}
	}
	return runs
}

// measureFigures measures the targets in interleaved rounds, the first of
// all being direct, and prints and returns every target's medians.
func measureFigures(t *testing.T, up *Upstream, w Workload, all []namedTarget, n int) map[string]Figures {
	t.Helper()
	runs := measureRounds(t, up, w, all, n)
	var direct []Result
	if len(runs) > 0 && runs[0][0].Target == "direct" {
		direct = runs[0]
	}
	byName := make(map[string]Figures)
	var figs []Figures
	var merged []Result
	for _, rs := range runs {
		f := MedianFigures(rs, direct)
		figs = append(figs, f)
		byName[f.Target] = f
		merged = append(merged, Merge(rs...))
	}
	fmt.Printf("\n%s (%d round(s) of %v, %d streams, interval %v), proxies in processes of their own:\n",
		t.Name(), max(n, 1), w.Duration, w.Streams, w.Interval)
	if err := WriteTable(os.Stdout, merged...); err != nil {
		t.Fatal(err)
	}
	if err := WriteFigures(os.Stdout, figs...); err != nil {
		t.Fatal(err)
	}
	if load, err := os.ReadFile("/proc/loadavg"); err == nil {
		fmt.Printf("load average after the runs: %s", load)
	}
	return byName
}

// TestSmoke runs every target on a small workload and checks only that
// every event reaches the client and, behind a recording proxy, SQLite.
func TestSmoke(t *testing.T) {
	up := startUpstream(t)
	w := Workload{Streams: 5, Interval: time.Millisecond, Size: 400, PerExchange: 10, Events: 100}
	for _, tc := range []struct {
		name      string
		newTarget newTargetFunc
		recorded  bool
		traced    bool
	}{
		{"direct", direct, false, false},
		{"bare", bare, false, false},
		{"plain", plain, false, false},
		{"proxied", proxiedIn("proxied", recorder.ModeDrop), true, false},
		{"proxied-lossless", proxiedIn("proxied-lossless", recorder.ModeLossless), true, false},
		{"traced", traced, true, true},
	} {
		t.Run(tc.name, func(t *testing.T) {
			res, rec := measure(t, tc.newTarget, up, w)
			// 14 exchanges: the streams' first carry 10, 8, 6, 4 and 2
			// events, the rest 10 until the stream's 20 are sent.
			if res.Received != w.Events || res.Exchanges != 14 {
				t.Errorf("received %d events in %d exchanges, want %d in 14", res.Received, res.Exchanges, w.Events)
			}
			if tc.recorded {
				if err := CheckRecorded(res, rec); err != nil {
					t.Error(err)
				}
			}
			if got := rec.TraceBytes > 0; got != tc.traced {
				t.Errorf("the OTLP receiver was sent %d bytes of spans; want spans: %v", rec.TraceBytes, tc.traced)
			}
		})
	}
}
