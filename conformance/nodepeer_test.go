package conformance

import (
	"net/http"
	"testing"

	"github.com/a2aproxy/a2a-proxy/internal/a2awire"
	"github.com/a2aproxy/a2a-proxy/internal/nodepeer"
)

// TestNodePeerConforms runs the checks over live traffic of the
// @a2a-js/sdk 1.3.0 agent (e2e/node/server.mjs, with v0.3 compatibility),
// in both versions and bindings. What it finds is a deviation of that SDK,
// pinned here and named in the README.
func TestNodePeerConforms(t *testing.T) {
	nodepeer.Require(t)
	base := nodepeer.StartServer(t, nodepeer.ServerOptions{Legacy: true, StepDelay: -1})
	v10 := http.Header{"A2A-Version": {"1.0"}}
	v03 := http.Header{}
	msg10 := `{"role":"ROLE_USER","messageId":"m1","parts":[{"text":"hi"}]}`
	msg03 := `{"kind":"message","role":"user","messageId":"m1","parts":[{"kind":"text","text":"hi"}]}`

	tests := []struct {
		name    string
		method  string
		path    string
		header  http.Header
		body    string
		version string
		want    []string
	}{
		{"v1.0 jsonrpc stream", "POST", "/a2a/jsonrpc", v10, `{"jsonrpc":"2.0","id":1,"method":"SendStreamingMessage","params":{"message":` + msg10 + `}}`, "1.0", nil},
		{"v1.0 rest stream", "POST", "/a2a/rest/message:stream", v10, `{"message":` + msg10 + `}`, "1.0", nil},
		{"v1.0 jsonrpc send", "POST", "/a2a/jsonrpc", v10, `{"jsonrpc":"2.0","id":2,"method":"SendMessage","params":{"message":` + msg10 + `}}`, "1.0", nil},
		{"v1.0 jsonrpc bad params", "POST", "/a2a/jsonrpc", v10, `{"jsonrpc":"2.0","id":3,"method":"SendMessage","params":{}}`, "1.0", nil},
		{"v0.3 jsonrpc stream", "POST", "/a2a/jsonrpc", v03, `{"jsonrpc":"2.0","id":1,"method":"message/stream","params":{"message":` + msg03 + `}}`, "0.3", nil},
		{"v0.3 jsonrpc send", "POST", "/a2a/jsonrpc", v03, `{"jsonrpc":"2.0","id":2,"method":"message/send","params":{"message":` + msg03 + `}}`, "0.3", nil},
		{"v0.3 jsonrpc bad params", "POST", "/a2a/jsonrpc", v03, `{"jsonrpc":"2.0","id":3,"method":"message/send","params":{}}`, "0.3", nil},
		{"v0.3 rest stream", "POST", "/a2a/rest/v1/message:stream", v03, `{"message":{"messageId":"m1","role":"ROLE_USER","content":[{"text":"hi"}]}}`, "0.3", nil},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			ex := exchangeWith(t, base, tt.method, tt.path, tt.header, tt.body)
			ex.ProtocolVersion = tt.version
			fs := Check(ex)
			t.Logf("%d %q, %d events: %s", ex.Status, ex.ContentType, len(ex.Events), describe(fs))
			for _, e := range ex.Events {
				t.Logf("  %s", e.Raw)
			}
			assertRules(t, fs, tt.want...)
		})
	}
	// Follow-ups on a finished task: get it, subscribe to it.
	first := exchangeWith(t, base, "POST", "/a2a/jsonrpc", v10, `{"jsonrpc":"2.0","id":1,"method":"SendStreamingMessage","params":{"message":`+msg10+`}}`)
	taskID := firstTaskID(first)
	for _, f := range []struct {
		name, body, version string
		header              http.Header
	}{
		{"v1.0 GetTask", `{"jsonrpc":"2.0","id":4,"method":"GetTask","params":{"id":"` + taskID + `"}}`, "1.0", v10},
		{"v1.0 GetTask unknown", `{"jsonrpc":"2.0","id":5,"method":"GetTask","params":{"id":"nope"}}`, "1.0", v10},
		{"v1.0 SubscribeToTask finished", `{"jsonrpc":"2.0","id":6,"method":"SubscribeToTask","params":{"id":"` + taskID + `"}}`, "1.0", v10},
		{"v0.3 tasks/get", `{"jsonrpc":"2.0","id":7,"method":"tasks/get","params":{"id":"` + taskID + `"}}`, "0.3", v03},
		{"v0.3 tasks/resubscribe finished", `{"jsonrpc":"2.0","id":8,"method":"tasks/resubscribe","params":{"id":"` + taskID + `"}}`, "0.3", v03},
	} {
		t.Run(f.name, func(t *testing.T) {
			ex := exchangeWith(t, base, "POST", "/a2a/jsonrpc", f.header, f.body)
			ex.ProtocolVersion = f.version
			fs := Check(ex)
			t.Logf("%d %q: %s", ex.Status, ex.ContentType, describe(fs))
			for _, e := range ex.Events {
				t.Logf("  %s", e.Raw)
			}
			assertRules(t, fs)
		})
	}

	for _, c := range []struct {
		name    string
		header  http.Header
		version string
		want    []string
	}{{"v1.0 card", v10, a2awire.V10, nil}, {"v0.3 card", v03, a2awire.V03, nil}} {
		t.Run(c.name, func(t *testing.T) {
			ex := exchangeWith(t, base, "GET", "/.well-known/agent-card.json", c.header, "")
			fs := CheckCard(c.version, ex.Events[0].Raw, true)
			t.Logf("%s: %s", ex.Events[0].Raw, describe(fs))
			assertRules(t, fs, c.want...)
		})
	}
}

// firstTaskID returns the task id the first event of a stream names.
func firstTaskID(ex *Exchange) string {
	for _, e := range ex.Events {
		if f, ok := a2awire.ParseSSE(e.Raw); ok {
			if ev, err := a2awire.ParseEvent(f.Data); err == nil && ev.TaskID != "" {
				return ev.TaskID
			}
		}
	}
	return ""
}
