// Package replaytest serves fixtures (a2a-proxy export files) as an A2A
// agent for Go tests, as net/http/httptest serves handlers:
//
//	func TestWeather(t *testing.T) {
//		agent := replaytest.NewServer(t, "testdata/*.ndjson")
//		// point the client under test at agent.URL + "/?speed=0"
//	}
//
// Each request is matched to a recording by method and user text, as
// `a2a-proxy replay serve --from` does (docs/replay.md). With
// RecordMissing, a request no fixture matches is forwarded to a live agent
// and its answer appended to a fixture file, so the next run replays it.
//
// It is a package of its own, as httptest is, so that package replay, which
// the a2a-proxy binary links, does not import testing.
package replaytest

import (
	"fmt"
	"net/http/httptest"
	"os"
	"path/filepath"
	"slices"
	"strings"
	"testing"

	"github.com/a2aproxy/a2a-proxy/replay"
)

// Option configures a server.
type Option func(*config)

type config struct {
	live   string
	target string
}

// RecordMissing forwards the requests no fixture matches to the live agent
// at agentURL, answers them live and appends their recordings to the first
// file the pattern matches (or the RecordTo file). Without it, such a
// request gets a JSON-RPC error quoting its text.
func RecordMissing(agentURL string) Option { return func(c *config) { c.live = agentURL } }

// RecordTo names the file RecordMissing appends to; it is read as a fixture
// too, and created if missing.
func RecordTo(file string) Option { return func(c *config) { c.target = file } }

// NewServer starts a replay agent serving the fixture files pattern matches
// (filepath.Glob) and closes it when the test ends. Its URL is the agent's
// base URL; add ?speed=0 to replay without the recorded pauses. A pattern
// that is a plain path to a missing file is where RecordMissing starts
// recording.
func NewServer(tb testing.TB, pattern string, opts ...Option) *httptest.Server {
	tb.Helper()
	srv, err := Start(pattern, opts...)
	if err != nil {
		tb.Fatalf("replaytest: %v", err)
	}
	tb.Cleanup(srv.Close)
	return srv
}

// Start is NewServer outside a test: the caller closes the server.
func Start(pattern string, opts ...Option) (*httptest.Server, error) {
	var c config
	for _, opt := range opts {
		opt(&c)
	}
	files, err := filepath.Glob(pattern)
	if err != nil {
		return nil, fmt.Errorf("fixtures %q: %w", pattern, err)
	}
	var live *replay.RecordMissing
	if c.live != "" {
		target := c.target
		if target == "" && len(files) > 0 {
			target = files[0]
		}
		if target == "" && !strings.ContainsAny(pattern, `*?[\`) {
			target = pattern // a fixture yet to be made
		}
		if target == "" {
			return nil, fmt.Errorf("no fixture matches %q: name the file to record to with RecordTo", pattern)
		}
		if _, err := os.Stat(target); err == nil && !slices.Contains(files, target) {
			files = append(files, target)
		}
		live = &replay.RecordMissing{URL: c.live, File: target}
	} else if len(files) == 0 {
		return nil, fmt.Errorf("no fixture matches %q", pattern)
	}
	recs, err := replay.ReadFixtures(files...)
	if err != nil {
		return nil, err
	}
	agent, err := replay.NewAgent(replay.AgentOptions{Recordings: recs, Strict: true, RecordMissing: live})
	if err != nil {
		return nil, fmt.Errorf("fixtures %q: %w", pattern, err)
	}
	return httptest.NewServer(agent), nil
}
