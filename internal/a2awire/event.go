package a2awire

import (
	"encoding/json"
	"strings"

	gojson "github.com/goccy/go-json"
)

// Event kinds, in the v0.3 spelling for both versions.
const (
	KindTask           = "task"
	KindMessage        = "message"
	KindStatusUpdate   = "status-update"
	KindArtifactUpdate = "artifact-update"
	KindError          = "error"
)

// Fields are the A2A fields extracted from one event: the one struct the
// proxy, the recorder and the stream client share (they embed it), so a
// parsed event is handed on by one assignment, not copied field by field.
type Fields struct {
	Kind       string // one of the Kind constants, "" if the shape is unknown
	TaskID     string
	ContextID  string
	State      string // normalized to the v0.3 spelling
	Final      bool   // v0.3 only; v1.0 has no final flag
	ArtifactID string
	Text       string // the text parts of the status message, message or artifact
}

// Event is what can be told about one A2A event (or unary result) from its
// JSON document.
type Event struct {
	Fields
	MessageID string // of the status message or message

	RPCID        json.RawMessage // the JSON-RPC response id, nil for REST
	ErrorCode    int             // for KindError
	ErrorMessage string
}

// part is a message or artifact part; v0.3 tags it with kind, v1.0 does not.
type part struct {
	Kind string  `json:"kind"`
	Text *string `json:"text"`
}

type message struct {
	MessageID string `json:"messageId"`
	TaskID    string `json:"taskId"`
	ContextID string `json:"contextId"`
	Parts     []part `json:"parts"`
	Content   []part `json:"content"` // v0.3 REST names a message's parts "content"
}

func (m *message) text() string { return joinText(append(m.Parts, m.Content...)) }

// object holds the fields of every event shape at once, so one decoding pass
// serves task, message, status-update and artifact-update alike.
type object struct {
	Kind      string `json:"kind"`
	ID        string `json:"id"`
	TaskID    string `json:"taskId"`
	ContextID string `json:"contextId"`
	MessageID string `json:"messageId"`
	Parts     []part `json:"parts"`
	Content   []part `json:"content"`
	Status    *struct {
		State   string   `json:"state"`
		Message *message `json:"message"`
	} `json:"status"`
	Final    bool `json:"final"`
	Artifact *struct {
		ArtifactID string `json:"artifactId"`
		Parts      []part `json:"parts"`
	} `json:"artifact"`
}

// wrapped is a v1.0 (and REST v0.3) event: exactly one member names the kind.
type wrapped struct {
	object
	Task           *object `json:"task"`
	Message        *object `json:"message"`
	StatusUpdate   *object `json:"statusUpdate"`
	ArtifactUpdate *object `json:"artifactUpdate"`
}

type rpcError struct {
	Code    int    `json:"code"`
	Message string `json:"message"`
}

// envelope is a JSON-RPC response, or (when JSONRPC is empty) a bare REST event.
type envelope struct {
	wrapped
	JSONRPC string          `json:"jsonrpc"`
	RPCID   json.RawMessage `json:"id"`
	Result  *wrapped        `json:"result"`
	Error   *rpcError       `json:"error"`
}

// ParseEvent extracts an Event from one JSON document: a JSON-RPC response
// whose result is the event, or a bare event (REST), in either protocol
// version. It fails only when doc is not a JSON object.
func ParseEvent(doc []byte) (Event, error) {
	// The proxy parses every event it passes through: goccy/go-json decodes
	// these documents in well under half of encoding/json's time and
	// allocations (see internal/ssebench). FuzzParseEventMatchesStdlib holds
	// the two to the same results.
	return parseEvent(doc, gojson.Unmarshal)
}

func parseEvent(doc []byte, unmarshal func([]byte, any) error) (Event, error) {
	var env envelope
	if err := unmarshal(doc, &env); err != nil {
		return Event{}, err
	}
	body := &env.wrapped
	var ev Event
	if env.JSONRPC == "" {
		// A bare event's "id" (a REST Task) landed in the shallower RPCID field.
		_ = unmarshal(env.RPCID, &body.ID)
	} else {
		ev.RPCID = env.RPCID
		if env.Error != nil {
			ev.Kind = KindError
			ev.ErrorCode = env.Error.Code
			ev.ErrorMessage = env.Error.Message
			return ev, nil
		}
		if env.Result == nil {
			return ev, nil
		}
		body = env.Result
	}
	body.fill(&ev)
	return ev, nil
}

// fill tells the event kind from the v1.0 wrapper member or the v0.3 kind
// field, and copies the fields of that kind.
func (w *wrapped) fill(ev *Event) {
	o, kind := &w.object, w.Kind
	switch {
	case w.Task != nil:
		o, kind = w.Task, KindTask
	case w.StatusUpdate != nil:
		o, kind = w.StatusUpdate, KindStatusUpdate
	case w.ArtifactUpdate != nil:
		o, kind = w.ArtifactUpdate, KindArtifactUpdate
	case w.Message != nil:
		o, kind = w.Message, KindMessage
	case kind == "" && w.ID != "" && w.Status != nil:
		kind = KindTask // a unary v1.0 REST GetTask answers with a bare Task
	}
	ev.Kind = kind
	ev.ContextID = o.ContextID
	switch kind {
	case KindTask:
		ev.TaskID = o.ID
	default:
		ev.TaskID = o.TaskID
	}
	if o.Status != nil {
		ev.State = NormalizeState(o.Status.State)
		if m := o.Status.Message; m != nil {
			ev.MessageID = m.MessageID
			ev.Text = m.text()
		}
	}
	if kind == KindMessage {
		ev.MessageID = o.MessageID
		ev.Text = joinText(append(o.Parts, o.Content...))
	}
	if o.Artifact != nil {
		ev.ArtifactID = o.Artifact.ArtifactID
		ev.Text = joinText(o.Artifact.Parts)
	}
	ev.Final = o.Final
}

func joinText(parts []part) string {
	var texts []string
	for _, p := range parts {
		if p.Text != nil && (p.Kind == "" || p.Kind == "text") {
			texts = append(texts, *p.Text)
		}
	}
	return strings.Join(texts, "\n")
}
