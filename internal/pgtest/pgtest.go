// Package pgtest starts real PostgreSQL servers for tests. It is a test rig:
// only _test.go files import it (TestOnlyTestsImportPgtest checks).
//
// A test that needs a database of its own calls Start:
//
//	func TestMain(m *testing.M) { pgtest.Main(m) } // one server for the whole binary
//
//	func TestSomething(t *testing.T) {
//		dsn := pgtest.Start(t) // postgres://postgres@127.0.0.1:<port>/t_<n>?sslmode=disable
//		...
//	}
//
// A test that stops, crashes or restarts the server takes one of its own
// with New, never the shared one.
//
// The server comes from Debian's postgresql package (`make postgres-deps`):
// initdb and postgres on PATH, else under /usr/lib/postgresql/<major>/bin,
// the highest major first. Without them a test is skipped, or fails when the
// CI environment variable is set.
package pgtest

import (
	"fmt"
	"os"
	"sync"
	"testing"
)

// shared is the server of a test binary whose TestMain calls Main, started
// by the first Start.
var shared struct {
	sync.Mutex
	main bool    // Main is running the tests
	srv  *Server // nil until a test needs it
	err  error   // why it could not start: later tests fail at once the same way
}

// Main runs the tests of a binary that share one server (see Start), then
// stops the server and removes its directory. Call it from TestMain.
func Main(m *testing.M) {
	shared.Lock()
	shared.main = true
	shared.Unlock()

	code := m.Run()

	shared.Lock()
	srv := shared.srv
	shared.Unlock()
	if srv != nil {
		if err := srv.close(); err != nil {
			fmt.Fprintln(os.Stderr, "pgtest:", err)
			if code == 0 {
				code = 1
			}
		}
	}
	os.Exit(code)
}

// Start returns the DSN of a new, empty database for tb. The database lives
// on the binary's shared server when TestMain calls Main, and on a server of
// tb's own (stopped and removed when tb ends) otherwise. Tests may run in
// parallel: each gets its own database.
func Start(tb testing.TB) string {
	tb.Helper()
	bin := findBins(tb)
	shared.Lock()
	if !shared.main {
		shared.Unlock()
		return newServer(tb, bin).CreateDatabase(tb)
	}
	if shared.srv == nil && shared.err == nil {
		shared.srv, shared.err = start(bin)
	}
	srv, err := shared.srv, shared.err
	shared.Unlock()
	if err != nil {
		tb.Fatalf("pgtest: shared server: %v", err)
	}
	tb.Cleanup(func() {
		if tb.Failed() {
			tb.Logf("pgtest: end of the shared server's log:\n%s", srv.logTail())
		}
	})
	return srv.CreateDatabase(tb)
}
