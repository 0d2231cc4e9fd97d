package recorder

import (
	"bytes"
	"errors"
	"log/slog"
	"strings"
	"testing"
	"time"
)

// TestLossCounterLogsAtMostEveryFewSeconds pins the loss log's rate: the
// first loss is logged at once, the ones within the next lossLogEvery wait
// for one summary line with their counts by reason, and the recent counts
// leave the window after lossWindow.
func TestLossCounterLogsAtMostEveryFewSeconds(t *testing.T) {
	var logs bytes.Buffer
	now := time.Date(2026, 1, 1, 12, 0, 0, 0, time.UTC)
	c := newLossCounter(slog.New(slog.NewTextHandler(&logs, nil)))
	c.now = func() time.Time { return now }
	defer c.close()

	c.add(LossBufferFull, 1, nil)
	if n := strings.Count(logs.String(), "recorder lost items"); n != 1 || !strings.Contains(logs.String(), "buffer_full=1") {
		t.Fatalf("after the first loss, log = %q; want one line at once", logs.String())
	}
	for range 100 {
		now = now.Add(10 * time.Millisecond)
		c.add(LossBufferFull, 1, nil)
	}
	c.add(LossDiskFull, 2, errors.New("disk is full"))
	if n := strings.Count(logs.String(), "recorder lost items"); n != 1 {
		t.Fatalf("losses within %v logged %d lines, want 1", lossLogEvery, n)
	}
	c.mu.Lock()
	pendingTimer := c.timer != nil
	c.mu.Unlock()
	if !pendingTimer {
		t.Fatal("no summary scheduled for the pending losses")
	}
	now = now.Add(lossLogEvery)
	c.logPending() // what the timer does when it fires
	lines := strings.Split(strings.TrimSpace(logs.String()), "\n")
	if len(lines) != 2 || !strings.Contains(lines[1], "buffer_full=100") || !strings.Contains(lines[1], "disk_full=2") ||
		!strings.Contains(lines[1], "lost_since_open=103") || !strings.Contains(lines[1], "disk is full") {
		t.Fatalf("summary = %q, want buffer_full=100 disk_full=2 lost_since_open=103 and the error", lines[len(lines)-1])
	}

	r := c.report()
	if r.Total[LossBufferFull] != 101 || r.Recent[LossDiskFull] != 2 || r.RecentTotal() != 103 {
		t.Errorf("report = %+v, want 101 buffer_full and 2 disk_full, all recent", r)
	}
	now = now.Add(lossWindow + time.Minute)
	if r := c.report(); r.RecentTotal() != 0 || r.Total[LossDiskFull] != 2 {
		t.Errorf("report after the window = %+v, want nothing recent, totals kept", r)
	}
}
