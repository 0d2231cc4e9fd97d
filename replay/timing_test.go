package replay_test

import (
	"context"
	"net/http"
	"strings"
	"testing"
	"time"

	"github.com/a2aproxy/a2a-proxy/internal/a2awire"
	"github.com/a2aproxy/a2a-proxy/recorder"
	"github.com/a2aproxy/a2a-proxy/replay"
)

// A client of the replay agent receives each event at its recorded offset
// divided by the speed: never earlier, and within a generous bound later.
func TestAgentKeepsTheRecordedPace(t *testing.T) {
	const bound = 200 * time.Millisecond
	rec := session(a2awire.V03, "task-1", "hi")
	for i := range rec.Events { // gaps of 0, 60, 20, 120 and 40 ms
		rec.Events[i].Offset = []time.Duration{0, 60, 80, 200, 240}[i] * time.Millisecond
	}
	srv := startAgent(t, replay.AgentOptions{Recordings: []*recorder.Recording{rec}})
	for _, speed := range []string{"1", "10"} {
		body := `{"jsonrpc":"2.0","id":"t","method":"message/stream","params":` + messageParams(a2awire.V03, "hi") + `}`
		req, _ := http.NewRequestWithContext(context.Background(), http.MethodPost, srv.URL+"/?speed="+speed, strings.NewReader(body))
		start := time.Now()
		resp, err := http.DefaultClient.Do(req)
		if err != nil {
			t.Fatal(err)
		}
		var arrivals []time.Duration
		var split a2awire.Splitter
		buf := make([]byte, 4096)
		for {
			n, err := resp.Body.Read(buf)
			split.Split(buf[:n], func([]byte, int64) { arrivals = append(arrivals, time.Since(start)) })
			if err != nil {
				break
			}
		}
		resp.Body.Close()
		if len(arrivals) != len(rec.Events) {
			t.Fatalf("speed %s: %d events, want %d", speed, len(arrivals), len(rec.Events))
		}
		div := map[string]time.Duration{"1": 1, "10": 10}[speed]
		for i, at := range arrivals {
			due := rec.Events[i].Offset / div
			if at < due || at > due+bound {
				t.Errorf("speed %s: event %d arrived at %v, due at %v", speed, i, at, due)
			}
		}
	}
}
