package ssebench

import (
	"flag"
	"testing"
	"time"

	"github.com/a2aproxy/a2a-proxy/internal/pgtest"
	"github.com/a2aproxy/a2a-proxy/recorder"
)

var (
	defStreams  = flag.Int("default-streams", 1000, "report: concurrent streams of the default-mode run")
	defInterval = flag.Duration("default-interval", 100*time.Millisecond, "report: time between events in the default-mode run")
	defDuration = flag.Duration("default-duration", 60*time.Second, "report: length of the default-mode run, per target")
	defRounds   = flag.Int("default-rounds", 1, "report: rounds of the default-mode run (each takes -default-duration per target)")
	baselineBin = flag.String("baseline-bin", "", "report: an a2a-proxy binary built from other code (say, before a change),\nmeasured as a2a-proxy-baseline in every part next to the one built from this tree")
)

// withBaseline adds the -baseline-bin target next to a2a-proxy target nt.
func withBaseline(all []namedTarget, mode recorder.Mode, pg *pgtest.Server) []namedTarget {
	if *baselineBin == "" {
		return all
	}
	bin := func(testing.TB) string { return *baselineBin }
	name := "a2a-proxy-baseline"
	if mode == recorder.ModeLossless {
		name += "-lossless"
	}
	return append(all, namedTarget{name, a2aProxyProcessOf(bin, name, mode, pg)})
}

// processReport runs the report's parts in which every proxy is a process
// of its own, as users run it: the a2a-proxy binary, a bare
// httputil.ReverseProxy process, nginx when installed. The load client and
// the upstream stay in this process.
func processReport(t *testing.T, up *Upstream) {
	// default-mode: 1,000 streams x 10 events/s, drop mode, on SQLite and
	// on PostgreSQL; every event must be recorded (measureRounds checks).
	t.Run("default-mode", func(t *testing.T) {
		pg := pgtest.New(t)
		w := Workload{Streams: *defStreams, Interval: *defInterval, Size: *size, PerExchange: *perExchange, Duration: *defDuration}
		measureFigures(t, up, w, []namedTarget{
			{"direct", direct},
			{"a2a-proxy", a2aProxyProcess("a2a-proxy", recorder.ModeDrop, nil)},
			{"a2a-proxy-pg", a2aProxyProcess("a2a-proxy-pg", recorder.ModeDrop, pg)},
		}, *defRounds)
	})

	// lossless: 50 streams as fast as they can, events/s recorded.
	t.Run("lossless", func(t *testing.T) {
		pg := pgtest.New(t)
		w := Workload{Streams: *tputStreams, Size: *size, PerExchange: *perExchange, Duration: *tputDuration}
		figs := measureFigures(t, up, w, withBaseline([]namedTarget{
			{"direct", direct},
			{"a2a-proxy-lossless", a2aProxyProcess("a2a-proxy-lossless", recorder.ModeLossless, nil)},
			{"a2a-proxy-pg-lossless", a2aProxyProcess("a2a-proxy-pg-lossless", recorder.ModeLossless, pg)},
		}, recorder.ModeLossless, nil), *rounds)
		if f, ok := figs["a2a-proxy-lossless"]; ok {
			if err := CheckRate(f, MinProcessRateSQLite); err != nil {
				t.Errorf("SQLite throughput target missed: %v", err)
			}
		}
		if f, ok := figs["a2a-proxy-pg-lossless"]; ok {
			if err := CheckRate(f, MinProcessRatePostgres); err != nil {
				t.Errorf("PostgreSQL throughput target missed: %v", err)
			}
		}
	})

	// overhead: 200 streams x 20 ms, a2a-proxy recording in drop mode
	// against the bare proxy and nginx, CPU per event and added p99.
	t.Run("overhead", func(t *testing.T) {
		w := Workload{Streams: *streams, Interval: *interval, Size: *size, PerExchange: *perExchange, Duration: *duration}
		all := []namedTarget{{"direct", direct}, {"bare", bareProcess}}
		if NginxPath() != "" {
			all = append(all, namedTarget{"nginx", nginxProcess})
		}
		all = append(all, namedTarget{"a2a-proxy", a2aProxyProcess("a2a-proxy", recorder.ModeDrop, nil)})
		all = withBaseline(all, recorder.ModeDrop, nil)
		figs := measureFigures(t, up, w, all, *rounds)
		bare, okBare := figs["bare"]
		proxy, ok := figs["a2a-proxy"]
		if okBare && ok {
			if err := CheckAgainstBare(bare, proxy); err != nil {
				t.Errorf("overhead target missed: %v", err)
			}
		}
	})
}
