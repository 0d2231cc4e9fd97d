package a2awire

import (
	"bytes"
	"encoding/json"
)

// Frame is the JSON-RPC 2.0 frame of a request or response document as sent:
// which members are present and how, where Event and Request only keep
// values. Conformance checks need it (a missing "jsonrpc" and a wrong one are
// different facts; a result next to an error must be seen).
type Frame struct {
	JSONRPC        json.RawMessage // the "jsonrpc" member as sent, nil when absent
	ID             json.RawMessage // nil when absent
	Method         json.RawMessage // requests only; nil when absent
	Params         json.RawMessage // requests only; nil when absent
	Result         json.RawMessage // nil when absent (a JSON null is present)
	Error          json.RawMessage // nil when absent
	ErrorCode      int             // the error's code, when ErrorCodeOK
	ErrorCodeOK    bool            // the error is an object whose code is an integer
	ErrorMessageOK bool            // the error is an object whose message is a string
	ErrorData      json.RawMessage // the error's data member, nil when absent
}

// IsJSONRPC reports whether the document names itself JSON-RPC at all.
func (f *Frame) IsJSONRPC() bool { return f.JSONRPC != nil }

// Version returns the "jsonrpc" member's string value, or "" when it is
// absent or not a string.
func (f *Frame) Version() string {
	var s string
	if json.Unmarshal(f.JSONRPC, &s) != nil {
		return ""
	}
	return s
}

// ParseFrame reads the top-level members of a JSON-RPC document. It fails
// only when doc is not a JSON object.
func ParseFrame(doc []byte) (Frame, error) {
	var members map[string]json.RawMessage
	if err := json.Unmarshal(doc, &members); err != nil {
		return Frame{}, err
	}
	f := Frame{
		JSONRPC: members["jsonrpc"],
		ID:      members["id"],
		Method:  members["method"],
		Params:  members["params"],
		Result:  members["result"],
		Error:   members["error"],
	}
	if f.Error != nil {
		var e struct {
			Code    json.RawMessage `json:"code"`
			Message json.RawMessage `json:"message"`
			Data    json.RawMessage `json:"data"`
		}
		if json.Unmarshal(f.Error, &e) == nil {
			var code int
			f.ErrorCodeOK = isInteger(e.Code) && json.Unmarshal(e.Code, &code) == nil
			f.ErrorCode = code
			f.ErrorData = e.Data
			var msg string
			f.ErrorMessageOK = json.Unmarshal(e.Message, &msg) == nil && e.Message != nil && !bytes.Equal(e.Message, []byte("null"))
		}
	}
	return f, nil
}

// isInteger reports whether a raw JSON value is a number without fraction or
// exponent ("1", "-32602"), as JSON-RPC error codes must be.
func isInteger(raw json.RawMessage) bool {
	raw = bytes.TrimSpace(raw)
	if len(raw) == 0 {
		return false
	}
	for i, c := range raw {
		if c == '-' && i == 0 {
			continue
		}
		if c < '0' || c > '9' {
			return false
		}
	}
	return true
}

// SameJSON reports whether two raw JSON values are the same value written
// alike up to insignificant white space ("1" and 1 differ, as JSON-RPC ids do).
func SameJSON(a, b json.RawMessage) bool {
	var ca, cb bytes.Buffer
	if json.Compact(&ca, a) != nil || json.Compact(&cb, b) != nil {
		return bytes.Equal(bytes.TrimSpace(a), bytes.TrimSpace(b))
	}
	return bytes.Equal(ca.Bytes(), cb.Bytes())
}
