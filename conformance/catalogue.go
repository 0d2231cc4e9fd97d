package conformance

import "github.com/a2aproxy/a2a-proxy/internal/a2awire"

// Rule ids. They are stable: stored with recordings, counted in metrics and
// used in filters.
const (
	RuleStreamFirstEvent    = "stream.first-event"
	RuleStreamMessageOnly   = "stream.message-only"
	RuleStreamAfterTerminal = "stream.after-terminal"
	RuleStreamTerminalState = "stream.terminal-state"
	RuleStreamFinalFlag     = "stream.final-flag"
	RuleStreamEndState      = "stream.end-state"
	RuleIDsConsistent       = "ids.consistent"
	RuleJSONRPCVersion      = "jsonrpc.version"
	RuleJSONRPCIDMatch      = "jsonrpc.id-match"
	RuleJSONRPCResultXError = "jsonrpc.result-xor-error"
	RuleJSONRPCErrorCode    = "jsonrpc.error-code"
	RuleWireEvent           = "wire.event"
	RuleWireKindField       = "wire.kind-field"
	RuleWireEnumSpelling    = "wire.enum-spelling"
	RuleWireCamelCase       = "wire.camel-case"
	RuleWireTimestamp       = "wire.timestamp"
	RuleHTTPContentType     = "http.content-type"
	RuleHTTPVersionHeader   = "http.a2a-version-header"
	RuleArtifactChunks      = "artifact.chunks"
	RuleCardRequired        = "card.required"
	RuleCardURLs            = "card.urls"
	RuleCardStreaming       = "card.streaming"
)

const (
	specV03 = "https://a2a-protocol.org/v0.3.0/specification/#"
	specV10 = "https://a2a-protocol.org/v1.0.0/specification/#"
)

func v03(section, anchor string, sev Severity) SpecRef {
	return SpecRef{Version: a2awire.V03, Section: section, URL: specV03 + anchor, Severity: sev}
}

func v10(section, anchor string, sev Severity) SpecRef {
	return SpecRef{Version: a2awire.V10, Section: section, URL: specV10 + anchor, Severity: sev}
}

const (
	e = SeverityError
	w = SeverityWarning
)

// catalogue is every rule, in the order the UI lists them. Sections and
// anchors are those of the specification at tags v0.3.0 and v1.0.1 of
// a2aproject/A2A; TCK ids are the requirement ids of a2a-tck's 1.0 line
// (tck/requirements/*.py), which has none for v0.3.
var catalogue = []Rule{
	{ID: RuleStreamFirstEvent, Severity: e,
		Title: "A stream starts with the Task (or a single Message); a subscription starts with a Task snapshot.",
		Specs: []SpecRef{
			v03("7.2. message/stream", "72-messagestream", w),
			v10("3.1.2. Send Streaming Message", "312-send-streaming-message", e),
		},
		TCK: []string{"CORE-STREAM-003", "STREAM-SUB-001"}},
	{ID: RuleStreamMessageOnly, Severity: e,
		Title: "A stream that answers with a Message holds exactly that one Message and then closes.",
		Specs: []SpecRef{
			v03("7.2. message/stream", "72-messagestream", w),
			v10("3.1.2. Send Streaming Message", "312-send-streaming-message", e),
		},
		TCK: []string{"CORE-STREAM-002"}},
	{ID: RuleStreamAfterTerminal, Severity: e,
		Title: "No event follows a terminal state (v1.0: nor an interrupted one, input-required or auth-required), except a final Task snapshot.",
		Specs: []SpecRef{
			v03("7.2.2. TaskStatusUpdateEvent Object", "722-taskstatusupdateevent-object", e),
			v10("11.7. Streaming", "117-streaming", e),
		},
		TCK: []string{"CORE-STREAM-003", "STREAM-SUB-002"}},
	{ID: RuleStreamTerminalState, Severity: e,
		Title: "A task in a terminal state (completed, canceled, failed, rejected) never changes state again.",
		Specs: []SpecRef{
			v03("6.3. TaskState Enum", "63-taskstate-enum", e),
			v10("4.1.3. TaskState", "413-taskstate", e),
		}},
	{ID: RuleStreamFinalFlag, Severity: e,
		Title: "A v0.3 stream marks exactly its last status update final: true.",
		Specs: []SpecRef{
			v03("7.2.2. TaskStatusUpdateEvent Object", "722-taskstatusupdateevent-object", e),
		}},
	{ID: RuleStreamEndState, Severity: e,
		Title: "A v1.0 task stream the agent closes ends in a terminal or interrupted state.",
		Specs: []SpecRef{
			v10("3.1.2. Send Streaming Message", "312-send-streaming-message", e),
		},
		TCK: []string{"CORE-STREAM-003", "STREAM-SUB-002"}},
	{ID: RuleIDsConsistent, Severity: e,
		Title: "Task and context ids are the same in every event of a stream, and those the request names.",
		Specs: []SpecRef{
			v03("6.1. Task Object", "61-task-object", e),
			v10("3.4.2. Task Identifier Semantics", "342-task-identifier-semantics", e),
		}},
	{ID: RuleJSONRPCVersion, Severity: e,
		Title: `Every JSON-RPC request and response carries "jsonrpc": "2.0".`,
		Specs: []SpecRef{
			v03("6.11. JSON-RPC Structures", "611-json-rpc-structures", e),
			v10("9.3. Base Request Structure", "93-base-request-structure", e),
		},
		TCK: []string{"JSONRPC-FMT-001"}},
	{ID: RuleJSONRPCIDMatch, Severity: e,
		Title: "A JSON-RPC response (every event of a stream) carries the request's id (null only for a parse error or invalid request).",
		Specs: []SpecRef{
			v03("6.11.2. JSONRPCResponse Object", "6112-jsonrpcresponse-object", e),
			v10("9.3. Base Request Structure", "93-base-request-structure", e),
		}},
	{ID: RuleJSONRPCResultXError, Severity: e,
		Title: "A JSON-RPC response has exactly one of result and error.",
		Specs: []SpecRef{
			v03("6.11.2. JSONRPCResponse Object", "6112-jsonrpcresponse-object", e),
			v10("9.5. Error Handling", "95-error-handling", e),
		}},
	{ID: RuleJSONRPCErrorCode, Severity: e,
		Title: "A JSON-RPC error has an integer code and a message; the code is a standard one (-32700, -32600 to -32603) or in the A2A range, and the one the spec gives for the fault (-32700 unparsable JSON, -32600 invalid request, -32602 invalid params).",
		Specs: []SpecRef{
			v03("8. Error Handling", "8-error-handling", e),
			v10("9.5. Error Handling", "95-error-handling", e),
		},
		TCK: []string{"JSONRPC-ERR-001", "JSONRPC-ERR-002", "JSONRPC-SSE-002"}},
	{ID: RuleWireEvent, Severity: e,
		Title: "Each event is one JSON document holding one A2A event: a Task, Message, status update or artifact update (JSON-RPC: in result), or an error.",
		Specs: []SpecRef{
			v03("7.2.1. SendStreamingMessageResponse Object", "721-sendstreamingmessageresponse-object", e),
			v10("3.2.3. Stream Response", "323-stream-response", e),
		},
		TCK: []string{"JSONRPC-SSE-001", "HTTP_JSON-SSE-001"}},
	{ID: RuleWireKindField, Severity: e,
		Title: `v0.3 JSON-RPC objects carry their "kind" (events, messages, parts); v1.0 has no "kind" anywhere.`,
		Specs: []SpecRef{
			v03("6.5. Part Union Type", "65-part-union-type", e),
			v10("3.2.3. Stream Response", "323-stream-response", e),
		}},
	{ID: RuleWireEnumSpelling, Severity: e,
		Title: "Task states and roles are spelled as the version says: TASK_STATE_* and ROLE_* in v1.0, lowercase (submitted, input-required, user, agent) in v0.3 JSON-RPC.",
		Specs: []SpecRef{
			v03("6.3. TaskState Enum", "63-taskstate-enum", e),
			v10("5.5. JSON Field Naming Convention", "55-json-field-naming-convention", e),
		},
		TCK: []string{"DM-SERIAL-002", "DM-TASK-002", "DM-MSG-002"}},
	{ID: RuleWireCamelCase, Severity: e,
		Title: "Field names are camelCase (contextId, not context_id).",
		Specs: []SpecRef{
			v03("11.1.5. Data Format Compliance", "1115-data-format-compliance", e),
			v10("5.5. JSON Field Naming Convention", "55-json-field-naming-convention", e),
		},
		TCK: []string{"DM-SERIAL-001"}},
	{ID: RuleWireTimestamp, Severity: e,
		Title: "Timestamps are RFC 3339 (ISO 8601) date-times in UTC, ending in Z (v0.3: UTC recommended).",
		Specs: []SpecRef{
			v03("6.2. TaskStatus Object", "62-taskstatus-object", e),
			v10("5.6.1. Timestamps", "561-timestamps", e),
		},
		TCK: []string{"DM-SERIAL-003"}},
	{ID: RuleHTTPContentType, Severity: e,
		Title: "Streams are served as text/event-stream, other responses as application/json.",
		Specs: []SpecRef{
			v03("3.3.1. JSON-RPC 2.0 Streaming", "331-json-rpc-20-streaming", e),
			v10("9.1. Protocol Requirements", "91-protocol-requirements", e),
		},
		TCK: []string{"JSONRPC-SSE-001", "HTTP_JSON-SSE-001", "JSONRPC-FMT-002", "HTTP_JSON-SVC-001"}},
	{ID: RuleHTTPVersionHeader, Severity: e,
		Title: "A v1.0 request carries the A2A-Version header (or parameter).",
		Specs: []SpecRef{
			v10("3.6.1 Client Responsibilities", "361-client-responsibilities", e),
		},
		TCK: []string{"VER-CLIENT-001"}},
	{ID: RuleArtifactChunks, Severity: w,
		Title: "Artifact chunks are consistent per artifact id: no append before a first chunk, nothing after its lastChunk.",
		Specs: []SpecRef{
			v03("7.2.3. TaskArtifactUpdateEvent Object", "723-taskartifactupdateevent-object", w),
			v10("4.2.2. TaskArtifactUpdateEvent", "422-taskartifactupdateevent", w),
		}},
	{ID: RuleCardRequired, Severity: e,
		Title: "The agent card has every field its version requires (required lists not empty in v1.0).",
		Specs: []SpecRef{
			v03("5.5. AgentCard Object Structure", "55-agentcard-object-structure", e),
			v10("4.4.1. AgentCard", "441-agentcard", e),
		},
		TCK: []string{"CARD-STRUCT-001"}},
	{ID: RuleCardURLs, Severity: e,
		Title: "Every URL of the agent card is an absolute http(s) URL.",
		Specs: []SpecRef{
			v03("5.6. Transport Declaration and URL Relationships", "56-transport-declaration-and-url-relationships", e),
			v10("8.3.1. Supported Interfaces Declaration", "831-supported-interfaces-declaration", e),
		},
		TCK: []string{"CARD-PROTO-002"}},
	{ID: RuleCardStreaming, Severity: e,
		Title: "An agent that answers a streaming method with SSE declares capabilities.streaming: true.",
		Specs: []SpecRef{
			v03("7.2. message/stream", "72-messagestream", e),
			v10("3.3.4. Capability Validation", "334-capability-validation", e),
		},
		TCK: []string{"CORE-CAP-002"}},
}

var byID = func() map[string]*Rule {
	m := make(map[string]*Rule, len(catalogue))
	for i := range catalogue {
		m[catalogue[i].ID] = &catalogue[i]
	}
	return m
}()

// Rules returns the catalogue, in display order. The caller may keep it; it
// is a copy.
func Rules() []Rule {
	out := make([]Rule, len(catalogue))
	for i, r := range catalogue {
		r.Specs = append([]SpecRef(nil), r.Specs...)
		r.TCK = append([]string(nil), r.TCK...)
		out[i] = r
	}
	return out
}

// RuleByID returns the rule with that id.
func RuleByID(id string) (Rule, bool) {
	r, ok := byID[id]
	if !ok {
		return Rule{}, false
	}
	return *r, true
}

// severity is the rule's severity in a protocol version.
func severity(id, version string) Severity {
	r := byID[id]
	if s, ok := r.Spec(version); ok && s.Severity != "" {
		return s.Severity
	}
	return r.Severity
}
