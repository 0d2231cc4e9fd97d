package sqlite_test

import (
	"bytes"
	"context"
	"database/sql"
	"fmt"
	"os"
	"strings"
	"testing"
	"time"

	"github.com/a2aproxy/a2a-proxy/recorder"
	rt "github.com/a2aproxy/a2a-proxy/recorder/recordertest"
)

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

func TestFailedCommitIsCountedMarkedAndLogged(t *testing.T) {
	var logs rt.SyncBuffer
	s, path := openStore(t, recorder.Options{Logger: rt.Logger(&logs)})
	execOn(t, path, `CREATE TRIGGER refuse_seq_3 BEFORE INSERT ON events WHEN NEW.seq = 3
		BEGIN SELECT RAISE(ABORT, 'refused by the test'); END`)

	ex := rt.NewExchange("ex-1", "a", rt.T0)
	s.StartExchange(ex)
	const events = 6
	for seq := range events {
		if !s.RecordEvent(rt.StatusEvent(ex, seq, "task-1", "ctx", "working", "")) {
			t.Fatalf("event %d refused", seq)
		}
	}
	s.FinishExchange(rt.Finish(ex.ID, rt.T0.Add(time.Minute), events))
	rt.Flush(t, s)

	if n := rt.EventCount(t, s, ex.ID); n != events-1 {
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

func TestDiskFullIsCounted(t *testing.T) {
	dir := mountTmpfs(t, "2m")
	var logs rt.SyncBuffer
	s, err := openAt(t, dir+"/recorder.db", recorder.Options{Logger: rt.Logger(&logs)})
	if err != nil {
		t.Fatal(err)
	}
	defer s.Close()
	fill := fillDisk(t, dir)

	ex := rt.NewExchange("ex-1", "a", rt.T0)
	s.StartExchange(ex)
	big := bytes.Repeat([]byte("x"), 64<<10)
	const events = 40 // 2.5 MiB: more than the whole file system
	for seq := range events {
		raw := fmt.Appendf(nil, "data: %s\n\n", big)
		if !s.RecordEvent(rt.NewEvent(ex, seq, raw, nil)) {
			t.Fatalf("event %d refused", seq)
		}
	}
	s.FinishExchange(rt.Finish(ex.ID, rt.T0.Add(time.Minute), events))
	rt.Flush(t, s)
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
	next := rt.RecordTask(t, s, "ex-2", "a", "task-2", "ctx", rt.T0.Add(time.Hour), "completed")
	rt.Flush(t, s)
	if n := rt.EventCount(t, s, next.ID); n != 2 {
		t.Errorf("events after the disk has room = %d, want 2", n)
	}
}

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
