package replay

import (
	"cmp"
	"encoding/json"

	"github.com/a2aproxy/a2a-proxy/internal/a2awire"
	"github.com/a2aproxy/a2a-proxy/recorder"
)

// call is one recorded JSON-RPC exchange, ready to answer a new request with.
type call struct {
	rec      *recorder.Recording
	exchange *recorder.RecordedExchange
	request  a2awire.Request // the recorded request, parsed
	method   string          // its v1.0 name
	version  string
	sse      bool           // the response was an event stream
	events   []Event        // recorded seq and offsets
	ids      map[int]idSpan // where each event's JSON-RPC id is, by seq
}

// end returns the sequence number after the call's last event.
func (c *call) end() int {
	if len(c.events) == 0 {
		return 0
	}
	return c.events[len(c.events)-1].Seq + 1
}

// endedAbruptly tells a stream the recording says broke off: the agent died
// or went quiet, the proxy failed or shut down, or the client left. A replay cuts the
// connection there too. A stream still open when it was exported, or a
// hand-written one without an outcome, ends cleanly.
func (c *call) endedAbruptly() bool {
	if end := c.exchange.End; c.sse && end != nil {
		switch end.Outcome {
		case recorder.OutcomeUpstreamError, recorder.OutcomeUpstreamTimeout, recorder.OutcomeProxyError,
			recorder.OutcomeShutdown, recorder.OutcomeClientClosed:
			return true
		}
	}
	return false
}

// catalog indexes recordings for the requests of a replay agent.
type catalog struct {
	calls    []*call                        // every JSON-RPC exchange, recording by recording
	byID     map[string]*call               // by exchange id
	tasks    map[string]*recorder.Recording // by task id; the first recording of a task wins
	versions []string                       // of the calls, first seen first
}

func newCatalog(recs []*recorder.Recording) *catalog {
	c := &catalog{byID: make(map[string]*call), tasks: make(map[string]*recorder.Recording)}
	for _, rec := range recs {
		if _, dup := c.tasks[rec.Task.TaskID]; !dup {
			c.tasks[rec.Task.TaskID] = rec
		}
		for i := range rec.Exchanges {
			if cl := newCall(rec, &rec.Exchanges[i]); cl != nil {
				c.add(cl)
			}
		}
	}
	return c
}

func (c *catalog) add(cl *call) {
	c.calls = append(c.calls, cl)
	c.byID[cl.exchange.ID] = cl
	for _, v := range c.versions {
		if v == cl.version {
			return
		}
	}
	c.versions = append(c.versions, cl.version)
}

// newCall prepares an exchange for replay, or returns nil for one that is
// not a JSON-RPC call (REST traffic, card fetches).
func newCall(rec *recorder.Recording, x *recorder.RecordedExchange) *call {
	req := a2awire.ParseRequest(x.HTTPMethod, x.Path, x.RequestHeaders, x.RequestBody)
	if x.Binding != a2awire.BindingJSONRPC && req.Binding != a2awire.BindingJSONRPC {
		return nil
	}
	method := a2awire.V1Method(cmp.Or(x.Method, req.Method))
	cl := &call{
		rec:      rec,
		exchange: x,
		request:  req,
		method:   method,
		version:  cmp.Or(x.ProtocolVersion, req.Version, a2awire.V03),
		ids:      make(map[int]idSpan),
	}
	for _, ev := range rec.Events {
		if ev.ExchangeID != x.ID {
			continue
		}
		cl.events = append(cl.events, Event{Seq: ev.Seq, Offset: ev.Offset, Raw: ev.Raw})
		if span := findID(ev.Raw); span != (idSpan{}) {
			cl.ids[ev.Seq] = span
		}
	}
	cl.sse = streamed(x, cl.events)
	return cl
}

// streamed tells whether a recorded response was an event stream: as the
// proxy recorded it or, for hand-written fixtures that leave it out, from the
// bytes (a unary body is one JSON document, an SSE block never is).
func streamed(x *recorder.RecordedExchange, events []Event) bool {
	if x.End != nil && x.End.ContentType != "" {
		return x.End.Streaming
	}
	for _, ev := range events {
		if !json.Valid(ev.Raw) {
			return true
		}
	}
	return false
}

// match finds the recorded call that answers req: one of the given methods
// (in order of preference) in req's version whose user message has the same
// text. Among those, one recorded for the task req names is preferred (a
// follow-up in a multi-turn task), else the first recorded. Unless strict, a
// call of the method with another text is the fallback.
func (c *catalog) match(req a2awire.Request, strict bool, methods ...string) *call {
	for _, sameText := range []bool{true, false} {
		if !sameText && strict {
			break
		}
		for _, method := range methods {
			var first *call
			for _, cl := range c.calls {
				if cl.method != method || cl.version != req.Version || (sameText && cl.request.Text != req.Text) {
					continue
				}
				if req.TaskID != "" && cl.request.TaskID == req.TaskID {
					return cl
				}
				if first == nil {
					first = cl
				}
			}
			if first != nil {
				return first
			}
		}
	}
	return nil
}

// lastStream returns the last recorded message stream of a task, or nil.
func (c *catalog) lastStream(taskID string) *call {
	var last *call
	for _, cl := range c.calls {
		if cl.rec.Task.TaskID == taskID && cl.method == "SendStreamingMessage" {
			last = cl
		}
	}
	return last
}
