package sqlite_test

import (
	"fmt"
	"sync/atomic"
	"testing"
	"time"

	"github.com/google/uuid"

	"github.com/a2aproxy/a2a-proxy/internal/a2awire"
	"github.com/a2aproxy/a2a-proxy/recorder"
	rt "github.com/a2aproxy/a2a-proxy/recorder/recordertest"
)

// BenchmarkStoreRecordEvent measures sustained recording throughput in
// lossless mode: ~300-byte status updates spread over a number of concurrent
// streams (one task each), timed until the last one is committed.
func BenchmarkStoreRecordEvent(b *testing.B) {
	for _, streams := range []int{1, 64, 1024} {
		b.Run(fmt.Sprintf("streams=%d", streams), func(b *testing.B) {
			benchmarkRecordEvent(b, streams)
		})
	}
}

func benchmarkRecordEvent(b *testing.B, streams int) {
	s, _ := openStore(b, recorder.Options{Mode: recorder.ModeLossless})

	// IDs are UUIDs, as the proxy and the SDKs make them.
	exchanges := make([]*recorder.Exchange, streams)
	tasks := make([]string, streams)
	raws := make([][]byte, streams)
	for i := range exchanges {
		tasks[i] = uuid.NewString()
		ex := rt.NewExchange(uuid.Must(uuid.NewV7()).String(), "bench", rt.T0)
		s.StartExchange(ex)
		exchanges[i] = ex
		raws[i] = rt.StatusEvent(ex, 0, tasks[i], contextID, "working", statusMessage).Raw
	}
	rt.Flush(b, s)
	if n := len(raws[0]); n < 250 || n > 350 {
		b.Fatalf("event is %d bytes, want about 300", n)
	}

	var next atomic.Int64
	b.ReportAllocs()
	b.SetBytes(int64(len(raws[0])))
	b.ResetTimer()
	b.RunParallel(func(pb *testing.PB) {
		for pb.Next() {
			n := int(next.Add(1) - 1)
			i := n % streams
			ex := exchanges[i]
			offset := time.Duration(n) * time.Microsecond
			s.RecordEvent(&recorder.Event{
				ExchangeID: ex.ID,
				Agent:      ex.Agent,
				Seq:        n / streams,
				Offset:     offset,
				At:         ex.StartedAt.Add(offset),
				Raw:        raws[i],
				Fields:     a2awire.Fields{Kind: "status-update", TaskID: tasks[i], ContextID: contextID, State: "working", Text: statusMessage},
			})
		}
	})
	rt.Flush(b, s)
	b.StopTimer()

	b.ReportMetric(float64(b.N)/b.Elapsed().Seconds(), "events/s")
	if st := s.Stats(); st.WrittenEvents != uint64(b.N) || st.DroppedEvents != 0 {
		b.Fatalf("stats = %+v, want %d written, none dropped", st, b.N)
	}
}

const statusMessage = "Step 1 of 3"

const contextID = "0b8f3c2e-5d1a-4e6f-9a7b-2c4d6e8f0a1b"
