package postgres

import (
	"context"
	"fmt"
	"sync"
	"testing"
	"time"

	"github.com/a2aproxy/a2a-proxy/internal/pgtest"
	"github.com/a2aproxy/a2a-proxy/recorder"
)

// BenchmarkCommit measures the writer's side of PostgreSQL: batches of the
// default size (2,048 items) of status events spread over 50 open streams,
// each event a task update as the proxy records it.
func BenchmarkCommit(b *testing.B) {
	s, err := Open(context.Background(), pgtest.Start(b))
	if err != nil {
		b.Fatalf("open: %v", err)
	}
	defer s.Close()
	const streams, batchSize = 50, 2048
	exchanges := make([]*recorder.Exchange, streams)
	var items []recorder.Item
	for i := range exchanges {
		exchanges[i] = newExchange(fmt.Sprintf("ex-%02d", i), "bench", t0)
		items = append(items, recorder.Item{Start: exchanges[i]})
	}
	if err := s.Commit(context.Background(), batchOf(items)); err != nil {
		b.Fatalf("commit starts: %v", err)
	}
	seq := make([]int, streams)
	b.ReportAllocs()
	b.ResetTimer()
	began := time.Now()
	for i := 0; i < b.N; i++ {
		items = items[:0]
		for j := range batchSize {
			k := j % streams
			ex := exchanges[k]
			items = append(items, recorder.Item{Event: statusEvent(ex, seq[k], fmt.Sprintf("task-%02d", k), "ctx", "working", "step")})
			seq[k]++
		}
		if err := s.Commit(context.Background(), batchOf(items)); err != nil {
			b.Fatalf("commit: %v", err)
		}
	}
	b.ReportMetric(float64(b.N*batchSize)/time.Since(began).Seconds(), "events/s")
}

// BenchmarkRecorderLossless measures what the recorder keeps up with on
// PostgreSQL in lossless mode: 50 streams sending status events as fast as
// they can, through the queue and the writer, until all are committed.
func BenchmarkRecorderLossless(b *testing.B) {
	r, err := OpenRecorder(context.Background(), pgtest.Start(b), recorder.Options{Mode: recorder.ModeLossless})
	if err != nil {
		b.Fatalf("open: %v", err)
	}
	defer r.Close()
	const streams = 50
	exchanges := make([]*recorder.Exchange, streams)
	for i := range exchanges {
		exchanges[i] = newExchange(fmt.Sprintf("ex-%02d", i), "bench", t0)
		r.StartExchange(exchanges[i])
	}
	perStream := max(b.N/streams, 1)
	b.ReportAllocs()
	b.ResetTimer()
	began := time.Now()
	var wg sync.WaitGroup
	for i, ex := range exchanges {
		wg.Go(func() {
			for seq := range perStream {
				r.RecordEvent(statusEvent(ex, seq, fmt.Sprintf("task-%02d", i), "ctx", "working", "step"))
			}
		})
	}
	wg.Wait()
	if err := r.Flush(context.Background()); err != nil {
		b.Fatalf("flush: %v", err)
	}
	b.ReportMetric(float64(perStream*streams)/time.Since(began).Seconds(), "events/s")
}
