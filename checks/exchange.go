package checks

import (
	"strings"

	"github.com/a2aproxy/a2a-proxy/conformance"
	"github.com/a2aproxy/a2a-proxy/internal/a2awire"
	"github.com/a2aproxy/a2a-proxy/recorder"
)

// Card paths as the proxy records them, relative to the agent's base.
const (
	cardPath       = "/.well-known/agent-card.json"
	legacyCardPath = "/.well-known/agent.json"
)

// Exchange is the recorded exchange x, with the events of it among events,
// as the conformance checks read it. x must have ended.
func Exchange(x *recorder.RecordedExchange, events []recorder.Event) *conformance.Exchange {
	ex := &conformance.Exchange{
		Method:          x.Method,
		ProtocolVersion: x.ProtocolVersion,
		Binding:         x.Binding,
		HTTPMethod:      x.HTTPMethod,
		Path:            relativePath(x),
		RequestHeaders:  x.RequestHeaders,
		RequestBody:     x.RequestBody,
		RPCID:           x.RPCID,
	}
	if x.End != nil {
		ex.Status, ex.ContentType, ex.Streaming, ex.Outcome = x.End.Status, x.End.ContentType, x.End.Streaming, x.End.Outcome
	}
	for i := range events {
		if ev := &events[i]; ev.ExchangeID == x.ID {
			ex.Events = append(ex.Events, conformance.Event{Seq: ev.Seq, Raw: ev.Raw})
		}
	}
	return ex
}

// relativePath is the request's path below the agent's base: the proxy
// records the path the client sent, /agents/{name}/... included.
func relativePath(x *recorder.RecordedExchange) string {
	rel := x.Path
	if prefix := "/agents/" + x.Agent; x.Agent != "" && strings.HasPrefix(rel, prefix) {
		if rest := rel[len(prefix):]; rest == "" || rest[0] == '/' || rest[0] == '?' {
			rel = rest
		}
	}
	if rel == "" || rel[0] == '?' {
		rel = "/" + rel
	}
	return rel
}

// isCardFetch reports whether x fetched an agent card from its well-known
// path, successfully.
func isCardFetch(x *recorder.RecordedExchange) bool {
	if x.HTTPMethod != "GET" || x.End == nil || x.End.Status != 200 {
		return false
	}
	p, _, _ := strings.Cut(relativePath(x), "?")
	return p == cardPath || p == legacyCardPath
}

// streamedWithSSE reports whether x answered a streaming method with SSE:
// the agent's card must then declare capabilities.streaming.
func streamedWithSSE(x *recorder.RecordedExchange) bool {
	return x.End != nil && x.End.Streaming && x.End.Outcome == recorder.OutcomeCompleted &&
		a2awire.IsStreamingMethod(a2awire.V1Method(x.Method))
}

// Run checks the recorded exchange x, whose events are among events: an
// A2A call with conformance.Check, a card fetch with conformance.CheckCard
// (streamed says whether the agent was seen streaming with SSE). It returns
// nil for an exchange still open.
func Run(x *recorder.RecordedExchange, events []recorder.Event, streamed bool) []recorder.Finding {
	if x.End == nil {
		return nil
	}
	version := x.ProtocolVersion
	var found []conformance.Finding
	if isCardFetch(x) {
		var body []byte
		for i := range events {
			if events[i].ExchangeID == x.ID {
				body = events[i].Raw
				break
			}
		}
		asked := ""
		if v := x.RequestHeaders.Get(a2awire.HeaderVersion); v != "" {
			asked = version
		}
		found = conformance.CheckCard(asked, body, streamed)
		if version == "" {
			version = a2awire.V03
		}
	} else {
		found = conformance.Check(Exchange(x, events))
		if version == "" {
			version = a2awire.V03 // what conformance assumes too
		}
	}
	out := make([]recorder.Finding, len(found))
	for i, f := range found {
		out[i] = recorder.Finding{ExchangeID: x.ID, Seq: f.Seq, Rule: f.Rule, Severity: string(f.Severity),
			Version: version, Message: f.Message, Path: f.Path}
	}
	return out
}
