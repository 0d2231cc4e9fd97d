package sqlite_test

import (
	"context"
	"database/sql"
	"os"
	"path/filepath"
	"strings"
	"testing"

	"github.com/a2aproxy/a2a-proxy/recorder"
)

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
			s, err := openAt(t, path, recorder.Options{})
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

func readOnlyDir(t *testing.T) (dir, path string) {
	if os.Geteuid() == 0 {
		dir = mountTmpfs(t, "4m")
	} else {
		dir = t.TempDir()
	}
	return dir, filepath.Join(dir, "recorder.db")
}

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

func createDB(t *testing.T, path string) {
	t.Helper()
	s, err := openAt(t, path, recorder.Options{})
	if err != nil {
		t.Fatalf("create %s: %v", path, err)
	}
	if err := s.Close(); err != nil {
		t.Fatalf("close: %v", err)
	}
}

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

func reopen(t *testing.T, path string) *recorder.Recorder {
	t.Helper()
	s, err := openAt(t, path, recorder.Options{})
	if err != nil {
		t.Fatalf("reopen: %v", err)
	}
	t.Cleanup(func() { s.Close() })
	return s
}
