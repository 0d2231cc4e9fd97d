package conformance

import (
	"bytes"
	"io"
	"net/http"
	"net/http/httptest"
	"strings"
	"testing"

	builtinagent "github.com/a2aproxy/a2a-proxy/builtin-agent"
	"github.com/a2aproxy/a2a-proxy/internal/a2awire"
)

// exchangeWith sends one request to a live agent and records the exchange
// as the proxy does: SSE blocks cut by a2awire.Splitter, or the whole body.
func exchangeWith(t *testing.T, base, method, path string, header http.Header, body string) *Exchange {
	t.Helper()
	req, err := http.NewRequest(method, base+path, strings.NewReader(body))
	if err != nil {
		t.Fatal(err)
	}
	req.Header = header.Clone()
	req.Header.Set("Content-Type", "application/json")
	resp, err := http.DefaultClient.Do(req)
	if err != nil {
		t.Fatal(err)
	}
	defer resp.Body.Close()
	raw, err := io.ReadAll(resp.Body)
	if err != nil {
		t.Fatal(err)
	}
	ex := &Exchange{HTTPMethod: method, Path: path, RequestHeaders: req.Header, RequestBody: []byte(body),
		Status: resp.StatusCode, ContentType: resp.Header.Get("Content-Type"), Outcome: OutcomeCompleted}
	ex.Streaming = strings.HasPrefix(ex.ContentType, "text/event-stream")
	if !ex.Streaming {
		ex.Events = []Event{{Seq: 0, Raw: raw}}
		return ex
	}
	var s a2awire.Splitter
	emit := func(block []byte, _ int64) {
		ex.Events = append(ex.Events, Event{Seq: len(ex.Events), Raw: bytes.Clone(block)})
	}
	s.Split(raw, emit)
	if rest, _ := s.End(emit); len(rest) > 0 {
		emit(rest, 0)
	}
	return ex
}

// TestBuiltinAgentConforms runs the checks over live traffic of the built-in
// agent (a2a-go v0.3.3): its card, a stream, a tasks/get, a resubscribe to
// the finished task and a request with bad params. The agent is ours, so it
// must break no rule. (a2a-go v0.3.3 itself writes unary JSON-RPC responses
// without a Content-Type, which net/http sniffs as text/plain: the built-in
// agent's handler sets application/json for it, builtin-agent/content_type.go.)
func TestBuiltinAgentConforms(t *testing.T) {
	srv := httptest.NewServer(nil)
	defer srv.Close()
	srv.Config.Handler = builtinagent.NewHandler(builtinagent.Options{URL: srv.URL + "/", StepDelay: -1})
	h := http.Header{}

	streamEx := exchangeWith(t, srv.URL, "POST", "/", h,
		`{"jsonrpc":"2.0","id":1,"method":"message/stream","params":{"message":{"kind":"message","role":"user","messageId":"m1","parts":[{"kind":"text","text":"hi"}]}}}`)
	fs := Check(streamEx)
	t.Logf("message/stream (%d events): %s", len(streamEx.Events), describe(fs))
	assertRules(t, fs)

	taskID := ""
	for _, e := range streamEx.Events {
		if f, ok := a2awire.ParseSSE(e.Raw); ok {
			if ev, err := a2awire.ParseEvent(f.Data); err == nil && ev.TaskID != "" {
				taskID = ev.TaskID
				break
			}
		}
	}
	get := exchangeWith(t, srv.URL, "POST", "/", h, `{"jsonrpc":"2.0","id":"g","method":"tasks/get","params":{"id":"`+taskID+`"}}`)
	fs = Check(get)
	t.Logf("tasks/get: %s", describe(fs))
	assertRules(t, fs)

	resub := exchangeWith(t, srv.URL, "POST", "/", h, `{"jsonrpc":"2.0","id":2,"method":"tasks/resubscribe","params":{"id":"`+taskID+`"}}`)
	fs = Check(resub)
	t.Logf("tasks/resubscribe: %s", describe(fs))
	assertRules(t, fs)

	bad := exchangeWith(t, srv.URL, "POST", "/", h, `{"jsonrpc":"2.0","id":3,"method":"message/send","params":{}}`)
	fs = Check(bad)
	t.Logf("message/send without message: %d %s", bad.Status, describe(fs))
	assertRules(t, fs) // the code is right too: -32602

	card := exchangeWith(t, srv.URL, "GET", "/.well-known/agent-card.json", h, "")
	fs = CheckCard(a2awire.V03, card.Events[0].Raw, streamEx.Streaming)
	t.Logf("card: %s", describe(fs))
	assertRules(t, fs)
}
