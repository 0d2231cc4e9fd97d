package streamclient

import (
	"github.com/google/uuid"

	"github.com/a2aproxy/a2a-proxy/internal/a2awire"
)

// rpcRequest is a JSON-RPC 2.0 request.
type rpcRequest struct {
	JSONRPC string     `json:"jsonrpc"`
	ID      string     `json:"id"`
	Method  string     `json:"method"`
	Params  sendParams `json:"params"`
}

type sendParams struct {
	Message message `json:"message"`
}

// message and part cover both versions: v0.3 tags them with kind and spells
// roles in lowercase, v1.0 has no kind and spells roles ROLE_*.
type message struct {
	Kind      string `json:"kind,omitempty"`
	Role      string `json:"role"`
	MessageID string `json:"messageId"`
	Parts     []part `json:"parts"`
}

type part struct {
	Kind string `json:"kind,omitempty"`
	Text string `json:"text"`
}

// newStreamRequest returns the request that sends text as a new user message
// on a streaming call in the given protocol version.
func newStreamRequest(version, text string) rpcRequest {
	req := rpcRequest{
		JSONRPC: "2.0",
		ID:      uuid.NewString(),
		Method:  "message/stream",
		Params: sendParams{Message: message{
			Kind:      "message",
			Role:      "user",
			MessageID: uuid.NewString(),
			Parts:     []part{{Kind: "text", Text: text}},
		}},
	}
	if version == a2awire.V10 {
		req.Method = "SendStreamingMessage"
		req.Params.Message.Kind = ""
		req.Params.Message.Role = "ROLE_USER"
		req.Params.Message.Parts[0].Kind = ""
	}
	return req
}
