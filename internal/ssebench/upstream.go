package ssebench

import (
	"context"
	"fmt"
	"io"
	"net/http"
	"net/url"
	"strconv"
	"time"
)

// Upstream is an A2A agent that only streams: every POST is taken for a
// message/stream call and answered with the status updates its query asks
// for (see streamParams).
type Upstream struct {
	URL string
	srv *server
}

// StartUpstream serves an Upstream on a loopback port until Close.
func StartUpstream() (*Upstream, error) {
	srv, err := startServer(http.HandlerFunc(serveStream))
	if err != nil {
		return nil, fmt.Errorf("start upstream: %w", err)
	}
	return &Upstream{URL: srv.URL, srv: srv}, nil
}

// Close stops the upstream, cutting any stream still open.
func (u *Upstream) Close() error { return u.srv.Close() }

// streamParams are what one exchange asks the upstream for, in its query.
type streamParams struct {
	task     string        // the task id of every event
	events   int           // how many events, the last one final
	interval time.Duration // between sends; 0 sends as fast as the reader takes them
	size     int           // about how many bytes each event block has
}

func (p streamParams) query() string {
	return url.Values{
		"task":     {p.task},
		"events":   {strconv.Itoa(p.events)},
		"interval": {p.interval.String()},
		"size":     {strconv.Itoa(p.size)},
	}.Encode()
}

func parseStreamParams(q url.Values) (streamParams, error) {
	p := streamParams{task: q.Get("task")}
	var err error
	if p.events, err = strconv.Atoi(q.Get("events")); err != nil || p.events < 1 {
		return p, fmt.Errorf("events=%q: want a positive count", q.Get("events"))
	}
	if p.interval, err = time.ParseDuration(q.Get("interval")); err != nil || p.interval < 0 {
		return p, fmt.Errorf("interval=%q: want a duration", q.Get("interval"))
	}
	if p.size, err = strconv.Atoi(q.Get("size")); err != nil {
		return p, fmt.Errorf("size=%q: want a byte count", q.Get("size"))
	}
	if p.task == "" {
		return p, fmt.Errorf("task: missing")
	}
	return p, nil
}

func serveStream(w http.ResponseWriter, r *http.Request) {
	if r.Method != http.MethodPost {
		http.Error(w, "POST a message/stream call", http.StatusMethodNotAllowed)
		return
	}
	p, err := parseStreamParams(r.URL.Query())
	if err != nil {
		http.Error(w, err.Error(), http.StatusBadRequest)
		return
	}
	if _, err := io.Copy(io.Discard, r.Body); err != nil {
		return
	}
	w.Header().Set("Content-Type", "text/event-stream")
	w.Header().Set("Cache-Control", "no-cache")
	w.WriteHeader(http.StatusOK)
	sendEvents(r.Context(), w, p)
}

// sendEvents writes and flushes each event at its due time. Due times are
// counted from one start, not from the previous send, so a late wake-up
// does not push back every later event.
func sendEvents(ctx context.Context, w http.ResponseWriter, p streamParams) {
	rc := http.NewResponseController(w)
	enc := newEventEncoder(p.task, p.size)
	buf := make([]byte, 0, p.size+64)
	timer := time.NewTimer(0)
	defer timer.Stop()
	start := time.Now()
	for seq := range p.events {
		if p.interval > 0 && !sleepUntil(ctx, timer, start.Add(time.Duration(seq)*p.interval)) {
			return
		}
		buf = enc.append(buf[:0], seq, seq == p.events-1, monoNow())
		if _, err := w.Write(buf); err != nil {
			return // the client left
		}
		if err := rc.Flush(); err != nil {
			return
		}
	}
}

// sleepUntil waits for due and reports false if ctx ends first.
func sleepUntil(ctx context.Context, timer *time.Timer, due time.Time) bool {
	d := time.Until(due)
	if d <= 0 {
		return ctx.Err() == nil
	}
	timer.Reset(d)
	select {
	case <-timer.C:
		return true
	case <-ctx.Done():
		return false
	}
}
