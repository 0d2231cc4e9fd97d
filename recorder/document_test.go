package recorder

import (
	"strings"
	"testing"

	"github.com/a2aproxy/a2a-proxy/internal/a2awire"
)

func TestEventDocument(t *testing.T) {
	for _, tc := range []struct {
		name     string
		raw      string
		maybeSSE bool
		want     string
	}{
		{"unary JSON body", `{"a":1}`, false, `{"a":1}`},
		{"unary text body", "Bad Gateway", false, `"Bad Gateway"`},
		{"unary body that looks like SSE", "data: {}\n\n", false, `"data: {}\n\n"`},
		{"SSE block", "id: 1\ndata: {\"a\":1}\n\n", true, `{"a":1}`},
		{"SSE with CRLF", "data: {\"a\":1}\r\n\r\n", true, `{"a":1}`},
		{"SSE event type and comment", ": hi\nevent: error\ndata: {\"error\":{}}\n\n", true, `{"error":{}}`},
		{"SSE multi-line data", "data: {\"a\":\ndata: 1}\n\n", true, "{\"a\":\n1}"},
		{"SSE cut short", "data: {\"a\":1}", true, `{"a":1}`},
		{"SSE data not JSON", "data: hello\n\n", true, `"hello"`},
		{"SSE without data", ": keep-alive\n\n", true, `": keep-alive\n\n"`},
		{"unary JSON body of an open exchange", `{"a":1}`, true, `{"a":1}`},
		{"empty", "", true, `""`},
		{"not UTF-8", "data: \xff\n\n", true, `"\ufffd"`},
	} {
		t.Run(tc.name, func(t *testing.T) {
			if got := string(EventDocument([]byte(tc.raw), tc.maybeSSE)); got != tc.want {
				t.Errorf("EventDocument(%q) = %s, want %s", tc.raw, got, tc.want)
			}
		})
	}
}

func TestParseStatusText(t *testing.T) {
	for _, tc := range []struct {
		name string
		raw  string
		want string
	}{
		{"v0.3 JSON-RPC status-update", `data: {"jsonrpc":"2.0","id":1,"result":{"kind":"status-update","taskId":"t","status":{"state":"working","message":{"parts":[{"kind":"text","text":"a"},{"kind":"data","data":{}},{"kind":"text","text":"b"}]}}}}` + "\n\n", "a\nb"},
		{"v1.0 REST statusUpdate", `data: {"statusUpdate":{"taskId":"t","status":{"state":"TASK_STATE_WORKING","message":{"parts":[{"text":"v1"}]}}}}` + "\n\n", "v1"},
		{"v1.0 JSON-RPC task", `{"jsonrpc":"2.0","id":1,"result":{"task":{"id":"t","status":{"state":"TASK_STATE_COMPLETED","message":{"parts":[{"text":"done"}]}}}}}`, "done"},
		{"status without message", `data: {"result":{"kind":"status-update","status":{"state":"completed"}}}` + "\n\n", ""},
		{"task with history but no status message", `{"kind":"task","id":"t","status":{"state":"submitted"},"history":[{"parts":[{"text":"hi"}]}]}`, ""},
		{"a message is no status", `data: {"jsonrpc":"2.0","id":1,"result":{"kind":"message","parts":[{"kind":"text","text":"x"}]}}` + "\n\n", ""},
		{"not JSON", "data: \"text\" nope\n\n", ""},
	} {
		t.Run(tc.name, func(t *testing.T) {
			if got := parseStatusText([]byte(tc.raw)); got != tc.want {
				t.Errorf("parseStatusText = %q, want %q", got, tc.want)
			}
		})
	}
}

func TestStatusTextPrefersTheSendersText(t *testing.T) {
	raw := []byte(`{"kind":"status-update","status":{"message":{"parts":[{"text":"parsed"}]}}}`)
	for _, tc := range []struct {
		name string
		ev   Event
		want string
	}{
		{"given", Event{Fields: a2awire.Fields{Kind: "status-update", Text: "given"}, Raw: raw}, "given"},
		{"parsed", Event{Fields: a2awire.Fields{Kind: "status-update"}, Raw: raw}, "parsed"},
		{"cut", Event{Fields: a2awire.Fields{Kind: "task", Text: strings.Repeat("é", 400)}}, strings.Repeat("é", maxLastMessage/2) + "…"},
	} {
		t.Run(tc.name, func(t *testing.T) {
			if got := statusText(&tc.ev); got != tc.want {
				t.Errorf("statusText = %q, want %q", got, tc.want)
			}
		})
	}
}

func TestTruncateKeepsRunesWhole(t *testing.T) {
	if got := truncate("aé", 2); got != "a…" {
		t.Errorf("truncate = %q, want %q", got, "a…")
	}
	if got := truncate("abc", 3); got != "abc" {
		t.Errorf("truncate = %q, want %q", got, "abc")
	}
}

func TestCursorRoundTrip(t *testing.T) {
	for _, id := range []string{"task-1", "with/slash", ""} {
		ns, gotID, err := DecodeCursor(EncodeCursor(1234567890123, id))
		if err != nil || ns != 1234567890123 || gotID != id {
			t.Errorf("cursor of %q decodes to %d %q %v", id, ns, gotID, err)
		}
	}
}
