package redact

import "github.com/a2aproxy/a2a-proxy/recorder"

// Exchange redacts what an exchange stores of its request: header values,
// query values in the path, and the body.
func (r *Redactor) Exchange(x *recorder.Exchange) {
	x.RequestHeaders = r.Headers(x.RequestHeaders)
	x.Path = r.URI(x.Path)
	x.RequestBody = r.Body(x.RequestHeaders.Get("Content-Type"), x.RequestBody)
}

// RecordedEvent redacts an event's raw bytes. The fields already read from
// them (kind, ids, state) name no secret and stay.
func (r *Redactor) RecordedEvent(ev *recorder.Event) { ev.Raw = r.Event(ev.Raw) }

// Recording redacts every exchange and event of a recording, as if it had
// been recorded by this proxy.
func (r *Redactor) Recording(rec *recorder.Recording) {
	for i := range rec.Exchanges {
		r.Exchange(&rec.Exchanges[i].Exchange)
	}
	for i := range rec.Events {
		r.RecordedEvent(&rec.Events[i])
	}
}
