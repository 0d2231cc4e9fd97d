package web

import (
	"maps"
	"net/url"
	"slices"
	"strings"
	"time"

	"github.com/a2aproxy/a2a-proxy/checks"
	"github.com/a2aproxy/a2a-proxy/recorder"
)

// taskView is the data of the task page.
type taskView struct {
	Task      recorder.TaskSummary
	Start     time.Time // of the task's first exchange: the timeline's zero
	Duration  time.Duration
	Events    []eventView
	Exchanges []exchangeView
	TraceURL  string // in Jaeger, "" without --jaeger-url
	Live      bool   // an exchange of the task is open: the page follows it
	Export    string // the export download, "" when the route is missing
	Replay    *replayView
	Compare   bool // offer the diff page's "Compare with..." form
	// Findings are the conformance findings of the task's exchanges; nil
	// when the admin plane keeps none (Options.Findings).
	Findings []findingView
	Checked  bool // the findings are kept: none means a clean task
}

// findingView is one conformance finding, with the timeline entry of its
// event (-1: the exchange as a whole, or an event not on the timeline).
type findingView struct {
	checks.Described
	Event int
}

// replayView is what the replay controls and snippet need.
type replayView struct {
	StreamURL     string // GET text/event-stream, ?speed=N
	AgentURL      string // the replay agent's base URL, absolute
	TokenRequired bool   // the replay agent wants the admin token too
}

// eventView is one entry of the timeline.
type eventView struct {
	recorder.EventDoc
	Index int
	Since time.Duration // from the task's start
	Gap   time.Duration // from the previous event
	// The gap drawn to scale as a bar on the task's whole duration, in
	// percent: from the previous event (BarX) to this one (BarX+BarWidth).
	BarX, BarWidth float64
	Content        content
	JSON           string             // the document, indented
	Findings       []checks.Described // conformance findings about this event
}

// exchangeView is one row of the exchanges table.
type exchangeView struct {
	recorder.ExchangeDoc
	Duration time.Duration // 0 while open
	Headers  string        // "Name: value" lines, sorted, as recorded (redacted)
	Body     string        // the request body, indented
	TraceURL string
}

// minBarWidth keeps a zero gap visible as a tick.
const minBarWidth = 1.0

func newTaskView(d *recorder.TaskDetail, ui uiOptions, routes routeSet, origin string) taskView {
	v := taskView{Task: d.Task, Start: d.Task.FirstSeen, TraceURL: ui.traceURL(d.Task.TraceID)}
	if len(d.Exchanges) > 0 && d.Exchanges[0].StartedAt.Before(v.Start) {
		v.Start = d.Exchanges[0].StartedAt
	}
	for _, ex := range d.Exchanges {
		v.Exchanges = append(v.Exchanges, newExchangeView(ex, ui))
	}
	v.Events = newEventViews(d.Events, v.Start)
	v.Duration = d.Task.LastSeen.Sub(v.Start)
	v.Live = ui.feed != nil && d.Task.Open

	taskPath := "/api/tasks/" + url.PathEscape(d.Task.TaskID)
	if routes.export {
		v.Export = taskPath + "/export"
	}
	if routes.replay {
		v.Replay = &replayView{
			StreamURL: taskPath + "/replay",
			AgentURL:  origin + "/replay/" + url.PathEscape(d.Task.TaskID) + "/",
		}
	}
	return v
}

func newEventViews(events []recorder.EventDoc, start time.Time) []eventView {
	views := make([]eventView, len(events))
	var total time.Duration
	for i, ev := range events {
		views[i] = eventView{
			EventDoc: ev,
			Index:    i,
			Since:    max(ev.At.Sub(start), 0),
			Content:  readContent(ev.Data),
			JSON:     documentText(ev.Data),
		}
		total = max(total, views[i].Since)
	}
	var prev time.Duration
	for i := range views {
		v := &views[i]
		v.Gap = max(v.Since-prev, 0)
		if total > 0 {
			v.BarX = percent(min(prev, v.Since), total)
			v.BarWidth = max(percent(v.Gap, total), minBarWidth)
		} else {
			v.BarWidth = minBarWidth
		}
		prev = v.Since
	}
	return views
}

func percent(d, total time.Duration) float64 { return 100 * float64(d) / float64(total) }

func newExchangeView(ex recorder.ExchangeDoc, ui uiOptions) exchangeView {
	v := exchangeView{ExchangeDoc: ex, TraceURL: ui.traceURL(ex.TraceID)}
	if ex.EndedAt != nil {
		v.Duration = ex.EndedAt.Sub(ex.StartedAt)
	}
	v.Headers = headerLines(ex.RequestHeaders)
	if len(ex.RequestBody) > 0 {
		v.Body = documentText(ex.RequestBody)
	}
	return v
}

// headerLines writes headers one value per line, as "Name: value", sorted
// by name.
func headerLines(headers map[string][]string) string {
	var b strings.Builder
	for _, name := range slices.Sorted(maps.Keys(headers)) {
		for _, value := range headers[name] {
			b.WriteString(name + ": " + value + "\n")
		}
	}
	return b.String()
}

// traceURL links a trace in Jaeger, or is "" without a Jaeger URL or trace.
func (ui uiOptions) traceURL(traceID string) string {
	if ui.jaegerURL == "" || traceID == "" {
		return ""
	}
	return ui.jaegerURL + "/trace/" + url.PathEscape(traceID)
}

// addFindings attaches the findings to the task's events and keeps the
// list for the page's conformance section.
func (v *taskView) addFindings(fs []recorder.Finding) {
	type key struct {
		exchange string
		seq      int
	}
	index := make(map[key]int, len(v.Events))
	for i, ev := range v.Events {
		index[key{ev.ExchangeID, ev.Seq}] = i
	}
	v.Checked = true
	for _, d := range checks.Describe(fs) {
		fv := findingView{Described: d, Event: -1}
		if i, ok := index[key{d.ExchangeID, d.Seq}]; ok && d.Seq >= 0 {
			fv.Event = i
			v.Events[i].Findings = append(v.Events[i].Findings, d)
		}
		v.Findings = append(v.Findings, fv)
	}
}
