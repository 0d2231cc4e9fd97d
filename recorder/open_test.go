package recorder_test

import (
	"context"
	"database/sql"
	"os"
	"path/filepath"
	"strings"
	"testing"
	"time"

	"github.com/a2aproxy/a2a-proxy/recorder"
)

// TestOpenFailsWhenUnwritable pins that Open refuses, with an error that
// names the file and says what to fix, a database it cannot write, instead
// of starting and losing every write. Tests run as root, for whom chmod does
// not stop writes, so read-only cases use a tmpfs remounted read-only (and
// chmod when not root).
func TestOpenFailsWhenUnwritable(t *testing.T) {
	for _, tc := range []struct {
		name string
		path func(t *testing.T) string
		want string
	}{
		{"parent is a regular file", func(t *testing.T) string {
			file := filepath.Join(t.TempDir(), "file")
			if err := os.WriteFile(file, nil, 0o644); err != nil {
				t.Fatal(err)
			}
			return filepath.Join(file, "recorder.db")
		}, "cannot write the database"},
		{"existing file on a read-only file system", func(t *testing.T) string {
			dir, path := readOnlyDir(t)
			createDB(t, path)
			makeReadOnly(t, dir, path)
			return path
		}, "cannot write the database"},
		{"new file in a read-only directory", func(t *testing.T) string {
			dir, path := readOnlyDir(t)
			makeReadOnly(t, dir, "")
			return path
		}, "cannot write the database"},
		{"locked by another writer", func(t *testing.T) string {
			path := filepath.Join(t.TempDir(), "recorder.db")
			createDB(t, path)
			holdWriteLock(t, path)
			return path
		}, "locked by another process"},
	} {
		t.Run(tc.name, func(t *testing.T) {
			path := tc.path(t)
			s, err := recorder.Open(context.Background(), path, recorder.Options{})
			if err == nil {
				s.Close()
				t.Fatal("Open succeeded on a database it cannot write")
			}
			if msg := err.Error(); !strings.Contains(msg, tc.want) || !strings.Contains(msg, path) {
				t.Errorf("error = %q, want it to contain %q and the path", msg, tc.want)
			}
		})
	}
}

// readOnlyDir returns a directory that makeReadOnly can make read-only, and
// a database path in it.
func readOnlyDir(t *testing.T) (dir, path string) {
	if os.Geteuid() == 0 {
		dir = mountTmpfs(t, "4m")
	} else {
		dir = t.TempDir()
	}
	return dir, filepath.Join(dir, "recorder.db")
}

// makeReadOnly stops this process from writing in dir (and to file, if
// set): a read-only remount for root, chmod otherwise.
func makeReadOnly(t *testing.T, dir, file string) {
	t.Helper()
	if os.Geteuid() == 0 {
		remountReadOnly(t, dir)
		return
	}
	if file != "" {
		if err := os.Chmod(file, 0o444); err != nil {
			t.Fatal(err)
		}
	}
	if err := os.Chmod(dir, 0o555); err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { os.Chmod(dir, 0o755) })
}

// createDB creates and migrates a database at path, and closes it.
func createDB(t *testing.T, path string) {
	t.Helper()
	s, err := recorder.Open(context.Background(), path, recorder.Options{})
	if err != nil {
		t.Fatalf("create %s: %v", path, err)
	}
	if err := s.Close(); err != nil {
		t.Fatalf("close: %v", err)
	}
}

// holdWriteLock holds an exclusive transaction on path from another
// connection until the test ends, as another writer process would.
func holdWriteLock(t *testing.T, path string) {
	t.Helper()
	db, err := sql.Open("sqlite", "file:"+path+"?_pragma=journal_mode(WAL)")
	if err != nil {
		t.Fatal(err)
	}
	conn, err := db.Conn(context.Background())
	if err != nil {
		t.Fatal(err)
	}
	if _, err := conn.ExecContext(context.Background(), "BEGIN EXCLUSIVE"); err != nil {
		t.Fatalf("begin exclusive: %v", err)
	}
	t.Cleanup(func() {
		conn.ExecContext(context.Background(), "ROLLBACK")
		conn.Close()
		db.Close()
	})
}

// TestOpenClosesInterruptedExchanges pins that an exchange left open by a
// previous run (a crash: no end was ever written) is closed by the next Open
// with outcome interrupted, at its last recorded event, with the events it
// has, as an incomplete recording; its task keeps the state it had.
func TestOpenClosesInterruptedExchanges(t *testing.T) {
	path := filepath.Join(t.TempDir(), "recorder.db")
	s, err := recorder.Open(context.Background(), path, recorder.Options{})
	if err != nil {
		t.Fatal(err)
	}
	open := newExchange("ex-open", "a", t0)
	s.StartExchange(open)
	for seq, state := range []string{"submitted", "working"} {
		s.RecordEvent(statusEvent(open, seq, "task-1", "ctx", state, ""))
	}
	done := recordTask(t, s, "ex-done", "a", "task-2", "ctx", t0.Add(time.Second), "completed")
	if err := s.Close(); err != nil { // the open exchange stays open, as after kill -9
		t.Fatal(err)
	}

	s = reopen(t, path)
	got, err := s.GetTask(context.Background(), "task-1")
	if err != nil {
		t.Fatal(err)
	}
	x := got.Exchanges[0]
	lastEvent := t0.Add(200 * time.Millisecond) // newEvent's offset of seq 1
	if x.Outcome != recorder.OutcomeInterrupted || x.EndedAt == nil || !x.EndedAt.Equal(lastEvent) ||
		x.EventCount != 2 || x.RecordingComplete || x.Error == "" {
		t.Errorf("interrupted exchange = outcome %q, ended %v, %d events, complete %t, error %q; want interrupted at %v, 2 events, incomplete",
			x.Outcome, x.EndedAt, x.EventCount, x.RecordingComplete, x.Error, lastEvent)
	}
	if got.Task.State != "working" {
		t.Errorf("task state = %q, want working (left as recorded)", got.Task.State)
	}
	other, err := s.GetTask(context.Background(), "task-2")
	if err != nil {
		t.Fatal(err)
	}
	if x := other.Exchanges[0]; x.ID != done.ID || x.Outcome != recorder.OutcomeCompleted || !x.RecordingComplete {
		t.Errorf("finished exchange = %+v, want it untouched", x)
	}
}

func reopen(t *testing.T, path string) *recorder.Store {
	t.Helper()
	s, err := recorder.Open(context.Background(), path, recorder.Options{})
	if err != nil {
		t.Fatalf("reopen: %v", err)
	}
	t.Cleanup(func() { s.Close() })
	return s
}
