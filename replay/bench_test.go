package replay_test

import (
	"context"
	"fmt"
	"io"
	"net/http"
	"net/http/httptest"
	"path/filepath"
	"slices"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/a2aproxy/a2a-proxy/internal/a2awire"
	"github.com/a2aproxy/a2a-proxy/recorder"
	"github.com/a2aproxy/a2a-proxy/recorder/sqlite"
	"github.com/a2aproxy/a2a-proxy/replay"
)

// longSession is a recorded v0.3 stream of n status updates (about 300
// bytes each, as the built-in agent sends them) gap apart.
func longSession(taskID string, n int, gap time.Duration) *recorder.Recording {
	rec := session(a2awire.V03, taskID, "bench")
	rec.Events = rec.Events[:0]
	x := &rec.Exchanges[0]
	x.End.EndedAt, x.End.EventCount = t0.Add(time.Duration(n+1)*gap), n
	for i := range n {
		offset := time.Duration(i+1) * gap
		data := fmt.Sprintf(`{"jsonrpc":"2.0","id":"req-1","result":{"kind":"status-update","taskId":%q,"contextId":"ctx-1","status":{"state":"working","message":{"kind":"message","role":"agent","messageId":"m-%d","parts":[{"kind":"text","text":"📊 Processing your request... (%d/%d)"}]}},"final":false}}`, taskID, i, i+1, n)
		rec.Events = append(rec.Events, recorder.Event{
			ExchangeID: x.ID, Agent: x.Agent, Seq: i, Offset: offset, At: t0.Add(offset),
			Raw: []byte(fmt.Sprintf("id: 0195c3c2-%04d\ndata: %s\n\n", i, data)), Fields: a2awire.Fields{Kind: "status-update", TaskID: taskID, ContextID: "ctx-1", State: "working"},
		})
	}
	return rec
}

// BenchmarkReplayTiming measures how close to schedule events are sent when
// 1,000 replays of a 50-event session (events 100ms apart) run at once at
// speed 1, their starts spread over one gap as independent clients' would be.
// engine: the schedule alone, each event "sent" to a function that notes the
// time. agent: the replay agent serving real clients over loopback HTTP, each
// event's send time taken when its flush returns, against the flush of the
// response headers (the replay's start) plus its due time. Reported: p50,
// p99 and max of |actual - scheduled| in µs.
func BenchmarkReplayTiming(b *testing.B) {
	const replays, events, gap = 1000, 50, 100 * time.Millisecond
	rec := longSession("task-bench", events, gap)
	timeline := replay.TaskTimeline(rec)

	b.Run("engine", func(b *testing.B) {
		var all timingErrors
		for range b.N {
			concurrently(replays, gap, func() {
				schedule, err := replay.NewSchedule(timeline, replay.Options{Speed: 1})
				if err != nil {
					b.Error(err)
					return
				}
				errs := make([]time.Duration, 0, len(timeline))
				_ = schedule.Play(context.Background(), func(_ replay.Step, due time.Time) error {
					errs = append(errs, time.Since(due))
					return nil
				})
				all.add(errs...)
			})
		}
		all.report(b, replays*events*b.N)
	})

	b.Run("agent", func(b *testing.B) {
		agent, err := replay.NewAgent(replay.AgentOptions{Recordings: []*recorder.Recording{rec}})
		if err != nil {
			b.Fatal(err)
		}
		var all timingErrors
		srv := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
			flushes := &flushClock{ResponseWriter: w}
			agent.ServeHTTP(flushes, r)
			all.add(flushes.errors(timeline)...)
		}))
		defer srv.Close()
		client := &http.Client{Transport: &http.Transport{MaxIdleConnsPerHost: replays}}
		body := `{"jsonrpc":"2.0","id":"b","method":"message/stream","params":` + messageParams(a2awire.V03, "bench") + `}`
		for range b.N {
			concurrently(replays, gap, func() {
				resp, err := client.Post(srv.URL+"/?speed=1", "application/json", strings.NewReader(body))
				if err != nil {
					b.Error(err)
					return
				}
				defer resp.Body.Close()
				if _, err := io.Copy(io.Discard, resp.Body); err != nil {
					b.Error(err)
				}
			})
		}
		srv.Close() // waits for the handlers, and their last errors
		all.report(b, replays*events*b.N)
	})
}

// concurrently runs n replays whose starts are spread evenly over spread.
func concurrently(n int, spread time.Duration, replayOnce func()) {
	var wg sync.WaitGroup
	start := time.Now()
	for i := range n {
		wg.Go(func() {
			time.Sleep(time.Until(start.Add(spread * time.Duration(i) / time.Duration(n))))
			replayOnce()
		})
	}
	wg.Wait()
}

// flushClock notes when each flush of a response returns: the first sends
// the headers, each later one an event.
type flushClock struct {
	http.ResponseWriter
	flushes []time.Time
}

func (f *flushClock) Flush() {
	f.ResponseWriter.(http.Flusher).Flush()
	f.flushes = append(f.flushes, time.Now())
}

func (f *flushClock) Unwrap() http.ResponseWriter { return f.ResponseWriter }

// errors returns each event's send time minus its scheduled time.
func (f *flushClock) errors(timeline []replay.Event) []time.Duration {
	if len(f.flushes) != len(timeline)+1 {
		return nil // counted as missing by report
	}
	errs := make([]time.Duration, len(timeline))
	for i, ev := range timeline {
		errs[i] = f.flushes[i+1].Sub(f.flushes[0]) - ev.Offset
	}
	return errs
}

// timingErrors gathers the timing errors of concurrent replays.
type timingErrors struct {
	mu   sync.Mutex
	errs []time.Duration
}

func (t *timingErrors) add(errs ...time.Duration) {
	t.mu.Lock()
	defer t.mu.Unlock()
	t.errs = append(t.errs, errs...)
}

func (t *timingErrors) report(b *testing.B, want int) {
	b.Helper()
	errs := t.errs
	if len(errs) != want {
		b.Fatalf("measured %d events, want %d", len(errs), want)
	}
	abs := make([]time.Duration, len(errs))
	for i, e := range errs {
		abs[i] = max(e, -e)
	}
	slices.Sort(abs)
	us := func(d time.Duration) float64 { return float64(d) / float64(time.Microsecond) }
	b.ReportMetric(us(abs[len(abs)/2]), "p50-µs")
	b.ReportMetric(us(abs[len(abs)*99/100]), "p99-µs")
	b.ReportMetric(us(abs[len(abs)-1]), "max-µs")
}

// BenchmarkReplayFromSQLite measures replay at speed 0 from a real store: read
// the task's recording, plan it, send every event (to io.Discard). serial is
// one replay after another; parallel runs one per CPU, as a server does.
func BenchmarkReplayFromSQLite(b *testing.B) {
	for _, events := range []int{50, 1000} {
		for _, parallel := range []bool{false, true} {
			name := fmt.Sprintf("events=%d/%s", events, map[bool]string{false: "serial", true: "parallel"}[parallel])
			b.Run(name, func(b *testing.B) { benchmarkReplayFromSQLite(b, events, parallel) })
		}
	}
}

func benchmarkReplayFromSQLite(b *testing.B, events int, parallel bool) {
	ctx := context.Background()
	store, err := sqlite.OpenRecorder(ctx, filepath.Join(b.TempDir(), "bench.db"), recorder.Options{})
	if err != nil {
		b.Fatal(err)
	}
	defer store.Close()
	if _, err := store.Import(ctx, []*recorder.Recording{longSession("task-bench", events, time.Millisecond)}); err != nil {
		b.Fatal(err)
	}
	replayOnce := func() error {
		rec, err := store.Recording(ctx, "task-bench")
		if err != nil {
			return err
		}
		schedule, err := replay.NewSchedule(replay.TaskTimeline(rec), replay.Options{Speed: 0})
		if err != nil {
			return err
		}
		return schedule.Play(ctx, func(step replay.Step, _ time.Time) error {
			_, err := io.Discard.Write(step.Raw)
			return err
		})
	}
	b.ReportAllocs()
	b.ResetTimer()
	if parallel {
		b.RunParallel(func(pb *testing.PB) {
			for pb.Next() {
				if err := replayOnce(); err != nil {
					b.Error(err)
					return
				}
			}
		})
	} else {
		for range b.N {
			if err := replayOnce(); err != nil {
				b.Fatal(err)
			}
		}
	}
	b.ReportMetric(float64(b.N*events)/b.Elapsed().Seconds(), "events/s")
}
