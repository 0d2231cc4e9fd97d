package ssebench

import (
	"context"
	"errors"
	"fmt"
	"net/http"
	"runtime"
	"sync"
	"time"
)

// warmUpEvents is the length of the exchange each stream runs before the
// clock starts, to open its connections (client to proxy, proxy to
// upstream) and warm the code paths.
const warmUpEvents = 10

// Load is the load client of one workload against one target.
type Load struct {
	target *Target
	w      Workload
	client *http.Client
}

// NewLoad checks w and makes a client with room for one idle connection
// per stream, so every exchange of a stream reuses the stream's connection.
func NewLoad(t *Target, w Workload) (*Load, error) {
	if err := w.validate(); err != nil {
		return nil, err
	}
	return &Load{target: t, w: w, client: newHTTPClient(w.Streams)}, nil
}

// Close closes the client's idle connections.
func (l *Load) Close() { l.client.CloseIdleConnections() }

// WarmUp runs one short exchange on every stream at once, then waits for
// the recorder to commit it.
func (l *Load) WarmUp(ctx context.Context) error {
	w := Workload{Streams: l.w.Streams, Size: l.w.Size, PerExchange: warmUpEvents, Events: warmUpEvents * l.w.Streams}
	if res := l.run(ctx, l.streams(w)); res.Err != nil {
		return fmt.Errorf("warm up %s: %w", l.target.Name, res.Err)
	}
	return nil
}

// Run runs the workload and returns what the client saw and, behind a
// proxy, what the recorder kept meanwhile.
func (l *Load) Run(ctx context.Context) Result {
	streams := l.streams(l.w) // latency slices allocated before the clock starts
	before := l.target.stats()
	var rowsBefore int64
	if l.target.rows != nil {
		var err error
		if rowsBefore, err = l.target.rows(ctx); err != nil {
			return Result{Target: l.target.Name, Err: fmt.Errorf("count recorded events: %w", err)}
		}
	}
	runtime.GC() // start clean, not with the garbage of the warm-up or the last target
	res := l.run(ctx, streams)
	if l.target.proc != nil {
		// The proxy's own process: its store's count is the truth, and
		// whatever the client received that is not there was lost.
		res.Recorded = uint64(max(res.rows-rowsBefore, 0))
		if lost := int64(res.Received) - int64(res.Recorded); l.target.rows != nil && lost > 0 {
			res.Dropped = uint64(lost)
		}
		return res
	}
	after := l.target.stats()
	res.Recorded = after.WrittenEvents - before.WrittenEvents
	res.Dropped = after.DroppedEvents - before.DroppedEvents
	return res
}

// Measure warms up and runs w against t.
func Measure(ctx context.Context, t *Target, w Workload) (Result, error) {
	l, err := NewLoad(t, w)
	if err != nil {
		return Result{}, err
	}
	defer l.Close()
	if err := l.WarmUp(ctx); err != nil {
		return Result{}, err
	}
	return l.Run(ctx), nil
}

func (l *Load) streams(w Workload) []*loadStream {
	streams := make([]*loadStream, w.Streams)
	for i := range streams {
		streams[i] = newLoadStream(i, l.client, l.target.URL, w)
	}
	return streams
}

// run runs every stream at once and waits until the last event is received
// and committed.
func (l *Load) run(ctx context.Context, streams []*loadStream) Result {
	results := make([]streamResult, len(streams))
	var wg sync.WaitGroup
	cpu, self, host := l.target.cpu(), processCPU(), hostCPU()
	start := time.Now()
	for i, s := range streams {
		wg.Go(func() { results[i] = s.run(ctx, start) })
	}
	wg.Wait()
	expected := 0
	for _, r := range results {
		expected += r.expected
	}
	rows, flushErr := l.target.flushRecorded(ctx, l.target.sent+expected)
	elapsed := time.Since(start)
	cpu, self, host = l.target.cpu()-cpu, processCPU()-self, hostCPU()-host

	res := Result{Target: l.target.Name, Workload: streams[0].w, Runs: 1, Elapsed: elapsed, CPU: cpu, OtherCPU: host - cpu, rows: rows}
	if l.target.proc != nil {
		res.OtherCPU -= self // the load client and the upstream are ours, not other processes'
	}
	errs := []error{flushErr}
	n := 0
	for _, r := range results {
		n += len(r.latencies)
	}
	all := make([]int64, 0, n)
	for _, r := range results {
		res.Exchanges += r.exchanges
		res.Expected += r.expected
		res.Received += r.received
		all = append(all, r.latencies...)
		errs = append(errs, r.err)
	}
	l.target.sent += res.Expected
	res.latencies = all
	res.Latency = percentiles(all)
	res.Err = errors.Join(errs...)
	return res
}
