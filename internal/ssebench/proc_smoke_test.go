package ssebench

import (
	"runtime"
	"testing"
	"time"

	"github.com/a2aproxy/a2a-proxy/internal/pgtest"
	"github.com/a2aproxy/a2a-proxy/recorder"
)

// TestProcessSmoke pins the harness's process mode, in which the report's
// figures are taken: every target process (the real a2a-proxy binary on
// SQLite in both record modes and on PostgreSQL, a bare ReverseProxy
// process, nginx) passes every event of a short run to the client, and a2a-proxy's store holds every event
// sent, warm-ups included. It checks counts, not speed.
func TestProcessSmoke(t *testing.T) {
	if runtime.GOOS != "linux" {
		t.Skip("reads process CPU from /proc")
	}
	up := startUpstream(t)
	w := Workload{Streams: 5, Interval: time.Millisecond, Size: 400, PerExchange: 10, Events: 100}
	for _, tc := range []struct {
		name      string
		newTarget func(t *testing.T) newTargetFunc
		recorded  bool
	}{
		{"a2a-proxy", func(*testing.T) newTargetFunc { return a2aProxyProcess("a2a-proxy", recorder.ModeDrop, nil) }, true},
		{"a2a-proxy-lossless", func(*testing.T) newTargetFunc {
			return a2aProxyProcess("a2a-proxy-lossless", recorder.ModeLossless, nil)
		}, true},
		{"a2a-proxy-pg", func(t *testing.T) newTargetFunc {
			return a2aProxyProcess("a2a-proxy-pg", recorder.ModeDrop, pgtest.New(t))
		}, true},
		{"bare", func(*testing.T) newTargetFunc { return bareProcess }, false},
		{"nginx", func(*testing.T) newTargetFunc { return nginxProcess }, false},
	} {
		t.Run(tc.name, func(t *testing.T) {
			res, rec := measure(t, tc.newTarget(t), up, w)
			if res.Received != w.Events || res.Exchanges != 14 {
				t.Errorf("received %d events in %d exchanges, want %d in 14", res.Received, res.Exchanges, w.Events)
			}
			if tc.recorded {
				if err := CheckRecorded(res, rec); err != nil {
					t.Error(err)
				}
				if rec.Sent != w.Events+5*warmUpEvents {
					t.Errorf("%d events sent through the target, want %d", rec.Sent, w.Events+5*warmUpEvents)
				}
			}
		})
	}
}
