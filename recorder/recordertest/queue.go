package recordertest

import (
	"context"
	"fmt"
	"sync"
	"sync/atomic"
	"testing"
	"time"

	"github.com/a2aproxy/a2a-proxy/recorder"
)

// blockedWriter holds the writer inside OnCommit after its first batch of

// events, so that the queue fills up deterministically.

type blockedWriter struct {
	entered chan struct{}
	release chan struct{}
	once    sync.Once
}

func newBlockedWriter() *blockedWriter {
	return &blockedWriter{entered: make(chan struct{}), release: make(chan struct{})}
}

func (b *blockedWriter) onCommit([]recorder.Event) {
	b.once.Do(func() {
		close(b.entered)
		<-b.release
	})
}

// queueBudget is the Options.BufferBytes that holds exactly the events

// fillQueue records after the first.

func queueBudget(events int) int64 {
	ex := NewExchange("ex-1", "a", T0)
	var n int64
	for seq := 1; seq <= events; seq++ {
		n += int64(len(StatusEvent(ex, seq, "task-1", "ctx", "working", "").Raw)) + recorder.EventOverhead
	}
	return n
}

// fillQueue starts an exchange and records events until the writer is held

// with a full queue behind it, and returns the exchange and its next seq.

func fillQueue(t *testing.T, s *recorder.Recorder, b *blockedWriter, queueSize int) (*recorder.Exchange, int) {
	t.Helper()
	ex := NewExchange("ex-1", "a", T0)
	s.StartExchange(ex)
	Flush(t, s) // the start spends the budget until it is written
	if !s.RecordEvent(StatusEvent(ex, 0, "task-1", "ctx", "working", "")) {
		t.Fatal("first event dropped")
	}
	<-b.entered
	for seq := 1; seq <= queueSize; seq++ {
		if !s.RecordEvent(StatusEvent(ex, seq, "task-1", "ctx", "working", "")) {
			t.Fatalf("event %d dropped while the queue had room", seq)
		}
	}
	if q := s.Stats().Queued; q != queueSize {
		t.Fatalf("queued = %d, want %d", q, queueSize)
	}
	return ex, queueSize + 1
}

func testDropModeDropsWhenFull(t *testing.T, h *rig) {
	const queueSize = 3
	b := newBlockedWriter()
	s := h.openStore(t, recorder.Options{Mode: recorder.ModeDrop, BufferBytes: queueBudget(queueSize), BatchSize: 1, OnCommit: b.onCommit})
	ex, seq := fillQueue(t, s, b, queueSize)

	if s.RecordEvent(StatusEvent(ex, seq, "task-1", "ctx", "working", "")) {
		t.Fatal("RecordEvent on a full queue = true, want false (dropped)")
	}
	if st := s.Stats(); st.DroppedEvents != 1 || st.Lost[recorder.LossBufferFull] != 1 {
		t.Errorf("stats = %+v, want 1 dropped, counted as lost with reason buffer_full", st)
	}

	close(b.release)
	Flush(t, s)
	if n := EventCount(t, s, ex.ID); n != queueSize+1 {
		t.Errorf("events stored = %d, want %d", n, queueSize+1)
	}
	if st := s.Stats(); st.WrittenEvents != queueSize+1 || st.Queued != 0 {
		t.Errorf("stats = %+v, want %d written, 0 queued", st, queueSize+1)
	}
}

func testLosslessModeWaits(t *testing.T, h *rig) {
	const queueSize = 3
	b := newBlockedWriter()
	s := h.openStore(t, recorder.Options{Mode: recorder.ModeLossless, BufferBytes: queueBudget(queueSize), BatchSize: 1, OnCommit: b.onCommit})
	ex, seq := fillQueue(t, s, b, queueSize)

	recorded := make(chan bool)
	go func() { recorded <- s.RecordEvent(StatusEvent(ex, seq, "task-1", "ctx", "working", "")) }()
	select {
	case <-recorded:
		t.Fatal("RecordEvent returned while the queue was full")
	default:
	}
	close(b.release)
	if !<-recorded {
		t.Fatal("RecordEvent in lossless mode = false")
	}
	Flush(t, s)
	if n := EventCount(t, s, ex.ID); n != queueSize+2 {
		t.Errorf("events stored = %d, want %d", n, queueSize+2)
	}
	if d := s.Stats().DroppedEvents; d != 0 {
		t.Errorf("dropped = %d, want 0", d)
	}
}

func testCloseDrainsTheQueue(t *testing.T, h *rig) {
	const queueSize = 100
	b := newBlockedWriter()
	s := h.openStore(t, recorder.Options{BufferBytes: queueBudget(queueSize), BatchSize: 1, OnCommit: b.onCommit})
	ex, seq := fillQueue(t, s, b, queueSize-1)
	s.FinishExchange(Finish(ex.ID, T0.Add(time.Minute), seq))

	closed := make(chan error)
	go func() { closed <- s.Close() }()
	close(b.release)
	if err := <-closed; err != nil {
		t.Fatalf("close: %v", err)
	}

	// Writes after Close neither panic nor reach the database.
	late := NewExchange("ex-late", "a", T0)
	s.StartExchange(late)
	if s.RecordEvent(StatusEvent(late, 0, "task-late", "ctx", "working", "")) {
		t.Error("RecordEvent after Close = true")
	}
	s.FinishExchange(Finish(late.ID, T0, 1))
	if err := s.Flush(context.Background()); err != nil {
		t.Errorf("Flush after close: %v", err)
	}
	if st := s.Stats(); st.DroppedEvents != 1 || st.IgnoredWrites != 2 || st.WrittenEvents != uint64(seq) || st.Lost[recorder.LossClosed] != 3 {
		t.Errorf("stats after close = %+v, want 1 dropped, 2 ignored, 3 lost as closed, %d written", st, seq)
	}
	if err := s.Close(); err != nil {
		t.Errorf("second close: %v", err)
	}

	s = h.reopen(t, s, recorder.Options{})
	if n := EventCount(t, s, ex.ID); n != seq {
		t.Errorf("events after close = %d, want all %d", n, seq)
	}
	got, err := s.GetTask(context.Background(), "task-1")
	if err != nil {
		t.Fatalf("get task: %v", err)
	}
	if x := got.Exchanges[0]; x.EndedAt == nil || x.EventCount != seq {
		t.Errorf("exchange end not stored: %+v", x)
	}
}

// TestConcurrentWriters records from many goroutines, as the proxy does,

// closing the store after they are done or while they run: every event

// accepted is stored and every other one is counted as dropped.

func testConcurrentWriters(t *testing.T, h *rig) {
	for _, tc := range []struct {
		mode       recorder.Mode
		closeEarly bool
	}{
		{recorder.ModeDrop, false},
		{recorder.ModeLossless, false},
		{recorder.ModeDrop, true},
		{recorder.ModeLossless, true},
	} {
		t.Run(fmt.Sprintf("%s/closeEarly=%t", tc.mode, tc.closeEarly), func(t *testing.T) {
			s := h.openStore(t, recorder.Options{Mode: tc.mode, BufferBytes: queueBudget(64), BatchSize: 16})
			const streams, perStream = 8, 200
			var wg sync.WaitGroup
			var accepted atomic.Int64
			for i := range streams {
				wg.Go(func() {
					ex := NewExchange(fmt.Sprintf("ex-%d", i), "a", T0.Add(time.Duration(i)*time.Second))
					s.StartExchange(ex)
					for seq := range perStream {
						if s.RecordEvent(StatusEvent(ex, seq, fmt.Sprintf("task-%d", i), "ctx", "working", "")) {
							accepted.Add(1)
						}
					}
					s.FinishExchange(Finish(ex.ID, ex.StartedAt.Add(time.Second), perStream))
				})
			}
			if tc.closeEarly {
				if err := s.Close(); err != nil {
					t.Fatalf("close: %v", err)
				}
			}
			wg.Wait()
			if err := s.Close(); err != nil {
				t.Fatalf("close: %v", err)
			}
			st := s.Stats()
			if st.WrittenEvents != uint64(accepted.Load()) || st.WrittenEvents+st.DroppedEvents != streams*perStream {
				t.Errorf("stats = %+v, want %d written of %d", st, accepted.Load(), streams*perStream)
			}
			if tc.mode == recorder.ModeLossless && !tc.closeEarly && st.DroppedEvents != 0 {
				t.Errorf("lossless dropped %d events", st.DroppedEvents)
			}

			s = h.reopen(t, s, recorder.Options{})
			page, err := s.ListTasks(context.Background(), recorder.TaskFilter{Limit: streams})
			if err != nil {
				t.Fatalf("list tasks: %v", err)
			}
			total := 0
			for _, task := range page.Tasks {
				total += task.EventCount
			}
			if total != int(accepted.Load()) {
				t.Errorf("events in the database = %d, want %d", total, accepted.Load())
			}
		})
	}
}

// TestStartsAndEndsNeverWait pins that exchange starts and ends are queued

// at once even when the byte budget is spent and the writer is stuck, in

// lossless mode too: only events ever wait, so a client is never held up

// at the start or end of its exchange.

func testStartsAndEndsNeverWait(t *testing.T, h *rig) {
	const queueSize = 3
	b := newBlockedWriter()
	s := h.openStore(t, recorder.Options{Mode: recorder.ModeLossless, BufferBytes: queueBudget(queueSize), BatchSize: 1, OnCommit: b.onCommit})
	ex, _ := fillQueue(t, s, b, queueSize)

	returned := make(chan struct{})
	go func() {
		other := NewExchange("ex-2", "a", T0)
		s.StartExchange(other)
		s.FinishExchange(Finish(other.ID, T0.Add(time.Second), 0))
		s.FinishExchange(Finish(ex.ID, T0.Add(time.Second), queueSize+1))
		close(returned)
	}()
	select {
	case <-returned:
	case <-time.After(10 * time.Second):
		t.Fatal("StartExchange or FinishExchange waited for room")
	}
	if q := s.Stats().Queued; q != queueSize+3 {
		t.Errorf("queued = %d, want %d", q, queueSize+3)
	}
	close(b.release)
	Flush(t, s)
	if st := s.Stats(); len(st.Lost) != 0 || st.WrittenEvents != queueSize+1 {
		t.Errorf("stats = %+v, want everything written", st)
	}
}
