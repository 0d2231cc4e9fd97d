package web

import (
	"fmt"
	"html/template"
	"net/url"
	"slices"
	"time"

	"github.com/a2aproxy/a2a-proxy/recorder"
)

// templateFuncs format values for the pages. None of them marks its result
// as safe HTML: everything they return is escaped like any other value.
var templateFuncs = template.FuncMap{
	"duration":    formatDuration,
	"timestamp":   formatTimestamp,
	"isoTime":     func(t time.Time) string { return t.UTC().Format(time.RFC3339Nano) },
	"elapsed":     func(from, to time.Time) string { return formatDuration(to.Sub(from)) },
	"stateClass":  stateClass,
	"shortID":     shortID,
	"taskPath":    func(id string) string { return "/tasks/" + url.PathEscape(id) },
	"contextPath": func(id string) string { return "/contexts/" + url.PathEscape(id) },
	"agentTasks":  func(name string) string { return "/?agent=" + url.QueryEscape(name) },
	"liveURL":     func(key, value string) string { return "/api/live?" + key + "=" + url.QueryEscape(value) },
}

// formatDuration is short and keeps a few significant digits: "250 ms",
// "1.25 s", "2 min 05 s", "1 h 02 min".
func formatDuration(d time.Duration) string {
	switch {
	case d < 0:
		return "-" + formatDuration(-d)
	case d == 0:
		return "0 ms"
	case d < time.Millisecond:
		return fmt.Sprintf("%d µs", d.Microseconds())
	case d < time.Second:
		return fmt.Sprintf("%d ms", d.Milliseconds())
	case d < time.Minute:
		return fmt.Sprintf("%.2f s", d.Seconds())
	case d < time.Hour:
		return fmt.Sprintf("%d min %02d s", int(d.Minutes()), int(d.Seconds())%60)
	default:
		return fmt.Sprintf("%d h %02d min", int(d.Hours()), int(d.Minutes())%60)
	}
}

// shortID shortens a long id to its first 8 and last 4 characters, for
// tables: UUIDv7s made in the same second share their first characters, so
// the end tells them apart. The page keeps the whole id in a title.
func shortID(id string) string {
	r := []rune(id)
	if len(r) <= 14 {
		return id
	}
	return string(r[:8]) + "…" + string(r[len(r)-4:])
}

// formatTimestamp is the server's rendering of a time, in UTC; the page's
// script shows it in the browser's time zone.
func formatTimestamp(t time.Time) string {
	if t.IsZero() {
		return ""
	}
	return t.UTC().Format("2006-01-02 15:04:05 UTC")
}

// states are the task states, in the v0.3 spelling the recorder normalizes
// to, in their usual order.
var states = []string{"submitted", "working", "input-required", "auth-required", "completed", "canceled", "failed", "rejected", "unknown"}

// statuses are the choices of the status filter: the states, and
// interrupted after working, where a broken task would otherwise be.
var statuses = []string{"submitted", "working", recorder.StatusInterrupted, "input-required", "auth-required", "completed", "canceled", "failed", "rejected", "unknown"}

// outcomes are the choices of the last outcome filter.
var outcomes = []string{recorder.OutcomeCompleted, recorder.OutcomeUpstreamError, recorder.OutcomeClientClosed,
	recorder.OutcomeUpstreamTimeout, recorder.OutcomeUpstreamUnreachable, recorder.OutcomeShutdown,
	recorder.OutcomeInterrupted, recorder.OutcomeRejected, recorder.OutcomeProxyError}

// stateClass names the CSS class that colours a state's chip. A state the
// recorder could not normalize is untrusted text: it gets the neutral class.
func stateClass(state string) string {
	if slices.Contains(states, state) || state == recorder.StatusInterrupted {
		return "state-" + state
	}
	return "state-other"
}
