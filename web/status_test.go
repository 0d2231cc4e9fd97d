package web_test

import (
	"net/http"
	"strings"
	"testing"
	"time"

	"github.com/a2aproxy/a2a-proxy/recorder"
)

// fakeHealth reports the losses its test sets.
type fakeHealth struct{ losses recorder.Losses }

func (f *fakeHealth) Losses() recorder.Losses { return f.losses }

// TestLossBanner pins that every page but the login page warns of recent
// recorder losses with their count and reasons, escaped, and that no banner
// shows once the losses are no longer recent.
func TestLossBanner(t *testing.T) {
	health := &fakeHealth{losses: recorder.Losses{
		Total:  map[recorder.LossReason]uint64{recorder.LossBufferFull: 7, "<b>odd</b>": 1},
		Recent: map[recorder.LossReason]uint64{recorder.LossBufferFull: 5, "<b>odd</b>": 1},
		Window: 10 * time.Minute,
		LastAt: t0,
	}}
	opts := uiOptions(t)
	opts.Recorder = health
	srv := newServer(t, opts)
	const want = "The recorder lost 6 items (&lt;b&gt;odd&lt;/b&gt;: 1, buffer full: 5) in the last 10 min"
	for _, page := range []string{"/", "/tasks/task-1", "/contexts/ctx-a", "/agents", "/tasks/unknown"} {
		_, body := fetch(t, srv.Client(), srv.URL+page)
		if !strings.Contains(body, want) || !strings.Contains(body, `href="/metrics"`) {
			t.Errorf("%s: no loss banner %q in the page", page, want)
		}
		if strings.Contains(body, "<b>odd</b>") {
			t.Errorf("%s: a reason reached the page unescaped", page)
		}
	}

	health.losses.Recent = map[recorder.LossReason]uint64{}
	if _, body := fetch(t, srv.Client(), srv.URL+"/"); strings.Contains(body, "recorder-loss") {
		t.Error("banner shown without recent losses")
	}
}

// TestStatusAPI pins GET /api/status: the recorder's losses since the start
// and recent, by reason.
func TestStatusAPI(t *testing.T) {
	opts := uiOptions(t)
	opts.Recorder = &fakeHealth{losses: recorder.Losses{
		Total:  map[recorder.LossReason]uint64{recorder.LossDiskFull: 3},
		Recent: map[recorder.LossReason]uint64{recorder.LossDiskFull: 2},
		Window: 10 * time.Minute,
		LastAt: t0,
	}}
	srv := newServer(t, opts)
	var got struct {
		Recorder struct {
			Lost                map[string]uint64 `json:"lost"`
			RecentLost          map[string]uint64 `json:"recentLost"`
			RecentWindowSeconds int               `json:"recentWindowSeconds"`
			LastLossAt          time.Time         `json:"lastLossAt"`
		} `json:"recorder"`
	}
	if resp := get(t, srv, "/api/status", "", &got); resp.StatusCode != http.StatusOK {
		t.Fatalf("status %d", resp.StatusCode)
	}
	r := got.Recorder
	if r.Lost["disk_full"] != 3 || r.RecentLost["disk_full"] != 2 || r.RecentWindowSeconds != 600 || !r.LastLossAt.Equal(t0) {
		t.Errorf("status = %+v", r)
	}
}
