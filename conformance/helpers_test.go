package conformance

import (
	"fmt"
	"net/http"
	"slices"
	"strings"
	"testing"
)

// Builders for crafted exchanges: each case states its events as JSON
// documents, the builders frame them as the binding does.

const (
	reqV03 = `{"jsonrpc":"2.0","id":1,"method":"message/stream","params":{"message":{"kind":"message","role":"user","messageId":"m0","parts":[{"kind":"text","text":"hi"}]}}}`
	reqV10 = `{"jsonrpc":"2.0","id":1,"method":"SendStreamingMessage","params":{"message":{"role":"ROLE_USER","messageId":"m0","parts":[{"text":"hi"}]}}}`
	reqRST = `{"message":{"role":"ROLE_USER","messageId":"m0","parts":[{"text":"hi"}]}}`
)

// rpc wraps a result in a JSON-RPC response to request id 1.
func rpc(result string) string { return `{"jsonrpc":"2.0","id":1,"result":` + result + `}` }

// sse frames documents as SSE blocks, seq 0, 1, ...
func sse(docs ...string) []Event {
	evs := make([]Event, len(docs))
	for i, d := range docs {
		evs[i] = Event{Seq: i, Raw: []byte("data: " + d + "\n\n")}
	}
	return evs
}

// v03 events (JSON-RPC).
func t03(state string) string {
	return rpc(`{"kind":"task","id":"T","contextId":"C","status":{"state":"` + state + `"}}`)
}
func s03(state string, final bool) string {
	return rpc(fmt.Sprintf(`{"kind":"status-update","taskId":"T","contextId":"C","status":{"state":%q,"timestamp":"2025-06-01T12:00:00.123Z"},"final":%v}`, state, final))
}
func a03(id string, appendChunk, last bool) string {
	return rpc(fmt.Sprintf(`{"kind":"artifact-update","taskId":"T","contextId":"C","artifact":{"artifactId":%q,"parts":[{"kind":"text","text":"x"}]},"append":%v,"lastChunk":%v}`, id, appendChunk, last))
}
func m03() string {
	return rpc(`{"kind":"message","role":"agent","messageId":"m1","contextId":"C","parts":[{"kind":"text","text":"hello"}]}`)
}

// v1.0 events, bare (REST) or wrapped in JSON-RPC by r10.
func t10(state string) string {
	return `{"task":{"id":"T","contextId":"C","status":{"state":"` + state + `"}}}`
}
func s10(state string) string {
	return `{"statusUpdate":{"taskId":"T","contextId":"C","status":{"state":"` + state + `","timestamp":"2025-06-01T12:00:00.123Z"}}}`
}
func a10(id string, appendChunk, last bool) string {
	return fmt.Sprintf(`{"artifactUpdate":{"taskId":"T","contextId":"C","artifact":{"artifactId":%q,"parts":[{"text":"x"}]},"append":%v,"lastChunk":%v}}`, id, appendChunk, last)
}
func m10() string {
	return `{"message":{"role":"ROLE_AGENT","messageId":"m1","contextId":"C","parts":[{"text":"hello"}]}}`
}

func r10(docs ...string) []string {
	out := make([]string, len(docs))
	for i, d := range docs {
		out[i] = rpc(d)
	}
	return out
}

// stream returns a completed SSE exchange of the given request.
func stream(version, binding, body string, docs ...string) *Exchange {
	ex := &Exchange{
		ProtocolVersion: version, Binding: binding, HTTPMethod: http.MethodPost, Path: "/",
		RequestHeaders: http.Header{"Content-Type": {"application/json"}},
		RequestBody:    []byte(body),
		Status:         200, ContentType: "text/event-stream", Streaming: true,
		Events: sse(docs...), Outcome: OutcomeCompleted,
	}
	if binding == "rest" {
		ex.Path = "/message:stream"
		if version == "0.3" {
			ex.Path = "/v1/message:stream"
		}
	}
	if version == "1.0" {
		ex.RequestHeaders.Set("A2A-Version", "1.0")
	}
	return ex
}

func ruleIDs(fs []Finding) []string {
	var ids []string
	for _, f := range fs {
		if !slices.Contains(ids, f.Rule) {
			ids = append(ids, f.Rule)
		}
	}
	slices.Sort(ids)
	return ids
}

func describe(fs []Finding) string {
	var b strings.Builder
	for _, f := range fs {
		fmt.Fprintf(&b, "\n  %s %s seq=%d %s: %s", f.Severity, f.Rule, f.Seq, f.Path, f.Message)
	}
	return b.String()
}

// assertRules fails unless the findings name exactly the rules want.
func assertRules(t *testing.T, fs []Finding, want ...string) {
	t.Helper()
	slices.Sort(want)
	if got := ruleIDs(fs); !slices.Equal(got, want) {
		t.Errorf("rules %v, want %v:%s", got, want, describe(fs))
	}
}
