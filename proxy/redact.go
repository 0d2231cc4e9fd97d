package proxy

import (
	"github.com/a2aproxy/a2a-proxy/internal/redact"
	"github.com/a2aproxy/a2a-proxy/recorder"
)

// Redacted replaces every secret value before it is stored.
const Redacted = redact.Marker

// redactingRecorder redacts exchanges and events on their way to the
// recorder: what the client and the agent get is never touched, only the
// copy that is stored. It runs on the request's goroutine, after the client
// already has the event.
type redactingRecorder struct {
	next Recorder
	r    *redact.Redactor
}

func (rr redactingRecorder) StartExchange(x *recorder.Exchange) {
	rr.r.Exchange(x)
	rr.next.StartExchange(x)
}

func (rr redactingRecorder) RecordEvent(ev *recorder.Event) bool {
	rr.r.RecordedEvent(ev)
	return rr.next.RecordEvent(ev)
}

func (rr redactingRecorder) FinishExchange(end *recorder.ExchangeEnd) { rr.next.FinishExchange(end) }
