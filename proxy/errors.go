package proxy

import (
	"encoding/json"
	"net/http"
	"strconv"
)

// JSON-RPC error codes the proxy answers with.
const (
	codeInvalidRequest = -32600
	codeMethodNotFound = -32601
	codeInternalError  = -32603
)

type rpcError struct {
	Code    int    `json:"code"`
	Message string `json:"message"`
}

type rpcErrorResponse struct {
	JSONRPC string          `json:"jsonrpc"`
	ID      json.RawMessage `json:"id"`
	Error   rpcError        `json:"error"`
}

// writeJSONRPCError answers with a JSON-RPC error carrying the request's id
// (null when unknown), so a client's JSON-RPC layer can match it.
func writeJSONRPCError(w http.ResponseWriter, status int, id json.RawMessage, code int, msg string) {
	if len(id) == 0 {
		id = json.RawMessage("null")
	}
	body, _ := json.Marshal(rpcErrorResponse{JSONRPC: "2.0", ID: id, Error: rpcError{Code: code, Message: msg}})
	writeJSON(w, status, body)
}

// writeRESTError answers a REST-binding request with a google.rpc.Status body,
// as the HTTP+JSON binding does.
func writeRESTError(w http.ResponseWriter, status int, grpcStatus, msg string) {
	body, _ := json.Marshal(map[string]any{"error": map[string]any{
		"code": status, "status": grpcStatus, "message": msg,
	}})
	writeJSON(w, status, body)
}

func writeJSON(w http.ResponseWriter, status int, body []byte) {
	h := w.Header()
	h.Set("Content-Type", "application/json")
	h.Set("Content-Length", strconv.Itoa(len(body)))
	w.WriteHeader(status)
	_, _ = w.Write(body)
}
