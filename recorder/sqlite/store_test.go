package sqlite_test

import (
	"database/sql"
	"os"
	"path/filepath"
	"testing"

	"github.com/a2aproxy/a2a-proxy/recorder"
	rt "github.com/a2aproxy/a2a-proxy/recorder/recordertest"
)

// TestReopenKeepsMigrations pins that a reopened file is not migrated again:
// the migrations recorded stay the same.
func TestReopenKeepsMigrations(t *testing.T) {
	s, path := openStore(t, recorder.Options{})
	rt.RecordTask(t, s, "ex-1", "a", "task-1", "ctx-1", rt.T0, "completed")
	if err := s.Close(); err != nil {
		t.Fatalf("close: %v", err)
	}
	applied := appliedMigrations(t, path)
	s, err := openAt(t, path, recorder.Options{})
	if err != nil {
		t.Fatalf("reopen: %v", err)
	}
	defer s.Close()
	if again := appliedMigrations(t, path); again != applied || applied == 0 {
		t.Errorf("migrations recorded = %d after reopen, %d before; want the same, non-zero", again, applied)
	}
}

func appliedMigrations(t *testing.T, path string) int {
	t.Helper()
	db, err := sql.Open("sqlite", path)
	if err != nil {
		t.Fatalf("open %s: %v", path, err)
	}
	defer db.Close()
	var n int
	if err := db.QueryRow(`SELECT count(*) FROM schema_migrations`).Scan(&n); err != nil {
		t.Fatalf("count migrations: %v", err)
	}
	return n
}

func TestOpenPathWithURICharacters(t *testing.T) {
	path := filepath.Join(t.TempDir(), "a dir?#%", "db #1?.db")
	if err := os.MkdirAll(filepath.Dir(path), 0o755); err != nil {
		t.Fatal(err)
	}
	s, err := openAt(t, path, recorder.Options{})
	if err != nil {
		t.Fatalf("open: %v", err)
	}
	rt.RecordTask(t, s, "ex-1", "a", "task-1", "ctx-1", rt.T0, "completed")
	if err := s.Close(); err != nil {
		t.Fatalf("close: %v", err)
	}
	if _, err := os.Stat(path); err != nil {
		t.Errorf("database not at the given path: %v", err)
	}
}

func TestOpenRejectsUnknownModeAndEmptyPath(t *testing.T) {
	_, err := openAt(t, filepath.Join(t.TempDir(), "x.db"), recorder.Options{Mode: "sometimes"})
	if err == nil {
		t.Fatal("Open with an unknown mode succeeded")
	}
	if _, err := openAt(t, "", recorder.Options{}); err == nil {
		t.Fatal("Open with an empty path succeeded")
	}
}
