package conformance

import (
	"net/http"
	"strings"
	"testing"
)

// TestCheckRules pins each exchange rule: a conforming exchange yields no
// finding, and each violating one exactly the rule it breaks, in both
// versions and bindings.
func TestCheckRules(t *testing.T) {
	good03 := []string{t03("submitted"), s03("working", false), a03("A", false, true), s03("completed", true)}
	good10 := r10(t10("TASK_STATE_SUBMITTED"), s10("TASK_STATE_WORKING"), a10("A", false, true), s10("TASK_STATE_COMPLETED"))
	goodREST := []string{t10("TASK_STATE_SUBMITTED"), s10("TASK_STATE_WORKING"), a10("A", false, true), s10("TASK_STATE_COMPLETED")}
	goodREST03 := []string{`{"task":{"id":"T","contextId":"C","status":{"state":"TASK_STATE_SUBMITTED"}}}`,
		`{"statusUpdate":{"taskId":"T","contextId":"C","status":{"state":"TASK_STATE_COMPLETED"},"final":true}}`}

	with := func(ex *Exchange, f func(*Exchange)) *Exchange { f(ex); return ex }
	unary := func(version, method, reqBody, ct, body string) *Exchange {
		ex := &Exchange{ProtocolVersion: version, Binding: "jsonrpc", Method: method, HTTPMethod: "POST", Path: "/",
			RequestHeaders: http.Header{}, RequestBody: []byte(reqBody), Status: 200, ContentType: ct,
			Events: []Event{{Seq: 0, Raw: []byte(body)}}, Outcome: OutcomeCompleted}
		if version == "1.0" {
			ex.RequestHeaders.Set("A2A-Version", "1.0")
		}
		return ex
	}

	tests := []struct {
		name string
		ex   *Exchange
		want []string
	}{
		// Conforming exchanges.
		{"v0.3 jsonrpc stream", stream("0.3", "jsonrpc", reqV03, good03...), nil},
		{"v1.0 jsonrpc stream", stream("1.0", "jsonrpc", reqV10, good10...), nil},
		{"v1.0 rest stream", stream("1.0", "rest", reqRST, goodREST...), nil},
		{"v0.3 rest stream", stream("0.3", "rest", reqRST, goodREST03...), nil},
		{"v0.3 message stream", stream("0.3", "jsonrpc", reqV03, m03()), nil},
		{"v1.0 message stream", stream("1.0", "jsonrpc", reqV10, rpc(m10())), nil},
		{"v1.0 ends interrupted", stream("1.0", "jsonrpc", reqV10, r10(t10("TASK_STATE_SUBMITTED"), s10("TASK_STATE_INPUT_REQUIRED"))...), nil},
		{"v1.0 final task snapshot", stream("1.0", "jsonrpc", reqV10, append(good10, rpc(t10("TASK_STATE_COMPLETED")))...), nil},
		{"v0.3 chunks", stream("0.3", "jsonrpc", reqV03, t03("submitted"), a03("A", false, false), a03("A", true, true), s03("completed", true)), nil},
		{"v0.3 cut stream", with(stream("0.3", "jsonrpc", reqV03, t03("submitted"), s03("working", false)), func(ex *Exchange) { ex.Outcome = "upstream_error" }), nil},
		{"v1.0 cut stream", with(stream("1.0", "jsonrpc", reqV10, r10(t10("TASK_STATE_SUBMITTED"))...), func(ex *Exchange) { ex.Outcome = "client_closed" }), nil},
		{"v0.3 error instead of stream", with(stream("0.3", "jsonrpc", reqV03), func(ex *Exchange) {
			ex.Streaming, ex.ContentType = false, "application/json"
			ex.Events = []Event{{Seq: 0, Raw: []byte(`{"jsonrpc":"2.0","id":1,"error":{"code":-32001,"message":"Task not found"}}`)}}
		}), nil},
		{"v0.3 tasks/get", unary("0.3", "tasks/get", `{"jsonrpc":"2.0","id":"g","method":"tasks/get","params":{"id":"T"}}`, "application/json",
			`{"jsonrpc":"2.0","id":"g","result":{"kind":"task","id":"T","contextId":"C","status":{"state":"completed"}}}`), nil},
		{"v1.0 GetTask", unary("1.0", "GetTask", `{"jsonrpc":"2.0","id":"g","method":"GetTask","params":{"id":"T"}}`, "application/json",
			`{"jsonrpc":"2.0","id":"g","result":{"id":"T","contextId":"C","status":{"state":"TASK_STATE_COMPLETED"}}}`), nil},
		{"v0.3 subscribe without snapshot", with(stream("0.3", "jsonrpc", `{"jsonrpc":"2.0","id":1,"method":"tasks/resubscribe","params":{"id":"T"}}`,
			a03("A", true, true), s03("completed", true)), func(ex *Exchange) {}), nil},

		// v0.3 violations.
		{"v0.3 first event", stream("0.3", "jsonrpc", reqV03, s03("working", false), s03("completed", true)), []string{RuleStreamFirstEvent}},
		{"v0.3 message then more", stream("0.3", "jsonrpc", reqV03, m03(), s03("completed", true)), []string{RuleStreamMessageOnly}},
		{"v0.3 after terminal", stream("0.3", "jsonrpc", reqV03, append(good03, a03("B", false, true))...), []string{RuleStreamAfterTerminal}},
		{"v0.3 out of terminal", stream("0.3", "jsonrpc", reqV03, t03("submitted"), s03("completed", false), s03("working", true)), []string{RuleStreamTerminalState}},
		{"v0.3 final missing", stream("0.3", "jsonrpc", reqV03, t03("submitted"), s03("completed", false)), []string{RuleStreamFinalFlag}},
		{"v0.3 final early", stream("0.3", "jsonrpc", reqV03, t03("submitted"), s03("working", true), s03("completed", true)), []string{RuleStreamFinalFlag}},
		{"v0.3 other task id", stream("0.3", "jsonrpc", reqV03, t03("submitted"), strings.Replace(s03("completed", true), `"T"`, `"U"`, 1)), []string{RuleIDsConsistent}},
		{"v0.3 request task id", stream("0.3", "jsonrpc", strings.Replace(reqV03, `"messageId"`, `"taskId":"X","messageId"`, 1), good03...), []string{RuleIDsConsistent}},
		{"v0.3 jsonrpc version", stream("0.3", "jsonrpc", reqV03, t03("submitted"), strings.Replace(s03("completed", true), `"2.0"`, `"1.0"`, 1)), []string{RuleJSONRPCVersion}},
		{"v0.3 id mismatch", stream("0.3", "jsonrpc", reqV03, t03("submitted"), strings.Replace(s03("completed", true), `"id":1`, `"id":"1"`, 1)), []string{RuleJSONRPCIDMatch}},
		{"v0.3 result and error", stream("0.3", "jsonrpc", reqV03, t03("submitted"),
			strings.Replace(s03("working", false), `"result"`, `"error":{"code":-32603,"message":"x"},"result"`, 1), s03("completed", true)), []string{RuleJSONRPCResultXError}},
		{"v0.3 reserved error code", stream("0.3", "jsonrpc", reqV03, `{"jsonrpc":"2.0","id":1,"error":{"code":-32768,"message":"x"}}`), []string{RuleJSONRPCErrorCode}},
		{"v0.3 wrong code for bad params", with(unary("0.3", "message/send", `{"jsonrpc":"2.0","id":1,"method":"message/send","params":{}}`, "application/json",
			`{"jsonrpc":"2.0","id":1,"error":{"code":-32603,"message":"internal"}}`), func(*Exchange) {}), []string{RuleJSONRPCErrorCode}},
		{"v0.3 not json", stream("0.3", "jsonrpc", reqV03, t03("submitted"), "oops", s03("completed", true)), []string{RuleWireEvent}},
		{"v0.3 part without kind", stream("0.3", "jsonrpc", reqV03, t03("submitted"), a03("A", false, true)[:0]+strings.Replace(a03("A", false, true), `{"kind":"text",`, `{`, 1), s03("completed", true)), []string{RuleWireKindField}},
		{"v0.3 v1.0 state spelling", stream("0.3", "jsonrpc", reqV03, t03("TASK_STATE_SUBMITTED"), s03("completed", true)), []string{RuleWireEnumSpelling}},
		{"v0.3 snake case", stream("0.3", "jsonrpc", reqV03, t03("submitted"), strings.Replace(s03("completed", true), `"contextId"`, `"context_id"`, 1)), []string{RuleWireCamelCase}},
		{"v0.3 bad timestamp", stream("0.3", "jsonrpc", reqV03, t03("submitted"), strings.Replace(s03("completed", true), "2025-06-01T12:00:00.123Z", "yesterday", 1)), []string{RuleWireTimestamp}},
		{"v0.3 stream as json", unary("0.3", "message/stream", reqV03, "application/json", t03("completed")), []string{RuleHTTPContentType}},
		{"v0.3 append first", stream("0.3", "jsonrpc", reqV03, t03("submitted"), a03("A", true, true), s03("completed", true)), []string{RuleArtifactChunks}},
		{"v0.3 after last chunk", stream("0.3", "jsonrpc", reqV03, t03("submitted"), a03("A", false, true), a03("A", true, true), s03("completed", true)), []string{RuleArtifactChunks}},

		// v1.0 violations.
		{"v1.0 first event", stream("1.0", "jsonrpc", reqV10, r10(s10("TASK_STATE_WORKING"), s10("TASK_STATE_COMPLETED"))...), []string{RuleStreamFirstEvent}},
		{"v1.0 message then more", stream("1.0", "jsonrpc", reqV10, r10(m10(), s10("TASK_STATE_COMPLETED"))...), []string{RuleStreamMessageOnly}},
		{"v1.0 after terminal", stream("1.0", "jsonrpc", reqV10, append(good10, rpc(a10("B", false, true)))...), []string{RuleStreamAfterTerminal}},
		{"v1.0 after interrupted", stream("1.0", "jsonrpc", reqV10, r10(t10("TASK_STATE_SUBMITTED"), s10("TASK_STATE_INPUT_REQUIRED"), a10("A", false, true))...), []string{RuleStreamAfterTerminal}},
		{"v1.0 out of terminal", stream("1.0", "jsonrpc", reqV10, r10(t10("TASK_STATE_SUBMITTED"), s10("TASK_STATE_COMPLETED"), s10("TASK_STATE_WORKING"))...), []string{RuleStreamTerminalState}},
		{"v1.0 ends working", stream("1.0", "jsonrpc", reqV10, r10(t10("TASK_STATE_SUBMITTED"), s10("TASK_STATE_WORKING"))...), []string{RuleStreamEndState}},
		{"v1.0 rest ends working", stream("1.0", "rest", reqRST, t10("TASK_STATE_SUBMITTED"), s10("TASK_STATE_WORKING")), []string{RuleStreamEndState}},
		{"v1.0 subscribe without snapshot", stream("1.0", "jsonrpc", `{"jsonrpc":"2.0","id":1,"method":"SubscribeToTask","params":{"id":"T"}}`,
			r10(s10("TASK_STATE_COMPLETED"))...), []string{RuleStreamFirstEvent}},
		{"v1.0 other context id", stream("1.0", "rest", reqRST, t10("TASK_STATE_SUBMITTED"), strings.Replace(s10("TASK_STATE_COMPLETED"), `"C"`, `"D"`, 1)), []string{RuleIDsConsistent}},
		{"v1.0 GetTask other id", unary("1.0", "GetTask", `{"jsonrpc":"2.0","id":"g","method":"GetTask","params":{"id":"T"}}`, "application/json",
			`{"jsonrpc":"2.0","id":"g","result":{"id":"U","contextId":"C","status":{"state":"TASK_STATE_COMPLETED"}}}`), []string{RuleIDsConsistent}},
		{"v1.0 jsonrpc version", stream("1.0", "jsonrpc", strings.Replace(reqV10, `"2.0"`, `"2"`, 1), good10...), []string{RuleJSONRPCVersion, RuleJSONRPCErrorCode}}, // the agent also answered an invalid request
		{"v1.0 id mismatch", stream("1.0", "jsonrpc", reqV10, append(good10[:3:3], `{"jsonrpc":"2.0","id":2,"result":`+s10("TASK_STATE_COMPLETED")+`}`)...), []string{RuleJSONRPCIDMatch}},
		{"v1.0 neither result nor error", stream("1.0", "jsonrpc", reqV10, append(good10, `{"jsonrpc":"2.0","id":1}`)...), []string{RuleJSONRPCResultXError}},
		{"v1.0 error without message", stream("1.0", "jsonrpc", reqV10, `{"jsonrpc":"2.0","id":1,"error":{"code":-32004}}`), []string{RuleJSONRPCErrorCode}},
		{"v1.0 error data object", stream("1.0", "jsonrpc", reqV10, `{"jsonrpc":"2.0","id":1,"error":{"code":-32004,"message":"no","data":{"error":"x"}}}`), []string{RuleJSONRPCErrorCode}},
		{"v1.0 error data list", stream("1.0", "jsonrpc", reqV10, `{"jsonrpc":"2.0","id":1,"error":{"code":-32004,"message":"no","data":[{"@type":"type.googleapis.com/google.rpc.ErrorInfo","reason":"UNSUPPORTED"}]}}`), nil},
		{"v1.0 parse error code", with(unary("1.0", "", `{"jsonrpc":`, "application/json", `{"jsonrpc":"2.0","id":null,"error":{"code":-32600,"message":"bad"}}`),
			func(ex *Exchange) { ex.Method = "SendMessage" }), []string{RuleJSONRPCErrorCode}},
		{"v1.0 unknown shape", stream("1.0", "rest", reqRST, t10("TASK_STATE_SUBMITTED"), `{"progress":1}`, s10("TASK_STATE_COMPLETED")), []string{RuleWireEvent}},
		{"v1.0 kind member", stream("1.0", "jsonrpc", reqV10, r10(strings.Replace(t10("TASK_STATE_SUBMITTED"), `"id"`, `"kind":"task","id"`, 1), s10("TASK_STATE_COMPLETED"))...), []string{RuleWireKindField}},
		{"v1.0 lowercase state", stream("1.0", "jsonrpc", reqV10, r10(t10("submitted"), s10("TASK_STATE_COMPLETED"))...), []string{RuleWireEnumSpelling}},
		{"v1.0 lowercase role", stream("1.0", "jsonrpc", reqV10, rpc(strings.Replace(m10(), "ROLE_AGENT", "agent", 1))), []string{RuleWireEnumSpelling}},
		{"v1.0 snake case", stream("1.0", "rest", reqRST, t10("TASK_STATE_SUBMITTED"), strings.Replace(s10("TASK_STATE_COMPLETED"), `"taskId"`, `"task_id"`, 1)), []string{RuleWireCamelCase}},
		{"v1.0 offset timestamp", stream("1.0", "rest", reqRST, t10("TASK_STATE_SUBMITTED"), strings.Replace(s10("TASK_STATE_COMPLETED"), ".123Z", ".123+02:00", 1)), []string{RuleWireTimestamp}},
		{"v1.0 stream as text", with(stream("1.0", "rest", reqRST), func(ex *Exchange) {
			ex.Streaming, ex.ContentType = false, "text/plain"
			ex.Events = []Event{{Seq: 0, Raw: []byte(t10("TASK_STATE_COMPLETED"))}}
		}), []string{RuleHTTPContentType}},
		{"v1.0 without A2A-Version", with(stream("1.0", "jsonrpc", reqV10, good10...), func(ex *Exchange) { ex.RequestHeaders.Del("A2A-Version") }), []string{RuleHTTPVersionHeader}},
		{"v1.0 A2A-Version parameter", with(stream("1.0", "rest", reqRST, goodREST...), func(ex *Exchange) {
			ex.RequestHeaders.Del("A2A-Version")
			ex.Path += "?A2A-Version=1.0"
		}), nil},
		{"v1.0 append first", stream("1.0", "rest", reqRST, t10("TASK_STATE_SUBMITTED"), a10("A", true, false), s10("TASK_STATE_COMPLETED")), []string{RuleArtifactChunks}},
		{"v1.0 after last chunk", stream("1.0", "jsonrpc", reqV10, r10(t10("TASK_STATE_SUBMITTED"), a10("A", false, true), a10("A", false, true), s10("TASK_STATE_COMPLETED"))...), []string{RuleArtifactChunks}},
		{"v0.3 rest unknown state", stream("0.3", "rest", reqRST, goodREST03[0], strings.Replace(goodREST03[1], "TASK_STATE_COMPLETED", "DONE", 1)), []string{RuleWireEnumSpelling}},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			assertRules(t, Check(tt.ex), tt.want...)
		})
	}
}

// TestCheckSkips pins what is not checked: non-A2A requests and exchanges
// without a response.
func TestCheckSkips(t *testing.T) {
	card := &Exchange{HTTPMethod: "GET", Path: "/.well-known/agent-card.json", Status: 200, ContentType: "text/html",
		Events: []Event{{Raw: []byte("<html>")}}}
	assertRules(t, Check(card))
	unreachable := stream("0.3", "jsonrpc", reqV03)
	unreachable.Status, unreachable.Outcome = 0, "upstream_unreachable"
	assertRules(t, Check(unreachable))
	assertRules(t, Check(nil))
}

// TestFindingDetails pins the fields a UI shows: the event's seq, the
// JSON path and the severity by version.
func TestFindingDetails(t *testing.T) {
	fs := Check(stream("0.3", "jsonrpc", reqV03, s03("working", false), s03("completed", true)))
	if len(fs) != 1 || fs[0].Seq != 0 || fs[0].Severity != SeverityWarning {
		t.Fatalf("v0.3 first event: %s", describe(fs))
	}
	fs = Check(stream("1.0", "rest", reqRST, t10("TASK_STATE_SUBMITTED"), strings.Replace(s10("TASK_STATE_COMPLETED"), `"taskId"`, `"task_id"`, 1)))
	if len(fs) != 1 || fs[0].Seq != 1 || fs[0].Path != "$.statusUpdate.task_id" || fs[0].Severity != SeverityError {
		t.Fatalf("v1.0 snake case: %s", describe(fs))
	}
	fs = Check(stream("0.3", "jsonrpc", reqV03, t03("submitted"), strings.Replace(s03("completed", true), ".123Z", "+02:00", 1)))
	if len(fs) != 1 || fs[0].Rule != RuleWireTimestamp || fs[0].Severity != SeverityWarning || fs[0].Path != "$.result.status.timestamp" {
		t.Fatalf("v0.3 offset timestamp: %s", describe(fs))
	}
}
