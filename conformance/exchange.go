package conformance

import (
	"encoding/json"
	"fmt"
	"net/http"
	"net/url"
	"strings"

	"github.com/a2aproxy/a2a-proxy/internal/a2awire"
)

// Exchange is one recorded request and its response, as the checks read it.
type Exchange struct {
	Method          string // the A2A method as recorded, in either spelling; "" = read it from the request
	ProtocolVersion string // a2awire.V03 or a2awire.V10; "" = read it from the request
	Binding         string // a2awire.BindingJSONRPC or a2awire.BindingREST; "" = read it from the request
	HTTPMethod      string
	Path            string // relative to the agent's base, with its query
	RequestHeaders  http.Header
	RequestBody     []byte
	RPCID           string // the request's JSON-RPC id as raw JSON (`1`, `"a"`); "" = read it from the body
	Status          int    // the response's HTTP status; 0 when there was none
	ContentType     string // the response's Content-Type
	Streaming       bool   // the response was an SSE stream (text/event-stream)
	Events          []Event
	// Outcome is the recorder's outcome of the exchange. The rules about how
	// a stream ends apply only to "completed" (the agent ended the response
	// itself), not to a stream cut by the client, the proxy or a failure.
	Outcome string
}

// Event is one recorded event: for a stream, the whole SSE block as received
// (id:, event:, data: lines and the blank line); for a unary response, the
// whole body.
type Event struct {
	Seq int
	Raw []byte
}

// OutcomeCompleted is the outcome of an exchange whose response the agent
// ended itself (recorder.OutcomeCompleted).
const OutcomeCompleted = "completed"

// Bounds on the work one exchange may cost, whatever it holds.
const (
	maxEvents   = 10_000  // events checked per exchange; later ones are ignored
	maxFindings = 200     // findings kept per exchange
	maxWalkDoc  = 1 << 20 // documents larger than this are not checked field by field
	maxDepth    = 64      // JSON nesting walked
	maxNodes    = 20_000  // JSON values walked per document
)

// Check runs every rule that applies to one exchange and returns what it
// breaks, in event order (findings about the exchange as a whole first).
// A request that is no A2A call (a card fetch, say) yields nothing: check
// cards with CheckCard.
func Check(ex *Exchange) []Finding {
	c := newCheck(ex)
	if c == nil {
		return nil
	}
	c.request()
	c.parseEvents()
	c.contentType()
	for i := range c.events {
		c.document(&c.events[i])
	}
	if c.streamMethod && c.ex.Streaming {
		c.stream()
	} else {
		c.unary()
	}
	c.sort()
	return c.findings
}

// check is the state of one Check call.
type check struct {
	ex           *Exchange
	version      string
	binding      string
	method       string // v1.0 spelling
	streamMethod bool
	req          a2awire.Request
	reqFrame     a2awire.Frame // JSON-RPC only
	rpcID        json.RawMessage
	wantCode     int // the error code the spec gives for a malformed request, 0 if none
	events       []parsed

	findings []Finding
	seen     map[findingKey]bool
}

type findingKey struct {
	rule string
	seq  int
}

// parsed is one event as read.
type parsed struct {
	seq     int
	data    []byte
	jsonErr bool // data is not a JSON object
	ev      a2awire.Event
	frame   a2awire.Frame
	detail  a2awire.Detail
}

func newCheck(ex *Exchange) *check {
	if ex == nil {
		return nil
	}
	c := &check{ex: ex, seen: map[findingKey]bool{}}
	c.req = a2awire.ParseRequest(ex.HTTPMethod, ex.Path, ex.RequestHeaders, ex.RequestBody)
	c.binding = firstNonEmpty(ex.Binding, c.req.Binding)
	c.method = a2awire.V1Method(firstNonEmpty(ex.Method, c.req.Method))
	if c.binding == "" && c.method == "" {
		return nil
	}
	c.version = firstNonEmpty(ex.ProtocolVersion, c.req.Version, a2awire.V03)
	c.streamMethod = a2awire.IsStreamingMethod(c.method)
	if ex.RPCID != "" {
		c.rpcID = json.RawMessage(ex.RPCID)
	} else {
		c.rpcID = c.req.RPCID
	}
	return c
}

func firstNonEmpty(s ...string) string {
	for _, v := range s {
		if v != "" {
			return v
		}
	}
	return ""
}

// add records a finding, once per rule and event, and at most maxFindings.
func (c *check) add(rule string, seq int, path, format string, args ...any) {
	k := findingKey{rule, seq}
	if c.seen[k] || len(c.findings) >= maxFindings {
		return
	}
	c.seen[k] = true
	c.findings = append(c.findings, Finding{
		Rule:     rule,
		Severity: severity(rule, c.version),
		Message:  fmt.Sprintf(format, args...),
		Seq:      seq,
		Path:     path,
	})
}

// sort orders findings by event (the exchange's own first), keeping the
// order in which they were found within one event.
func (c *check) sort() {
	f := c.findings
	for i := 1; i < len(f); i++ { // insertion sort: stable, and the list is short
		for j := i; j > 0 && f[j].Seq < f[j-1].Seq; j-- {
			f[j], f[j-1] = f[j-1], f[j]
		}
	}
}

func (c *check) isV10() bool { return c.version == a2awire.V10 }

// legacyREST is the v0.3 HTTP+JSON binding: its JSON follows the proto
// mapping (wrapper members, TASK_STATE_*), with v0.3 fields such as final.
func (c *check) legacyREST() bool {
	return c.version == a2awire.V03 && c.binding == a2awire.BindingREST
}

// request checks what the client sent.
func (c *check) request() {
	if c.isV10() && headerValue(c.ex.RequestHeaders, a2awire.HeaderVersion) == "" && !versionParam(c.ex.Path) {
		c.add(RuleHTTPVersionHeader, -1, "", "v1.0 request without an A2A-Version header: a server reads it as 0.3")
	}
	if c.binding != a2awire.BindingJSONRPC {
		if len(c.ex.RequestBody) > 0 && json.Valid(c.ex.RequestBody) {
			c.walk(c.ex.RequestBody, -1, true)
		}
		return
	}
	body := c.ex.RequestBody
	if !json.Valid(body) {
		c.wantCode = -32700
		return
	}
	f, err := a2awire.ParseFrame(body)
	if err != nil { // JSON, but not an object (a batch, a string)
		c.wantCode = -32600
		return
	}
	c.reqFrame = f
	if v := f.Version(); v != "2.0" {
		c.add(RuleJSONRPCVersion, -1, "$.jsonrpc", "request has jsonrpc %s, want \"2.0\"", rawOrAbsent(f.JSONRPC))
		c.wantCode = -32600
	}
	var method string
	if json.Unmarshal(f.Method, &method) != nil || method == "" {
		c.wantCode = -32600
	}
	if c.wantCode == 0 {
		c.wantCode = invalidParamsCode(c.method, f.Params, c.req)
	}
	c.walk(body, -1, true)
}

// headerValue is h.Get(name) that also finds keys not in canonical form
// (a recording may keep them as sent).
func headerValue(h http.Header, name string) string {
	if v := h.Get(name); v != "" {
		return v
	}
	for k, vs := range h {
		if strings.EqualFold(k, name) && len(vs) > 0 {
			return vs[0]
		}
	}
	return ""
}

// versionParam reports whether the request names its version as a query
// parameter, which v1.0 allows instead of the header.
func versionParam(path string) bool {
	_, query, ok := strings.Cut(path, "?")
	if !ok {
		return false
	}
	q, err := url.ParseQuery(query)
	return err == nil && q.Get(a2awire.HeaderVersion) != ""
}

// invalidParamsCode returns -32602 when a known method's params plainly
// miss what the method needs, else 0.
func invalidParamsCode(method string, params json.RawMessage, req a2awire.Request) int {
	var members map[string]json.RawMessage
	if json.Unmarshal(params, &members) != nil {
		if params == nil && (method == "SendMessage" || method == "SendStreamingMessage" || method == "GetTask" || method == "CancelTask" || method == "SubscribeToTask") {
			return -32602
		}
		return 0
	}
	switch method {
	case "SendMessage", "SendStreamingMessage":
		var msg map[string]json.RawMessage
		if json.Unmarshal(members["message"], &msg) != nil || msg == nil {
			return -32602
		}
	case "GetTask", "CancelTask", "SubscribeToTask":
		if req.TaskID == "" {
			return -32602
		}
	}
	return 0
}

func rawOrAbsent(raw json.RawMessage) string {
	if raw == nil {
		return "absent"
	}
	return truncate(string(raw), 40)
}

func truncate(s string, n int) string {
	if len(s) <= n {
		return s
	}
	return s[:n] + "…"
}

// parseEvents reads every recorded event once.
func (c *check) parseEvents() {
	if c.ex.Status == 0 {
		return // no response reached the proxy
	}
	evs := c.ex.Events
	if len(evs) > maxEvents {
		evs = evs[:maxEvents]
	}
	for _, e := range evs {
		data := e.Raw
		if c.ex.Streaming {
			f, ok := a2awire.ParseSSE(e.Raw)
			if !ok || len(strings.TrimSpace(string(f.Data))) == 0 {
				continue // a comment, a keep-alive, a lone id
			}
			data = f.Data
		} else if c.errorBody() {
			continue
		}
		p := parsed{seq: e.Seq, data: data}
		ev, err := a2awire.ParseEvent(data)
		frame, ferr := a2awire.ParseFrame(data)
		if err != nil || ferr != nil {
			p.jsonErr = true
		} else {
			p.ev, p.frame, p.detail = ev, frame, a2awire.ParseDetail(data)
		}
		c.events = append(c.events, p)
	}
}

// errorBody reports a unary response that is an HTTP error rather than an
// A2A result: REST errors (google.rpc.Status, AIP-193) and non-JSON-RPC
// error pages, which these rules do not cover.
func (c *check) errorBody() bool {
	if c.ex.Status < 400 {
		return false
	}
	if c.binding == a2awire.BindingREST {
		return true
	}
	for _, e := range c.ex.Events {
		if f, err := a2awire.ParseFrame(e.Raw); err == nil && f.IsJSONRPC() {
			return false
		}
	}
	return true
}

// contentType checks the response's media type.
func (c *check) contentType() {
	if c.ex.Status == 0 || c.ex.Status >= 400 && c.binding == a2awire.BindingREST {
		return
	}
	mt := mediaType(c.ex.ContentType)
	if c.streamMethod {
		if c.ex.Streaming || mt == "text/event-stream" {
			return
		}
		// An error before the stream starts may come as a plain JSON-RPC
		// error response.
		for _, p := range c.events {
			if p.ev.Kind == a2awire.KindError {
				return
			}
		}
		c.add(RuleHTTPContentType, -1, "", "%s answered with Content-Type %q, not text/event-stream", c.method, c.ex.ContentType)
		return
	}
	if len(c.events) == 0 {
		return
	}
	switch mt {
	case "application/json", "application/a2a+json":
		return
	}
	c.add(RuleHTTPContentType, -1, "", "%s answered with Content-Type %q, not application/json", c.method, c.ex.ContentType)
}

func mediaType(ct string) string {
	mt, _, _ := strings.Cut(ct, ";")
	return strings.ToLower(strings.TrimSpace(mt))
}

func itoaSeq(seq int) string { return fmt.Sprint(seq) }
