package console

import (
	"fmt"
	"io"
	"strconv"
	"strings"
	"time"

	"github.com/a2aproxy/a2a-proxy/internal/a2awire"
	"github.com/a2aproxy/a2a-proxy/internal/streamclient"
	"github.com/a2aproxy/a2a-proxy/recorder"
)

// Task prints one task as a timeline: a header, the exchanges that carried it
// (numbered), then one line per event with its exchange's number and its
// offset from the start of the first exchange.
func Task(w io.Writer, detail *recorder.TaskDetail) error {
	tab := newTable(w)
	printTaskHeader(tab, detail.Task)
	printExchanges(tab, detail.Exchanges)
	printTimeline(tab, detail.Exchanges, detail.Events)
	return tab.Flush()
}

func printTaskHeader(w io.Writer, task recorder.TaskSummary) {
	fmt.Fprintf(w, "Task\t%s\n", task.TaskID)
	fmt.Fprintf(w, "State\t%s\n", orDash(task.State))
	switch {
	case task.InterruptedReason != "":
		fmt.Fprintf(w, "Status\t%s (last outcome %s)\n", taskStatus(task), task.LastOutcome)
	case task.Open:
		fmt.Fprintf(w, "Status\tlive: an exchange is still open\n")
	}
	fmt.Fprintf(w, "Agent\t%s\n", orDash(task.Agent))
	fmt.Fprintf(w, "Context\t%s\n", orDash(task.ContextID))
	fmt.Fprintf(w, "Trace\t%s\n", orDash(task.TraceID))
	fmt.Fprintf(w, "Seen\t%s for %s\n", formatTime(task.FirstSeen), formatDuration(task.LastSeen.Sub(task.FirstSeen)))
}

func printExchanges(w io.Writer, exchanges []recorder.ExchangeDoc) {
	fmt.Fprintln(w, "\nExchanges")
	fmt.Fprintln(w, "  #\tMETHOD\tVERSION\tBINDING\tSTATUS\tOUTCOME\tDURATION\tEVENTS\tNOTE")
	for i, ex := range exchanges {
		fmt.Fprintf(w, "  %d\t%s\t%s\t%s\t%s\t%s\t%s\t%d\t%s\n",
			i+1, orDash(ex.Method), orDash(ex.ProtocolVersion), orDash(ex.Binding), status(ex.Status),
			outcome(ex), exchangeDuration(ex), ex.EventCount, exchangeNote(ex))
	}
}

// printTimeline prints the events of all exchanges on one clock, whose zero
// is the start of the earliest exchange.
func printTimeline(w io.Writer, exchanges []recorder.ExchangeDoc, events []recorder.EventDoc) {
	type exchangeRef struct {
		number string
		start  time.Duration
	}
	refs := make(map[string]exchangeRef, len(exchanges))
	first := earliestStart(exchanges)
	for i, ex := range exchanges {
		refs[ex.ID] = exchangeRef{number: strconv.Itoa(i + 1), start: ex.StartedAt.Sub(first)}
	}

	fmt.Fprintln(w, "\nEvents")
	fmt.Fprintln(w, "  EX\tOFFSET\tKIND\tSTATE\tTEXT")
	for _, ev := range events {
		ref, ok := refs[ev.ExchangeID]
		if !ok {
			ref.number = "?"
		}
		offset := ref.start + time.Duration(ev.OffsetMs*float64(time.Millisecond))
		cells := fmt.Sprintf("  %s\t+%.3fs\t%s\t%s\t", ref.number, offset.Seconds(), orDash(ev.Kind), eventState(ev))
		for i, line := range lines(eventText(ev)) {
			if i > 0 {
				cells = "  \t\t\t\t" // continue under TEXT
			}
			fmt.Fprintln(w, cells+line)
		}
	}
}

func earliestStart(exchanges []recorder.ExchangeDoc) time.Time {
	var first time.Time
	for _, ex := range exchanges {
		if first.IsZero() || ex.StartedAt.Before(first) {
			first = ex.StartedAt
		}
	}
	return first
}

func status(code int) string {
	if code == 0 {
		return "-"
	}
	return strconv.Itoa(code)
}

func outcome(ex recorder.ExchangeDoc) string {
	if ex.Outcome == "" {
		return "open"
	}
	return ex.Outcome
}

func exchangeDuration(ex recorder.ExchangeDoc) string {
	if ex.EndedAt == nil {
		return "-"
	}
	return formatDuration(time.Duration(ex.DurationMs * float64(time.Millisecond)))
}

// exchangeNote says what went wrong with an exchange or its recording.
func exchangeNote(ex recorder.ExchangeDoc) string {
	var notes []string
	if ex.Error != "" {
		notes = append(notes, ex.Error)
	}
	switch {
	case ex.DroppedEvents > 0:
		notes = append(notes, fmt.Sprintf("recording incomplete (%d dropped)", ex.DroppedEvents))
	case ex.EndedAt != nil && !ex.RecordingComplete:
		notes = append(notes, "recording incomplete")
	}
	return strings.Join(notes, "; ")
}

func eventState(ev recorder.EventDoc) string {
	state := orDash(ev.State)
	if ev.Final {
		state += " (final)"
	}
	return state
}

// eventText is what an event says: its status message, message or artifact
// text, or its error.
func eventText(ev recorder.EventDoc) string {
	decoded := streamclient.DecodeEvent(string(ev.Data))
	text := decoded.Text
	switch {
	case decoded.Err != nil:
		text = decoded.Err.Error()
	case decoded.Kind == a2awire.KindArtifactUpdate && decoded.ArtifactName != "":
		text = decoded.ArtifactName + ": " + text
	}
	if ev.Flag != "" {
		text = strings.TrimSpace(text + " [" + ev.Flag + "]")
	}
	return text
}
