package sqlite_test

import (
	"context"
	"path/filepath"
	"testing"

	"github.com/a2aproxy/a2a-proxy/recorder"
	"github.com/a2aproxy/a2a-proxy/recorder/recordertest"
	"github.com/a2aproxy/a2a-proxy/recorder/sqlite"
)

// TestContract runs the backend contract suite on SQLite files.
func TestContract(t *testing.T) {
	paths := map[recorder.Backend]string{} // the suite's tests run one at a time
	open := func(t *testing.T, path string) recorder.Backend {
		s, err := sqlite.Open(context.Background(), path)
		if err != nil {
			t.Fatalf("open %s: %v", path, err)
		}
		paths[s] = path
		return s
	}
	recordertest.Run(t,
		func(t *testing.T) recorder.Backend { return open(t, filepath.Join(t.TempDir(), "recorder.db")) },
		recordertest.WithReopen(func(t *testing.T, closed recorder.Backend) recorder.Backend {
			return open(t, paths[closed])
		}))
}

// openAt opens a Recorder on the SQLite file at path, as the proxy does.
func openAt(t testing.TB, path string, opts recorder.Options) (*recorder.Recorder, error) {
	t.Helper()
	return sqlite.OpenRecorder(context.Background(), path, opts)
}

// openStore opens a Recorder on a new file, closed when the test ends.
func openStore(t testing.TB, opts recorder.Options) (*recorder.Recorder, string) {
	t.Helper()
	path := filepath.Join(t.TempDir(), "recorder.db")
	s, err := openAt(t, path, opts)
	if err != nil {
		t.Fatalf("open store: %v", err)
	}
	t.Cleanup(func() {
		if err := s.Close(); err != nil {
			t.Errorf("close store: %v", err)
		}
	})
	return s, path
}
