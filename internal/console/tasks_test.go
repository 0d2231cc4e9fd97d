package console

import (
	"bytes"
	"testing"
	"time"

	"github.com/a2aproxy/a2a-proxy/recorder"
)

var start = time.Date(2025, 6, 1, 12, 0, 0, 0, time.UTC)

func TestTasks(t *testing.T) {
	tests := map[string]recorder.TaskPage{
		"tasks": {
			Tasks: []recorder.TaskSummary{
				{
					TaskID: "0197a3c2-5b1e-7c4d-9a2b-3f2a1e0d9c8b", ContextID: "c7d1e2f3-0a1b-4c5d-8e9f-a0b1c2d3e4f5",
					Agent: "builtin", State: "completed", FirstSeen: start, LastSeen: start.Add(4021 * time.Millisecond),
					EventCount: 8, ExchangeCount: 1,
				},
				{
					TaskID: "t-short", Agent: "weather", State: "working",
					FirstSeen: start.Add(-90 * time.Minute), LastSeen: start.Add(-88*time.Minute - 3*time.Second),
					EventCount: 112, ExchangeCount: 3,
				},
				{
					TaskID: "t-died", Agent: "weather", State: "working", Status: "interrupted", InterruptedReason: "agent died",
					LastOutcome: "upstream_error", FirstSeen: start.Add(-2 * time.Hour), LastSeen: start.Add(-2*time.Hour + time.Second),
					EventCount: 2, ExchangeCount: 1,
				},
				{
					TaskID: "t-live", Agent: "weather", State: "working", Status: "working", Open: true,
					FirstSeen: start.Add(-3 * time.Hour), LastSeen: start.Add(-3*time.Hour + time.Second), EventCount: 3, ExchangeCount: 1,
				},
				{TaskID: "t-new", FirstSeen: start, LastSeen: start.Add(7 * time.Millisecond), EventCount: 1, ExchangeCount: 1},
			},
			NextCursor: "eyJvIjozfQ",
		},
		"tasks_empty": {},
	}
	for name, page := range tests {
		t.Run(name, func(t *testing.T) {
			var out bytes.Buffer
			if err := Tasks(&out, page); err != nil {
				t.Fatal(err)
			}
			checkGolden(t, name, out.Bytes())
		})
	}
}
