package postgres

// TEMPORARY: copies of recorder/document.go's unexported helpers, until the
// boundary branch exports them (or builds documents for the backends).

import (
	"bytes"
	"encoding/json"
	"unicode/utf8"

	"github.com/a2aproxy/a2a-proxy/internal/a2awire"
	"github.com/a2aproxy/a2a-proxy/recorder"
)

func eventDocument(raw []byte, maybeSSE bool) json.RawMessage {
	if json.Valid(raw) {
		return raw
	}
	if maybeSSE {
		if data, ok := sseData(raw); ok {
			return jsonOrString(data)
		}
	}
	return jsonString(raw)
}

func sseData(block []byte) ([]byte, bool) {
	f, ok := a2awire.ParseSSE(block)
	return f.Data, ok && len(f.Data) > 0
}

func jsonOrString(b []byte) json.RawMessage {
	if json.Valid(b) {
		return b
	}
	return jsonString(b)
}

func jsonString(b []byte) json.RawMessage {
	s, _ := json.Marshal(string(b))
	return s
}

const maxLastMessage = 500

func carriesStatus(kind string) bool {
	return kind == a2awire.KindStatusUpdate || kind == a2awire.KindTask
}

func statusText(ev *recorder.Event) string {
	text := ev.Text
	if text == "" {
		text = parseStatusText(ev.Raw)
	}
	return truncate(text, maxLastMessage)
}

func parseStatusText(raw []byte) string {
	if !bytes.Contains(raw, []byte(`"text"`)) {
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

func truncate(s string, n int) string {
	if len(s) <= n {
		return s
	}
	for n > 0 && !utf8.RuneStart(s[n]) {
		n--
	}
	return s[:n] + "…"
}
