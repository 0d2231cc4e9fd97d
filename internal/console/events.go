package console

import (
	"bytes"
	"encoding/json"
	"fmt"
	"io"
	"iter"
	"strings"

	"github.com/a2aproxy/a2a-proxy/internal/a2awire"
	"github.com/a2aproxy/a2a-proxy/internal/streamclient"
)

// Format says how events are printed.
type Format int

const (
	// Pretty prints a line per event as the tutorial's test client does:
	// task created, each status with its state and text, artifacts, stream end.
	Pretty Format = iota
	// JSON prints each event's JSON document on one line (NDJSON), for tools.
	JSON
)

// continuation indents the further lines of a multi-line text.
const continuation = "   "

// EventPrinter prints the events of one stream.
type EventPrinter struct {
	w         io.Writer
	format    Format
	lastState string
}

// NewEventPrinter returns a printer writing to w in format.
func NewEventPrinter(w io.Writer, format Format) *EventPrinter {
	return &EventPrinter{w: w, format: format}
}

// PrintEvents prints a whole stream and its end. It returns the stream's
// error, or else the agent's last JSON-RPC error, so that a command can exit
// non-zero after showing everything.
func PrintEvents(w io.Writer, events iter.Seq2[streamclient.Event, error], format Format) error {
	p := NewEventPrinter(w, format)
	var agentErr error
	for ev, err := range events {
		if err != nil {
			return err
		}
		if err := p.Print(ev); err != nil {
			return err
		}
		if ev.Err != nil {
			agentErr = ev.Err
		}
	}
	if err := p.End(); err != nil {
		return err
	}
	return agentErr
}

// Print prints one event.
func (p *EventPrinter) Print(ev streamclient.Event) error {
	if ev.State != "" {
		p.lastState = ev.State
	}
	if p.format == JSON {
		return p.printJSON(ev.Data)
	}
	_, err := io.WriteString(p.w, describe(ev))
	return err
}

// End prints the end of the stream, which is when the agent closed it: v1.0
// has no final flag, and v0.3 agents disagree on when they set it.
func (p *EventPrinter) End() error {
	if p.format == JSON {
		return nil
	}
	msg := "🏁 Stream ended\n"
	if p.lastState != "" {
		msg = fmt.Sprintf("🏁 Stream ended (final status: %s)\n", p.lastState)
	}
	_, err := io.WriteString(p.w, msg)
	return err
}

// printJSON writes data on one line; data that is not JSON is written as a
// JSON string so every line stays a JSON document.
func (p *EventPrinter) printJSON(data string) error {
	var line bytes.Buffer
	if err := json.Compact(&line, []byte(data)); err != nil {
		line.Reset()
		quoted, _ := json.Marshal(data) // a string always marshals
		line.Write(quoted)
	}
	line.WriteByte('\n')
	_, err := p.w.Write(line.Bytes())
	return err
}

// describe returns the lines the tutorial's client prints for ev.
func describe(ev streamclient.Event) string {
	switch ev.Kind {
	case a2awire.KindTask:
		if ev.State == "" || ev.State == "submitted" {
			return fmt.Sprintf("📋 Task created: %s (context: %s)\n", ev.TaskID, ev.ContextID)
		}
		return fmt.Sprintf("📋 Task %s [%s] (context: %s)\n", ev.TaskID, ev.State, ev.ContextID)
	case a2awire.KindStatusUpdate:
		if ev.Text == "" {
			return fmt.Sprintf("📊 Status [%s]\n", ev.State)
		}
		return withText(fmt.Sprintf("📊 Status [%s]: ", ev.State), ev.Text)
	case a2awire.KindArtifactUpdate:
		s := withText(fmt.Sprintf("📄 Artifact '%s': ", ev.ArtifactName), ev.Text)
		if ev.LastChunk {
			s += fmt.Sprintf("✅ Artifact '%s' completed\n", ev.ArtifactName)
		}
		return s
	case a2awire.KindMessage:
		return withText("💬 Message: ", ev.Text)
	case a2awire.KindError:
		if ev.Err != nil {
			return fmt.Sprintf("❌ Error %d: %s\n", ev.Err.Code, ev.Err.Message)
		}
	}
	return withText("❔ Unknown event: ", ev.Data)
}

// withText prints text after prefix, indenting its further lines.
func withText(prefix, text string) string {
	var b strings.Builder
	for i, line := range lines(text) {
		if i == 0 {
			b.WriteString(prefix)
		} else if line != "" {
			b.WriteString(continuation)
		}
		b.WriteString(line)
		b.WriteByte('\n')
	}
	return b.String()
}
