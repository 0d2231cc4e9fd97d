package web

import (
	"encoding/json"
	"math"
	"reflect"
	"testing"
	"time"

	"github.com/a2aproxy/a2a-proxy/recorder"
)

func TestReadContent(t *testing.T) {
	for _, tc := range []struct {
		name string
		doc  string
		want content
	}{
		{
			"v0.3 status update",
			`{"jsonrpc":"2.0","id":1,"result":{"kind":"status-update","status":{"state":"working","message":{"kind":"message","role":"agent","parts":[{"kind":"text","text":"step 1"}]}}}}`,
			content{Messages: []message{{Role: "agent", Parts: []part{{Kind: "text", Text: "step 1"}}}}},
		},
		{
			"v1.0 status update",
			`{"jsonrpc":"2.0","id":1,"result":{"statusUpdate":{"status":{"state":"TASK_STATE_WORKING","message":{"role":"ROLE_AGENT","parts":[{"text":"step 1"}]}}}}}`,
			content{Messages: []message{{Role: "agent", Parts: []part{{Kind: "text", Text: "step 1"}}}}},
		},
		{
			"v0.3 task with history",
			`{"jsonrpc":"2.0","id":1,"result":{"kind":"task","id":"t","history":[{"role":"user","parts":[{"kind":"text","text":"hi"}]}],"status":{"state":"submitted"}}}`,
			content{Messages: []message{{Role: "user", Parts: []part{{Kind: "text", Text: "hi"}}}}},
		},
		{
			"v0.3 REST message",
			`{"kind":"message","role":"agent","content":[{"kind":"text","text":"hello"}]}`,
			content{Messages: []message{{Role: "agent", Parts: []part{{Kind: "text", Text: "hello"}}}}},
		},
		{
			"v0.3 artifact with every kind of part",
			`{"jsonrpc":"2.0","id":1,"result":{"kind":"artifact-update","lastChunk":true,"artifact":{"artifactId":"a1","name":"result","parts":[
				{"kind":"text","text":"done"},
				{"kind":"data","data":{"n":1}},
				{"kind":"file","file":{"name":"report.pdf","mimeType":"application/pdf","uri":"https://files.example/r.pdf"}},
				{"kind":"file","file":{"name":"inline.bin","bytes":"AAAA"}},
				{"kind":"file","file":{"name":"evil","uri":"javascript:alert(1)"}}]}}}`,
			content{Artifacts: []artifact{{ID: "a1", Name: "result", LastChunk: true, Parts: []part{
				{Kind: "text", Text: "done"},
				{Kind: "data", Data: "{\n  \"n\": 1\n}"},
				{Kind: "file", File: file{Name: "report.pdf", MediaType: "application/pdf", URL: "https://files.example/r.pdf"}},
				{Kind: "file", File: file{Name: "inline.bin", Bytes: 3}},
				{Kind: "file", File: file{Name: "evil"}},
			}}}},
		},
		{
			"v1.0 artifact parts",
			`{"artifactUpdate":{"artifact":{"artifactId":"a1","parts":[{"data":[1,2]},{"url":"http://x/f","filename":"f.txt","mediaType":"text/plain"},{"raw":"AAAAAAAA","filename":"b"}]}}}`,
			content{Artifacts: []artifact{{ID: "a1", Parts: []part{
				{Kind: "data", Data: "[\n  1,\n  2\n]"},
				{Kind: "file", File: file{Name: "f.txt", MediaType: "text/plain", URL: "http://x/f"}},
				{Kind: "file", File: file{Name: "b", Bytes: 6}},
			}}}},
		},
		{
			"JSON-RPC error",
			`{"jsonrpc":"2.0","id":1,"error":{"code":-32001,"message":"Task not found"}}`,
			content{Error: &rpcError{Code: -32001, Message: "Task not found"}},
		},
		{"not an object", `"just text"`, content{}},
		{"unknown shape", `{"something":"else"}`, content{}},
	} {
		t.Run(tc.name, func(t *testing.T) {
			if got := readContent(json.RawMessage(tc.doc)); !reflect.DeepEqual(got, tc.want) {
				t.Errorf("readContent =\n%+v\nwant\n%+v", got, tc.want)
			}
		})
	}
}

func TestDocumentText(t *testing.T) {
	if got := documentText(json.RawMessage(`{"a":[1]}`)); got != "{\n  \"a\": [\n    1\n  ]\n}" {
		t.Errorf("JSON document shown as %q", got)
	}
	if got := documentText(json.RawMessage(`"data: not json\n\n"`)); got != "data: not json\n\n" {
		t.Errorf("recorded text shown as %q, want it unquoted", got)
	}
}

func TestFormatDuration(t *testing.T) {
	for d, want := range map[time.Duration]string{
		0:                             "0 ms",
		850 * time.Microsecond:        "850 µs",
		250 * time.Millisecond:        "250 ms",
		1250 * time.Millisecond:       "1.25 s",
		125 * time.Second:             "2 min 05 s",
		time.Hour + 2*time.Minute:     "1 h 02 min",
		-1500 * time.Millisecond:      "-1.50 s",
		2*time.Hour + time.Second:     "2 h 00 min",
		time.Minute + time.Second:     "1 min 01 s",
		time.Second - time.Nanosecond: "999 ms",
	} {
		if got := formatDuration(d); got != want {
			t.Errorf("formatDuration(%v) = %q, want %q", d, got, want)
		}
	}
}

func TestShortID(t *testing.T) {
	for id, want := range map[string]string{
		"task-1":                               "task-1",
		"01a20b1e-a23b-7485-9bf0-c9229a90155b": "01a20b1e…155b",
		"ünïcödé-ïd-thät-is-löng":              "ünïcödé-…löng",
	} {
		if got := shortID(id); got != want {
			t.Errorf("shortID(%q) = %q, want %q", id, got, want)
		}
	}
}

func TestEventViewsDrawGapsToScale(t *testing.T) {
	start := time.Date(2025, 6, 1, 12, 0, 0, 0, time.UTC)
	events := []recorder.EventDoc{
		{At: start.Add(100 * time.Millisecond), Data: json.RawMessage(`{}`)},
		{At: start.Add(400 * time.Millisecond), Data: json.RawMessage(`{}`)},
		{At: start.Add(400 * time.Millisecond), Data: json.RawMessage(`{}`)},
		{At: start.Add(time.Second), Data: json.RawMessage(`{}`)},
	}
	type bar struct {
		since, gap     time.Duration
		barX, barWidth float64
	}
	want := []bar{
		{100 * time.Millisecond, 100 * time.Millisecond, 0, 10},
		{400 * time.Millisecond, 300 * time.Millisecond, 10, 30},
		{400 * time.Millisecond, 0, 40, minBarWidth},
		{time.Second, 600 * time.Millisecond, 40, 60},
	}
	for i, v := range newEventViews(events, start) {
		got := bar{v.Since, v.Gap, v.BarX, v.BarWidth}
		if got.since != want[i].since || got.gap != want[i].gap || math.Abs(got.barX-want[i].barX) > 1e-9 || math.Abs(got.barWidth-want[i].barWidth) > 1e-9 {
			t.Errorf("event %d: %+v, want %+v", i, got, want[i])
		}
	}
}
