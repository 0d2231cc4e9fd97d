package web

import (
	"fmt"
	"net/http"
	"strings"
	"time"

	"github.com/gin-gonic/gin"

	"github.com/a2aproxy/a2a-proxy/recorder"
)

// RecorderHealth reports what the recorder could not store, for the banner
// every page shows while a loss is recent and for GET /api/status.
type RecorderHealth interface {
	Losses() recorder.Losses
}

var _ RecorderHealth = (*recorder.Recorder)(nil)

// statusDoc is the answer of GET /api/status.
type statusDoc struct {
	Recorder recorderStatus `json:"recorder"`
}

type recorderStatus struct {
	// Lost counts the items not stored since the start, by reason, as
	// a2a_proxy_recorder_lost_total does.
	Lost map[recorder.LossReason]uint64 `json:"lost"`
	// RecentLost counts those of the last RecentWindowSeconds.
	RecentLost          map[recorder.LossReason]uint64 `json:"recentLost"`
	RecentWindowSeconds int                            `json:"recentWindowSeconds"`
	LastLossAt          *time.Time                     `json:"lastLossAt,omitempty"`
}

// getStatus serves GET /api/status.
func (s *Server) getStatus(c *gin.Context) {
	doc := statusDoc{Recorder: recorderStatus{Lost: map[recorder.LossReason]uint64{}, RecentLost: map[recorder.LossReason]uint64{}}}
	if s.health != nil {
		l := s.health.Losses()
		doc.Recorder = recorderStatus{Lost: l.Total, RecentLost: l.Recent, RecentWindowSeconds: int(l.Window / time.Second)}
		if !l.LastAt.IsZero() {
			doc.Recorder.LastLossAt = &l.LastAt
		}
	}
	c.JSON(http.StatusOK, doc)
}

// lossBanner is the layout's warning about recent losses.
type lossBanner struct {
	Total   uint64
	Reasons string // "buffer full: 3, disk full: 1"
	Window  string // "10 min"
}

// recentLoss returns the banner to show, or nil when nothing was lost
// recently.
func (s *Server) recentLoss() *lossBanner {
	if s.health == nil {
		return nil
	}
	l := s.health.Losses()
	total := l.RecentTotal()
	if total == 0 {
		return nil
	}
	var reasons []string
	for _, r := range l.RecentReasons() {
		reasons = append(reasons, fmt.Sprintf("%s: %d", strings.ReplaceAll(string(r), "_", " "), l.Recent[r]))
	}
	return &lossBanner{Total: total, Reasons: strings.Join(reasons, ", "), Window: fmt.Sprintf("%.0f min", l.Window.Minutes())}
}
