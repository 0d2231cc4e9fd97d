package replay

import (
	"encoding/json"
	"net/http"

	"github.com/a2aproxy/a2a-proxy/internal/a2awire"
)

// JSON-RPC error codes the replay agent answers with.
const (
	codeParseError     = -32700
	codeMethodNotFound = -32601
	codeInvalidParams  = -32602
	codeTaskNotFound   = -32001 // A2A
	// codeNoRecording is for a request no recording answers. JSON-RPC leaves
	// -32000 to -32099 to implementations; A2A does not use -32000.
	codeNoRecording = -32000
)

type rpcError struct {
	Code    int    `json:"code"`
	Message string `json:"message"`
	Data    any    `json:"data,omitempty"`
}

// newRPCError builds an error as agents of version send it. a2a-go (v0.3)
// shows its clients data.error only, so the message goes there too.
func newRPCError(version string, code int, message string) *rpcError {
	e := &rpcError{Code: code, Message: message}
	if version != a2awire.V10 {
		e.Data = map[string]string{"error": message}
	}
	return e
}

type rpcResponse struct {
	JSONRPC string          `json:"jsonrpc"`
	ID      json.RawMessage `json:"id"`
	Result  json.RawMessage `json:"result,omitempty"`
	Error   *rpcError       `json:"error,omitempty"`
}

// nullID answers a request whose id cannot be read.
var nullID = json.RawMessage("null")

// responseID is the id to answer req with: its own, or null.
func responseID(req a2awire.Request) json.RawMessage {
	if len(req.RPCID) == 0 {
		return nullID
	}
	return req.RPCID
}

// envelope encodes a JSON-RPC response.
func envelope(id, result json.RawMessage, rpcErr *rpcError) []byte {
	doc, err := json.Marshal(rpcResponse{JSONRPC: "2.0", ID: id, Result: result, Error: rpcErr})
	if err != nil { // only a result that is not JSON, which the fold never makes
		doc, _ = json.Marshal(rpcResponse{JSONRPC: "2.0", ID: id, Error: &rpcError{Code: -32603, Message: "internal error"}})
	}
	return doc
}

// writeJSON answers a unary call. JSON-RPC errors come with HTTP 200.
func writeJSON(w http.ResponseWriter, doc []byte) {
	w.Header().Set("Content-Type", "application/json")
	w.WriteHeader(http.StatusOK)
	_, _ = w.Write(doc) // a client that left does not read the error either
}
