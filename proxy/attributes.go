package proxy

import (
	"encoding/json"
	"net"
	"net/http"
	"net/url"
	"strconv"

	"go.opentelemetry.io/otel/attribute"
	semconv "go.opentelemetry.io/otel/semconv/v1.43.0"

	"github.com/a2aproxy/a2a-proxy/internal/a2awire"
	"github.com/a2aproxy/a2a-proxy/recorder"
)

// Span and metric attribute keys. The a2a.* and gen_ai.* keys follow
// OpenTelemetry's A2A and GenAI semantic conventions; a2a_proxy.* keys are
// facts about the proxy itself. HTTP and RPC keys come from semconv.
const (
	keyTaskID          = attribute.Key("a2a.task.id")
	keyTaskIDs         = attribute.Key("a2a.task.ids") // every task of a stream that carried several
	keyTaskState       = attribute.Key("a2a.task.state")
	keyMessageID       = attribute.Key("a2a.message.id")
	keyProtocolVersion = attribute.Key("a2a.protocol.version")
	keyConversationID  = attribute.Key("gen_ai.conversation.id") // the A2A contextId
	keyAgentName       = attribute.Key("gen_ai.agent.name")

	keyEventKind     = attribute.Key("a2a.event.kind")
	keyEventSeq      = attribute.Key("a2a.event.sequence_number")
	keyEventFinal    = attribute.Key("a2a.event.final")
	keyEventSize     = attribute.Key("a2a.event.size") // bytes, as received
	keyEventFlag     = attribute.Key("a2a.event.flag") // malformed_sse, non_json, incomplete, oversized
	keyArtifactID    = attribute.Key("a2a.artifact.id")
	keyExchangeID    = attribute.Key("a2a_proxy.exchange.id")
	keyOutcome       = attribute.Key("a2a_proxy.outcome")
	keyEventCount    = attribute.Key("a2a_proxy.event.count")
	keyEventsOmitted = attribute.Key("a2a_proxy.event.omitted") // span events left out over the limit
	keyEventsDropped = attribute.Key("a2a_proxy.event.dropped") // events the recorder could not take

	keyRPCSystem      = semconv.RPCSystemNameKey
	keyRPCMethod      = semconv.RPCMethodKey
	keyRPCStatusCode  = semconv.RPCResponseStatusCodeKey
	keyJSONRPCID      = semconv.JSONRPCRequestIDKey
	keyErrorType      = semconv.ErrorTypeKey
	keyHTTPMethod     = semconv.HTTPRequestMethodKey
	keyHTTPStatusCode = semconv.HTTPResponseStatusCodeKey
	keyURLFull        = semconv.URLFullKey
	keyURLPath        = semconv.URLPathKey
	keyURLScheme      = semconv.URLSchemeKey
	keyServerAddress  = semconv.ServerAddressKey
	keyServerPort     = semconv.ServerPortKey
	keyClientAddress  = semconv.ClientAddressKey
	keyUserAgent      = semconv.UserAgentOriginalKey
	keyNetProtoVer    = semconv.NetworkProtocolVersionKey
)

// eventName is the name of the span event recorded for each A2A event.
const eventName = "a2a.event"

// v1States spells the task states of the A2A spec in v1.0, ready-made, as
// a2a.task.state goes on every span event that carries a state.
var v1States = func() map[string]string {
	m := make(map[string]string)
	for _, s := range []string{"submitted", "working", "input-required", "auth-required",
		"completed", "canceled", "failed", "rejected", "unknown"} {
		m[s] = a2awire.V1State(s)
	}
	return m
}()

// v1State is a2awire.V1State without allocating for the spec's states.
func v1State(state string) string {
	if v1, ok := v1States[state]; ok {
		return v1
	}
	return a2awire.V1State(state)
}

// eventKind is the event's kind, kindUnknown when it could not be told.
func eventKind(ev *recorder.Event) string {
	if ev.Kind == "" {
		return kindUnknown
	}
	return ev.Kind
}

// spanName is the A2A method in its v1.0 spelling for both protocol
// versions. Other requests are named as the HTTP conventions say: the method,
// plus the route for the agent card; never anything a client can vary.
func spanName(ex *exchange) string {
	if m := a2awire.V1Method(ex.req.Method); a2awire.MethodVersion(m) != "" {
		return m
	}
	if ex.rel == cardPath {
		return ex.in.Method + " " + cardPath
	}
	return ex.in.Method
}

// serverAttributes are the SERVER span's attributes at its start.
func serverAttributes(ex *exchange) []attribute.KeyValue {
	r := ex.in
	attrs := make([]attribute.KeyValue, 0, 20)
	attrs = append(attrs,
		keyExchangeID.String(ex.id),
		keyHTTPMethod.String(r.Method),
		keyURLPath.String(r.URL.Path),
		keyURLScheme.String(ex.publicBase.Scheme),
		keyNetProtoVer.String(protocolVersion(r)),
	)
	if host, port := hostPort(r.Host); host != "" {
		attrs = append(attrs, keyServerAddress.String(host))
		if port > 0 {
			attrs = append(attrs, keyServerPort.Int(port))
		}
	}
	if client, _ := hostPort(r.RemoteAddr); client != "" {
		attrs = append(attrs, keyClientAddress.String(client))
	}
	if ua := r.UserAgent(); ua != "" {
		attrs = append(attrs, keyUserAgent.String(ua))
	}
	return append(attrs, requestAttributes(ex)...)
}

// clientAttributes are the CLIENT span's attributes at its start.
func clientAttributes(ex *exchange, target *url.URL) []attribute.KeyValue {
	attrs := make([]attribute.KeyValue, 0, 14)
	attrs = append(attrs,
		keyHTTPMethod.String(ex.in.Method),
		keyURLFull.String(ex.tel.redactor.URL(target)),
	)
	if host, port := hostPort(target.Host); host != "" {
		if port == 0 {
			port = defaultPort(target.Scheme)
		}
		attrs = append(attrs, keyServerAddress.String(host), keyServerPort.Int(port))
	}
	return append(attrs, requestAttributes(ex)...)
}

// requestAttributes are what the request tells about the A2A call; both
// spans carry them.
func requestAttributes(ex *exchange) []attribute.KeyValue {
	req := &ex.req
	attrs := make([]attribute.KeyValue, 0, 8)
	attrs = append(attrs, keyAgentName.String(ex.agent.Name))
	if req.Method != "" {
		attrs = append(attrs, keyRPCMethod.String(req.Method))
	}
	if req.Binding == a2awire.BindingJSONRPC {
		attrs = append(attrs, semconv.RPCSystemNameJSONRPC)
		if id := jsonRPCID(req.RPCID); id != "" {
			attrs = append(attrs, keyJSONRPCID.String(id))
		}
	}
	if req.Version != "" {
		attrs = append(attrs, keyProtocolVersion.String(req.Version))
	}
	if req.TaskID != "" {
		attrs = append(attrs, keyTaskID.String(req.TaskID))
	}
	if req.ContextID != "" {
		attrs = append(attrs, keyConversationID.String(req.ContextID))
	}
	if req.MessageID != "" {
		attrs = append(attrs, keyMessageID.String(req.MessageID))
	}
	return attrs
}

// jsonRPCID is a JSON-RPC id as a string: a string id unquoted, a number as
// written, "" for none or null.
func jsonRPCID(raw json.RawMessage) string {
	var s string
	if json.Unmarshal(raw, &s) == nil {
		return s
	}
	if len(raw) == 0 || string(raw) == "null" {
		return ""
	}
	return string(raw)
}

func hostPort(hostport string) (host string, port int) {
	host, p, err := net.SplitHostPort(hostport)
	if err != nil {
		return hostport, 0 // no port
	}
	port, _ = strconv.Atoi(p)
	return host, port
}

func defaultPort(scheme string) int {
	if scheme == "https" {
		return 443
	}
	return 80
}

func protocolVersion(r *http.Request) string {
	if r.ProtoMajor >= 2 {
		return strconv.Itoa(r.ProtoMajor)
	}
	return strconv.Itoa(r.ProtoMajor) + "." + strconv.Itoa(r.ProtoMinor)
}
