package conformance

import (
	"bytes"
	"encoding/json"

	"github.com/a2aproxy/a2a-proxy/internal/a2awire"
)

// document checks one response document on its own: its JSON-RPC frame,
// that it is an A2A event, and its wire spelling.
func (c *check) document(p *parsed) {
	if p.jsonErr {
		c.add(RuleWireEvent, p.seq, "", "event data is not a JSON object: %s", truncate(string(p.data), 60))
		return
	}
	if c.binding == a2awire.BindingJSONRPC {
		c.frame(p)
	}
	if c.carriesEvent() && p.ev.Kind == "" && (c.binding != a2awire.BindingJSONRPC || p.frame.Result != nil) {
		if c.kindMissing(p) {
			c.add(RuleWireKindField, p.seq, "$.result.kind", `v0.3 event without "kind"`)
		} else {
			c.add(RuleWireEvent, p.seq, "", "not an A2A event (task, message, status update or artifact update)")
		}
	}
	c.walk(p.data, p.seq, false)
}

// carriesEvent reports whether the method's results are A2A events (a
// Task or Message), as stream events and SendMessage/GetTask/CancelTask
// results are; ListTasks, push configs and cards are other objects.
func (c *check) carriesEvent() bool {
	switch c.method {
	case "SendMessage", "SendStreamingMessage", "SubscribeToTask", "GetTask", "CancelTask":
		return true
	}
	return false
}

// kindMissing reports a v0.3 JSON-RPC result that lacks its kind member.
func (c *check) kindMissing(p *parsed) bool {
	if c.version != a2awire.V03 || c.binding != a2awire.BindingJSONRPC {
		return false
	}
	var members map[string]json.RawMessage
	return json.Unmarshal(p.frame.Result, &members) == nil && members != nil && members["kind"] == nil
}

// frame checks the JSON-RPC frame of a response document.
func (c *check) frame(p *parsed) {
	f := &p.frame
	if v := f.Version(); v != "2.0" {
		c.add(RuleJSONRPCVersion, p.seq, "$.jsonrpc", "response has jsonrpc %s, want \"2.0\"", rawOrAbsent(f.JSONRPC))
	}
	switch {
	case f.Result != nil && f.Error != nil:
		c.add(RuleJSONRPCResultXError, p.seq, "$", "response has both result and error")
	case f.Result == nil && f.Error == nil:
		c.add(RuleJSONRPCResultXError, p.seq, "$", "response has neither result nor error")
	}
	c.idMatch(p)
	if f.Error != nil {
		c.errorCode(p)
	} else if f.Result != nil && c.wantCode != 0 {
		c.add(RuleJSONRPCErrorCode, p.seq, "$.result", "the request calls for error %d (%s), the agent answered with a result", c.wantCode, codeName(c.wantCode))
	}
}

func (c *check) idMatch(p *parsed) {
	f := &p.frame
	switch {
	case f.ID == nil:
		c.add(RuleJSONRPCIDMatch, p.seq, "$.id", "response has no id")
	case c.rpcID == nil:
		// The request's id is unknown (not recorded, or not JSON): only
		// null is right, and only for the errors that say so.
		if !isNull(f.ID) && (c.wantCode == -32700 || c.wantCode == -32600) {
			c.add(RuleJSONRPCIDMatch, p.seq, "$.id", "response id %s to a request whose id cannot be read, want null", truncate(string(f.ID), 40))
		}
	case a2awire.SameJSON(f.ID, c.rpcID):
	case isNull(f.ID) && f.Error != nil && (p.frame.ErrorCode == -32700 || p.frame.ErrorCode == -32600):
		// Allowed: the server could not read the request's id.
	default:
		c.add(RuleJSONRPCIDMatch, p.seq, "$.id", "response id %s, the request's id is %s", truncate(string(f.ID), 40), truncate(string(c.rpcID), 40))
	}
}

func isNull(raw json.RawMessage) bool { return bytes.Equal(bytes.TrimSpace(raw), []byte("null")) }

func (c *check) errorCode(p *parsed) {
	f := &p.frame
	if !f.ErrorCodeOK || !f.ErrorMessageOK {
		c.add(RuleJSONRPCErrorCode, p.seq, "$.error", "error object without an integer code and a string message: %s", truncate(string(f.Error), 60))
		return
	}
	code := f.ErrorCode
	if !knownCode(code) {
		c.add(RuleJSONRPCErrorCode, p.seq, "$.error.code", "error code %d is neither a standard JSON-RPC code nor in the A2A range -32000 to -32099", code)
		return
	}
	if c.isV10() && f.ErrorData != nil && !hasKind(f.ErrorData, 'a') {
		c.add(RuleJSONRPCErrorCode, p.seq, "$.error.data", "v1.0 error data is a list of typed details, not %s", truncate(string(f.ErrorData), 40))
	}
	if c.wantCode != 0 && code != c.wantCode {
		c.add(RuleJSONRPCErrorCode, p.seq, "$.error.code", "error code %d (%s), the spec's code for this request is %d (%s)", code, codeName(code), c.wantCode, codeName(c.wantCode))
	}
}

// knownCode reports the codes a JSON-RPC error of A2A may carry: the
// standard ones and the server-error range that A2A's own codes use.
func knownCode(code int) bool {
	switch {
	case code == -32700, code >= -32603 && code <= -32600:
		return true
	case code >= -32099 && code <= -32000:
		return true
	}
	return false
}

var codeNames = map[int]string{
	-32700: "parse error",
	-32600: "invalid request",
	-32601: "method not found",
	-32602: "invalid params",
	-32603: "internal error",
	-32001: "task not found",
	-32002: "task not cancelable",
	-32003: "push notifications not supported",
	-32004: "unsupported operation",
	-32005: "content type not supported",
	-32006: "invalid agent response",
	-32007: "extended card not configured",
	-32008: "extension support required",
	-32009: "version not supported",
}

func codeName(code int) string {
	if n, ok := codeNames[code]; ok {
		return n
	}
	return "server error"
}
