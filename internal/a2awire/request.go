package a2awire

import (
	"bytes"
	"encoding/json"
	"net/http"
	"net/url"
	"strings"
)

// Request is what can be told about one A2A request from its HTTP method,
// path, headers and body.
type Request struct {
	// Method is the JSON-RPC method as sent, or for REST the v1.0 name of the
	// operation the path names. "" when the request is no A2A call (a card
	// fetch, say) or cannot be read.
	Method    string
	Version   string // V03 or V10
	Binding   string // BindingJSONRPC, BindingREST, or "" for a non-A2A request
	RPCID     json.RawMessage
	Streaming bool
	TaskID    string
	ContextID string
	MessageID string
	Text      string // the text parts of the user message, if any
}

type rpcRequest struct {
	JSONRPC string          `json:"jsonrpc"`
	ID      json.RawMessage `json:"id"`
	Method  string          `json:"method"`
	Params  json.RawMessage `json:"params"`
}

// params holds what any A2A method's params can name: a task by id (get,
// cancel, resubscribe), by taskId (push configs), by name (v1.0 "tasks/T"),
// or a message that may point at a task and context.
type params struct {
	ID      string   `json:"id"`
	TaskID  string   `json:"taskId"`
	Name    string   `json:"name"`
	Message *message `json:"message"`
}

// ParseRequest reads an A2A request. path is the request path relative to
// the agent's base (the REST operation is told by its suffix, so a prefix
// does no harm). It never fails: what it cannot tell stays empty.
func ParseRequest(httpMethod, path string, header http.Header, body []byte) Request {
	if trimmed := bytes.TrimSpace(body); len(trimmed) > 0 && trimmed[0] == '{' {
		var rpc rpcRequest
		if json.Unmarshal(trimmed, &rpc) == nil && rpc.JSONRPC != "" {
			return parseJSONRPC(rpc, header)
		}
	}
	return parseREST(httpMethod, path, header, body)
}

func parseJSONRPC(rpc rpcRequest, header http.Header) Request {
	r := Request{
		Method:    rpc.Method,
		Binding:   BindingJSONRPC,
		RPCID:     rpc.ID,
		Streaming: IsStreamingMethod(rpc.Method),
		Version:   MethodVersion(rpc.Method),
	}
	if r.Version == "" {
		r.Version = HeaderProtocolVersion(header.Get(HeaderVersion))
	}
	var p params
	if len(rpc.Params) > 0 && json.Unmarshal(rpc.Params, &p) == nil {
		r.fillFromParams(&p)
	}
	return r
}

func (r *Request) fillFromParams(p *params) {
	switch {
	case p.ID != "":
		r.TaskID = p.ID
	case p.TaskID != "":
		r.TaskID = p.TaskID
	case strings.HasPrefix(p.Name, "tasks/"):
		r.TaskID, _, _ = strings.Cut(strings.TrimPrefix(p.Name, "tasks/"), "/")
	}
	if m := p.Message; m != nil {
		r.MessageID = m.MessageID
		r.ContextID = m.ContextID
		r.Text = m.text()
		if r.TaskID == "" {
			r.TaskID = m.TaskID
		}
	}
}

// parseREST tells the operation from the path suffix, per the HTTP+JSON
// binding of both versions (v0.3 puts it under /v1, which is then just part
// of the prefix).
func parseREST(httpMethod, path string, header http.Header, body []byte) Request {
	r := Request{Binding: BindingREST, Version: HeaderProtocolVersion(header.Get(HeaderVersion))}
	path, _, _ = strings.Cut(path, "?")
	switch {
	case strings.HasSuffix(path, "/message:stream"):
		r.Method, r.Streaming = "SendStreamingMessage", true
	case strings.HasSuffix(path, "/message:send"):
		r.Method = "SendMessage"
	case strings.HasSuffix(path, "/extendedAgentCard"), strings.HasSuffix(path, "/v1/card"):
		r.Method = "GetExtendedAgentCard"
	case strings.HasSuffix(path, "/tasks") && httpMethod == http.MethodGet:
		r.Method = "ListTasks"
	default:
		r.Method, r.TaskID, r.Streaming = parseTaskPath(httpMethod, path)
	}
	if r.Method == "" {
		return Request{} // not an A2A call: a card fetch, a health check, ...
	}
	var p params
	if len(body) > 0 && json.Unmarshal(body, &p) == nil {
		taskID := r.TaskID
		r.fillFromParams(&p)
		if taskID != "" {
			r.TaskID = taskID // the path names the task; a body id is something else
		}
	}
	return r
}

// parseTaskPath reads ".../tasks/{id}[:cancel|:subscribe|/pushNotificationConfigs[/{cid}]]".
func parseTaskPath(httpMethod, path string) (method, taskID string, streaming bool) {
	i := strings.LastIndex(path, "/tasks/")
	if i < 0 {
		return "", "", false
	}
	rest := path[i+len("/tasks/"):]
	id, sub, _ := strings.Cut(rest, "/")
	id, verb, _ := strings.Cut(id, ":")
	if unescaped, err := url.PathUnescape(id); err == nil {
		id = unescaped
	}
	if id == "" {
		return "", "", false
	}
	switch {
	case verb == "subscribe":
		return "SubscribeToTask", id, true
	case verb == "cancel":
		return "CancelTask", id, false
	case strings.HasPrefix(sub, "pushNotificationConfigs"):
		hasConfigID := strings.Contains(sub, "/")
		switch {
		case httpMethod == http.MethodPost:
			return "CreateTaskPushNotificationConfig", id, false
		case httpMethod == http.MethodDelete:
			return "DeleteTaskPushNotificationConfig", id, false
		case hasConfigID:
			return "GetTaskPushNotificationConfig", id, false
		default:
			return "ListTaskPushNotificationConfigs", id, false
		}
	case sub == "" && verb == "" && httpMethod == http.MethodGet:
		return "GetTask", id, false
	}
	return "", "", false
}
