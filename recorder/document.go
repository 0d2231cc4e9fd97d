package recorder

import (
	"bytes"
	"encoding/json"
	"time"
	"unicode/utf8"

	"github.com/a2aproxy/a2a-proxy/internal/a2awire"
)

// Doc is the API's view of a recorded event, its data read from the raw
// bytes (live feeds use it for events that were just committed).
func (ev *Event) Doc() EventDoc { return ev.doc(true) }

// doc builds the EventDoc; maybeSSE says whether Raw may be an SSE block
// rather than a unary body.
func (ev *Event) doc(maybeSSE bool) EventDoc {
	return EventDoc{
		Seq:        ev.Seq,
		ExchangeID: ev.ExchangeID,
		OffsetMs:   float64(ev.Offset) / float64(time.Millisecond),
		At:         ev.At,
		Kind:       ev.Kind,
		State:      ev.State,
		Final:      ev.Final,
		TaskID:     ev.TaskID,
		ContextID:  ev.ContextID,
		ArtifactID: ev.ArtifactID,
		Flag:       ev.Flag,
		Data:       EventDocument(ev.Raw, maybeSSE),
		Raw:        ev.Raw,
	}
}

// EventDocument returns the JSON document an event carries (EventDoc.Data):
// the recorded bytes when they are JSON (a unary body), else, when the event
// may be an SSE block, the block's data; anything that is not JSON becomes a
// JSON string. A backend reading events passes maybeSSE true when the
// exchange streamed or is not over yet.
func EventDocument(raw []byte, maybeSSE bool) json.RawMessage {
	if json.Valid(raw) { // an SSE block never is: it starts with a field name
		return raw
	}
	if maybeSSE {
		if data, ok := sseData(raw); ok {
			return JSONOrString(data)
		}
	}
	return jsonString(raw)
}

// sseData returns the data of the event in an SSE block, if it has any.
func sseData(block []byte) ([]byte, bool) {
	f, ok := a2awire.ParseSSE(block)
	return f.Data, ok && len(f.Data) > 0
}

// JSONOrString returns b when it is a JSON document, else b as a JSON string
// (ExchangeDoc.RequestBody).
func JSONOrString(b []byte) json.RawMessage {
	if json.Valid(b) {
		return b
	}
	return jsonString(b)
}

// jsonString encodes b as a JSON string; bytes that are not UTF-8 become
// U+FFFD.
func jsonString(b []byte) json.RawMessage {
	s, _ := json.Marshal(string(b)) // a string always encodes
	return s
}

// maxLastMessage caps the status text kept in a task row: it is a summary for
// task lists, the full text stays in the events.
const maxLastMessage = 500

// carriesStatus tells the events that hold a task status: a task or a status
// update.
func carriesStatus(kind string) bool {
	return kind == a2awire.KindStatusUpdate || kind == a2awire.KindTask
}

// statusText returns the text of the status message of an event that carries
// a status, or "".
func statusText(ev *Event) string {
	text := ev.Text
	if text == "" {
		text = parseStatusText(ev.Raw)
	}
	return truncate(text, maxLastMessage)
}

// parseStatusText finds the status message text in recorded bytes, for events
// whose sender did not extract it.
func parseStatusText(raw []byte) string {
	if !bytes.Contains(raw, []byte(`"text"`)) { // no text part: skip parsing
		return ""
	}
	doc := raw
	if !json.Valid(raw) {
		data, ok := sseData(raw)
		if !ok {
			return ""
		}
		doc = data
	}
	ev, err := a2awire.ParseEvent(doc)
	if err != nil || !carriesStatus(ev.Kind) {
		return ""
	}
	return ev.Text
}

// truncate cuts s to at most n bytes without splitting a UTF-8 sequence.
func truncate(s string, n int) string {
	if len(s) <= n {
		return s
	}
	for n > 0 && !utf8.RuneStart(s[n]) {
		n--
	}
	return s[:n] + "…"
}
