package recordertest

import (
	"bytes"
	"fmt"
	"log/slog"
	"sync"
	"testing"
	"time"

	"github.com/a2aproxy/a2a-proxy/recorder"
)

// SyncBuffer is a log sink the writer goroutine and the test share.

type SyncBuffer struct {
	mu  sync.Mutex
	buf bytes.Buffer
}

func (b *SyncBuffer) Write(p []byte) (int, error) {
	b.mu.Lock()
	defer b.mu.Unlock()
	return b.buf.Write(p)
}

func (b *SyncBuffer) String() string {
	b.mu.Lock()
	defer b.mu.Unlock()
	return b.buf.String()
}

func Logger(buf *SyncBuffer) *slog.Logger {
	return slog.New(slog.NewTextHandler(buf, nil))
}

// execOn runs statements on the store's file from another connection, as

// an operator (or a failure) would.

// TestFailedCommitIsCountedMarkedAndLogged pins that an event whose insert

// fails (here: a trigger that refuses it, on the real database file) is lost

// alone, counted under commit_failed, logged with its count, reported as a

// recent loss, and marked on its exchange: its recording is incomplete and

// its dropped events include it.

// TestDiskFullIsCounted pins that writes failing on a full file system (a

// tmpfs filled up by the test) are counted as disk_full, the traffic's

// calls do not fail or wait, and recording resumes once there is room.

// fillDisk fills the file system at dir and returns a func that frees it.

// TestBurstLargerThanTheOldQueueIsKept pins that a burst of 50,000 events

// from many goroutines at once, in the default (drop) mode, with the writer

// held so that they arrive much faster than it commits, is kept whole: the

// byte budget holds it where the old 8,192-item queue dropped most of it.

func testBurstLargerThanTheOldQueueIsKept(t *testing.T, h *rig) {
	b := newBlockedWriter()
	s := h.openStore(t, recorder.Options{OnCommit: b.onCommit})
	const streams, perStream = 50, 1000
	exchanges := make([]*recorder.Exchange, streams)
	for i := range exchanges {
		exchanges[i] = NewExchange(fmt.Sprintf("ex-%d", i), "a", T0.Add(time.Duration(i)*time.Second))
		s.StartExchange(exchanges[i])
	}
	s.RecordEvent(StatusEvent(exchanges[0], 0, "task-0", "ctx", "working", ""))
	<-b.entered // the writer is held until every event is queued

	var wg sync.WaitGroup
	for i, ex := range exchanges {
		wg.Go(func() {
			for seq := range perStream {
				if i == 0 && seq == 0 {
					continue
				}
				if !s.RecordEvent(StatusEvent(ex, seq, fmt.Sprintf("task-%d", i), "ctx", "working", "")) {
					t.Errorf("event %s/%d dropped", ex.ID, seq)
					return
				}
			}
			s.FinishExchange(Finish(ex.ID, ex.StartedAt.Add(time.Minute), perStream))
		})
	}
	wg.Wait()
	if q := s.Stats().Queued; q < streams*perStream-1 {
		t.Errorf("queued = %d, want the whole burst waiting", q)
	}
	close(b.release)
	Flush(t, s)
	st := s.Stats()
	if st.WrittenEvents != streams*perStream || len(st.Lost) != 0 || st.DroppedEvents != 0 {
		t.Errorf("stats = %+v, want %d written, nothing lost", st, streams*perStream)
	}
}
