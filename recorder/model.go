package recorder

import (
	"encoding/json"
	"errors"
	"net/http"
	"time"

	"github.com/a2aproxy/a2a-proxy/internal/a2awire"
)

var (
	// ErrNotFound is returned by the read methods for an unknown id.
	ErrNotFound = errors.New("not found")
	// ErrInvalidFilter is returned by ListTasks for a negative limit or a
	// cursor it did not issue.
	ErrInvalidFilter = errors.New("invalid task filter")
	// ErrExists is returned by Import for an exchange the store already
	// holds: the file was imported before, or recorded here.
	ErrExists = errors.New("already recorded")
)

// Mode says what the recorder does when its queue is full.
type Mode string

const (
	// ModeDrop drops the event, counts it and marks the exchange's recording
	// incomplete. Clients are never slowed down. The default.
	ModeDrop Mode = "drop"
	// ModeLossless blocks the sender until the queue has room: every event is
	// kept, at the price of backpressure on the stream.
	ModeLossless Mode = "lossless"
)

// Outcomes of an exchange, stored in exchanges.outcome.
const (
	OutcomeCompleted           = "completed"            // the upstream ended the response normally
	OutcomeClientClosed        = "client_closed"        // the client went away first
	OutcomeUpstreamUnreachable = "upstream_unreachable" // no response from the agent at all
	OutcomeUpstreamError       = "upstream_error"       // the agent's response broke off (died mid-stream, read error)
	OutcomeUpstreamTimeout     = "upstream_timeout"     // the agent sent no response headers, or no stream byte, in time; the proxy cut it
	OutcomeProxyError          = "proxy_error"          // the proxy failed (panic, write to recorder impossible, ...)
	OutcomeRejected            = "rejected"             // refused by the proxy before reaching the agent (body too large, ...)
	OutcomeShutdown            = "shutdown"             // cut by the proxy's shutdown after the grace period
	// OutcomeInterrupted is set by the next start on an exchange that a
	// crash or kill left open: its end was never recorded, and events it
	// had not committed are lost.
	OutcomeInterrupted = "interrupted"
)

// InterruptedError is the error stored on the exchanges that a crash left
// open, with OutcomeInterrupted.
const InterruptedError = "the recorder stopped before the exchange ended (crash or kill); events not yet committed are lost"

// Event flags: what was odd about a recorded event. Empty means a well-formed event.
const (
	FlagNonJSON      = "non_json"      // the data field is not a JSON document
	FlagMalformedSSE = "malformed_sse" // the bytes do not parse as an SSE event
	FlagIncomplete   = "incomplete"    // the stream ended inside this event (no terminating blank line)
	FlagOversized    = "oversized"     // the event was longer than the cap: only its first bytes are kept (the client got all of them)
)

// Exchange is one HTTP request/response through the proxy, as known when the
// request arrives. The proxy assigns ID (a UUIDv7, so IDs sort by time).
type Exchange struct {
	ID                   string
	Agent                string
	Method               string // A2A method in its wire spelling ("message/stream", "SendStreamingMessage", "POST /v1/message:stream"); "" if unknown
	ProtocolVersion      string // "0.3", "1.0" or "" when it cannot be told
	Binding              string // "jsonrpc", "rest" or ""
	HTTPMethod           string
	Path                 string      // path and query as the client sent it
	RequestHeaders       http.Header // already redacted
	RequestBody          []byte      // at most the configured cap
	RequestBodyTruncated bool
	RPCID                string // the JSON-RPC id as raw JSON ("1", "\"abc\""), "" if none
	TaskID               string // task id named by the request (tasks/get params.id, message.taskId, REST path)
	ContextID            string
	MessageID            string
	StartedAt            time.Time
	TraceID              string
	SpanID               string
}

// ExchangeEnd completes an exchange once its response is over.
type ExchangeEnd struct {
	ExchangeID    string
	Status        int    // HTTP status sent to the client (0 if none was sent)
	ContentType   string // of the response
	Streaming     bool   // the response was text/event-stream
	EndedAt       time.Time
	Outcome       string // one of the Outcome constants
	Error         string // what went wrong, for humans
	EventCount    int    // events seen by the proxy, including dropped ones
	DroppedEvents int    // events the recorder could not take (drop mode)
}

// Event is one SSE event (or one unary response body) of an exchange.
type Event struct {
	ExchangeID string
	Agent      string
	Seq        int           // 0-based position in the exchange's response
	Offset     time.Duration // since the exchange started
	At         time.Time     // when the proxy received it
	Raw        []byte        // exactly as received: the whole SSE event block, or the whole unary body
	// Fields are what the sender extracted (a2awire.ParseEvent): Kind is ""
	// when unknown, State in the v0.3 spelling. Text, the event's status
	// message, message or artifact text, may be "": the task list shows the
	// latest status message, and when Text is empty the writer parses Raw for
	// it instead.
	a2awire.Fields
	Flag string // one of the Flag constants, or ""
}

// TaskFilter selects tasks for ListTasks. Zero values match everything.
type TaskFilter struct {
	Agent     string
	State     string
	ContextID string
	Query     string // free text, matched against task id, context id and recorded payloads
	Checks    string // ChecksFailed: only tasks with a finding of severity error
	Outcome   string // TaskSummary.LastOutcome equals it
	Open      *bool  // TaskSummary.Open equals it, when set
	Status    string // TaskSummary.Status equals it ("interrupted", or a state)
	Limit     int    // default 50, at most 500
	Cursor    string // opaque, from TaskPage.NextCursor
}

// TaskSummary is the API's view of one task (design.md).
type TaskSummary struct {
	TaskID        string    `json:"taskId"`
	ContextID     string    `json:"contextId"`
	Agent         string    `json:"agent"`
	State         string    `json:"state"`
	FirstSeen     time.Time `json:"firstSeen"`
	LastSeen      time.Time `json:"lastSeen"`
	EventCount    int       `json:"eventCount"`
	ExchangeCount int       `json:"exchangeCount"`
	TraceID       string    `json:"traceId"`
	LastMessage   string    `json:"lastMessage,omitempty"` // text of the latest status message
	// Open is true while an exchange of the task is still open (streaming).
	Open bool `json:"open"`
	// LastOutcome is the outcome of the task's exchange that ended last,
	// "" when none has ended.
	LastOutcome string `json:"lastOutcome,omitempty"`
	// Status is State, or StatusInterrupted (see TaskStatus), with the
	// reason in InterruptedReason ("agent died", "client left", ...).
	Status            string      `json:"status"`
	InterruptedReason string      `json:"interruptedReason,omitempty"`
	Checks            CheckCounts `json:"checks"` // findings of its exchanges' conformance checks
}

// TaskPage is the answer of ListTasks: `{"tasks":[...],"nextCursor":""}`.
type TaskPage struct {
	Tasks      []TaskSummary `json:"tasks"`
	NextCursor string        `json:"nextCursor"`
}

// ExchangeDoc is the API's view of an exchange.
type ExchangeDoc struct {
	ID                   string              `json:"id"`
	Agent                string              `json:"agent"`
	Method               string              `json:"method"`
	ProtocolVersion      string              `json:"protocolVersion"`
	Binding              string              `json:"binding"`
	HTTPMethod           string              `json:"httpMethod"`
	Path                 string              `json:"path"`
	RequestHeaders       map[string][]string `json:"requestHeaders"`
	RequestBody          json.RawMessage     `json:"requestBody,omitempty"` // the JSON document, or a JSON string when it was not JSON
	RequestBodyTruncated bool                `json:"requestBodyTruncated,omitempty"`
	RPCID                string              `json:"rpcId,omitempty"` // the JSON-RPC id as raw JSON
	Status               int                 `json:"status"`
	ContentType          string              `json:"contentType,omitempty"`
	Streaming            bool                `json:"streaming"`
	StartedAt            time.Time           `json:"startedAt"`
	EndedAt              *time.Time          `json:"endedAt,omitempty"` // nil while still open
	DurationMs           float64             `json:"durationMs"`
	Outcome              string              `json:"outcome"` // "" while still open
	Error                string              `json:"error,omitempty"`
	EventCount           int                 `json:"eventCount"`
	DroppedEvents        int                 `json:"droppedEvents"`
	RecordingComplete    bool                `json:"recordingComplete"`
	TraceID              string              `json:"traceId"`
	SpanID               string              `json:"spanId"`
}

// EventDoc is the API's view of an event.
type EventDoc struct {
	Seq        int             `json:"seq"`
	ExchangeID string          `json:"exchangeId"`
	OffsetMs   float64         `json:"offsetMs"`
	At         time.Time       `json:"at"`
	Kind       string          `json:"kind"`
	State      string          `json:"state"`
	Final      bool            `json:"final"`
	TaskID     string          `json:"taskId"`
	ContextID  string          `json:"contextId"`
	ArtifactID string          `json:"artifactId,omitempty"`
	Flag       string          `json:"flag,omitempty"`
	Data       json.RawMessage `json:"data"` // the event's JSON document, or a JSON string when it was not JSON
	Raw        []byte          `json:"-"`    // the recorded bytes, for replay and export
}

// TaskDetail is the answer of GetTask.
type TaskDetail struct {
	Task      TaskSummary   `json:"task"`
	Exchanges []ExchangeDoc `json:"exchanges"`
	Events    []EventDoc    `json:"events"`
}

// ContextDetail is the answer of GetContext.
type ContextDetail struct {
	ContextID string        `json:"contextId"`
	Tasks     []TaskSummary `json:"tasks"`
}

// AgentCount is what has been recorded of one agent.
type AgentCount struct {
	Tasks     int       `json:"tasks"`
	Exchanges int       `json:"exchanges"`
	Events    int       `json:"events"`   // seen in its finished exchanges
	LastSeen  time.Time `json:"lastSeen"` // start of its latest exchange
}

// ImportResult counts what Import wrote.
type ImportResult struct {
	Recordings int
	Exchanges  int
	Events     int
}
