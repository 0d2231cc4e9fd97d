package recorder_test

import (
	"bytes"
	"context"
	"database/sql"
	"fmt"
	"log/slog"
	"os"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/a2aproxy/a2a-proxy/recorder"
)

// syncBuffer is a log sink the writer goroutine and the test share.
type syncBuffer struct {
	mu  sync.Mutex
	buf bytes.Buffer
}

func (b *syncBuffer) Write(p []byte) (int, error) {
	b.mu.Lock()
	defer b.mu.Unlock()
	return b.buf.Write(p)
}

func (b *syncBuffer) String() string {
	b.mu.Lock()
	defer b.mu.Unlock()
	return b.buf.String()
}

func testLogger(buf *syncBuffer) *slog.Logger {
	return slog.New(slog.NewTextHandler(buf, nil))
}

// execOn runs statements on the store's file from another connection, as
// an operator (or a failure) would.
func execOn(t *testing.T, path string, stmts ...string) {
	t.Helper()
	db, err := sql.Open("sqlite", "file:"+path+"?_pragma=busy_timeout(5000)")
	if err != nil {
		t.Fatal(err)
	}
	defer db.Close()
	for _, stmt := range stmts {
		if _, err := db.Exec(stmt); err != nil {
			t.Fatalf("%s: %v", stmt, err)
		}
	}
}

// TestFailedCommitIsCountedMarkedAndLogged pins that an event whose insert
// fails (here: a trigger that refuses it, on the real database file) is lost
// alone, counted under commit_failed, logged with its count, reported as a
// recent loss, and marked on its exchange: its recording is incomplete and
// its dropped events include it.
func TestFailedCommitIsCountedMarkedAndLogged(t *testing.T) {
	var logs syncBuffer
	s, path := openStore(t, recorder.Options{Logger: testLogger(&logs)})
	execOn(t, path, `CREATE TRIGGER refuse_seq_3 BEFORE INSERT ON events WHEN NEW.seq = 3
		BEGIN SELECT RAISE(ABORT, 'refused by the test'); END`)

	ex := newExchange("ex-1", "a", t0)
	s.StartExchange(ex)
	const events = 6
	for seq := range events {
		if !s.RecordEvent(statusEvent(ex, seq, "task-1", "ctx", "working", "")) {
			t.Fatalf("event %d refused", seq)
		}
	}
	s.FinishExchange(finish(ex.ID, t0.Add(time.Minute), events))
	flush(t, s)

	if n := eventCount(t, s, ex.ID); n != events-1 {
		t.Errorf("events stored = %d, want %d (all but the refused one)", n, events-1)
	}
	st := s.Stats()
	if st.Lost[recorder.LossCommitFailed] != 1 || len(st.Lost) != 1 || st.FailedItems != 1 {
		t.Errorf("stats = %+v, want 1 lost (commit_failed)", st)
	}
	losses := s.Losses()
	if losses.Recent[recorder.LossCommitFailed] != 1 || losses.RecentTotal() != 1 || losses.LastAt.IsZero() {
		t.Errorf("losses = %+v, want 1 recent commit_failed", losses)
	}
	got, err := s.GetTask(context.Background(), "task-1")
	if err != nil {
		t.Fatal(err)
	}
	if x := got.Exchanges[0]; x.DroppedEvents != 1 || x.RecordingComplete || x.Outcome != recorder.OutcomeCompleted {
		t.Errorf("exchange = dropped %d, complete %t, outcome %q; want 1 dropped, incomplete, completed", x.DroppedEvents, x.RecordingComplete, x.Outcome)
	}
	if out := logs.String(); !strings.Contains(out, "recorder lost items") || !strings.Contains(out, "commit_failed=1") || !strings.Contains(out, "refused by the test") {
		t.Errorf("log = %q, want a line with commit_failed=1 and the error", out)
	}
}

// TestDiskFullIsCounted pins that writes failing on a full file system (a
// tmpfs filled up by the test) are counted as disk_full, the traffic's
// calls do not fail or wait, and recording resumes once there is room.
func TestDiskFullIsCounted(t *testing.T) {
	dir := mountTmpfs(t, "2m")
	var logs syncBuffer
	s, err := recorder.Open(context.Background(), dir+"/recorder.db", recorder.Options{Logger: testLogger(&logs)})
	if err != nil {
		t.Fatal(err)
	}
	defer s.Close()
	fill := fillDisk(t, dir)

	ex := newExchange("ex-1", "a", t0)
	s.StartExchange(ex)
	big := bytes.Repeat([]byte("x"), 64<<10)
	const events = 40 // 2.5 MiB: more than the whole file system
	for seq := range events {
		raw := fmt.Appendf(nil, "data: %s\n\n", big)
		if !s.RecordEvent(newEvent(ex, seq, raw, nil)) {
			t.Fatalf("event %d refused", seq)
		}
	}
	s.FinishExchange(finish(ex.ID, t0.Add(time.Minute), events))
	flush(t, s)
	st := s.Stats()
	if st.Lost[recorder.LossDiskFull] == 0 || st.WrittenEvents+st.Lost[recorder.LossDiskFull] < events {
		t.Fatalf("stats = %+v, want the events not written counted as disk_full", st)
	}
	t.Log(logs.String())
	if !strings.Contains(logs.String(), "disk_full=") {
		t.Errorf("log = %q, want disk_full counted", logs.String())
	}

	// Room again: the next exchange is recorded whole.
	fill()
	next := recordTask(t, s, "ex-2", "a", "task-2", "ctx", t0.Add(time.Hour), "completed")
	flush(t, s)
	if n := eventCount(t, s, next.ID); n != 2 {
		t.Errorf("events after the disk has room = %d, want 2", n)
	}
}

// fillDisk fills the file system at dir and returns a func that frees it.
func fillDisk(t *testing.T, dir string) (free func()) {
	t.Helper()
	name := dir + "/filler"
	var data [64 << 10]byte
	f, err := os.Create(name)
	if err != nil {
		t.Fatal(err)
	}
	for {
		if _, err := f.Write(data[:]); err != nil {
			break
		}
	}
	for { // the last partial blocks
		if _, err := f.Write(data[:512]); err != nil {
			break
		}
	}
	f.Close()
	return func() {
		if err := os.Remove(name); err != nil {
			t.Fatal(err)
		}
	}
}

// TestBurstLargerThanTheOldQueueIsKept pins that a burst of 50,000 events
// from many goroutines at once, in the default (drop) mode, with the writer
// held so that they arrive much faster than it commits, is kept whole: the
// byte budget holds it where the old 8,192-item queue dropped most of it.
func TestBurstLargerThanTheOldQueueIsKept(t *testing.T) {
	b := newBlockedWriter()
	s, _ := openStore(t, recorder.Options{OnCommit: b.onCommit})
	const streams, perStream = 50, 1000
	exchanges := make([]*recorder.Exchange, streams)
	for i := range exchanges {
		exchanges[i] = newExchange(fmt.Sprintf("ex-%d", i), "a", t0.Add(time.Duration(i)*time.Second))
		s.StartExchange(exchanges[i])
	}
	s.RecordEvent(statusEvent(exchanges[0], 0, "task-0", "ctx", "working", ""))
	<-b.entered // the writer is held until every event is queued

	var wg sync.WaitGroup
	for i, ex := range exchanges {
		wg.Go(func() {
			for seq := range perStream {
				if i == 0 && seq == 0 {
					continue
				}
				if !s.RecordEvent(statusEvent(ex, seq, fmt.Sprintf("task-%d", i), "ctx", "working", "")) {
					t.Errorf("event %s/%d dropped", ex.ID, seq)
					return
				}
			}
			s.FinishExchange(finish(ex.ID, ex.StartedAt.Add(time.Minute), perStream))
		})
	}
	wg.Wait()
	if q := s.Stats().Queued; q < streams*perStream-1 {
		t.Errorf("queued = %d, want the whole burst waiting", q)
	}
	close(b.release)
	flush(t, s)
	st := s.Stats()
	if st.WrittenEvents != streams*perStream || len(st.Lost) != 0 || st.DroppedEvents != 0 {
		t.Errorf("stats = %+v, want %d written, nothing lost", st, streams*perStream)
	}
}
