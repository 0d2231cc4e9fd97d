package main

import (
	"context"
	"errors"
	"testing"

	"github.com/a2aproxy/a2a-proxy/recorder"
)

// TestDBPostgresURLIsRefusedClearly pins that --db postgres://... and
// postgresql://... are taken for PostgreSQL, not for a SQLite file of that
// name, and refused with a clear error while the backend is not built in.
func TestDBPostgresURLIsRefusedClearly(t *testing.T) {
	for _, db := range []string{"postgres://u@localhost/a2a", "postgresql://localhost/a2a"} {
		s, err := openRecorder(context.Background(), db, recorder.Options{})
		if !errors.Is(err, errNoPostgres) {
			if s != nil {
				s.Close()
			}
			t.Errorf("openRecorder(%q): err = %v, want %v", db, err, errNoPostgres)
		}
	}
}
