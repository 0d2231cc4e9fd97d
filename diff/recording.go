package diff

import "time"

// Recording is one run to compare: its events in the order they were
// recorded. It is independent of any store, so a caller fills it from a task
// in the database or from an exported NDJSON file alike.
type Recording struct {
	// Name says how reports refer to the recording (a task id, a file
	// name). Empty means "a" or "b".
	Name   string
	Events []Event
}

// Event is one recorded event.
type Event struct {
	// Seq is the event's number as recorded (per exchange); it is only
	// reported, alignment uses the position in Recording.Events.
	Seq int
	// Offset is the time from the start of the event's exchange; it is
	// compared only when Options.Timing is set.
	Offset time.Duration
	// Kind is the event's kind ("task", "status-update", ...); only events of
	// the same kind are paired.
	Kind string
	// Exchange optionally groups events by the exchange they belong to; only
	// events of the same Exchange are paired, so it must be stable across
	// runs: the method ("message/stream"), or the method and its position,
	// never a recorded exchange id. Empty for one stream.
	Exchange string
	// Data is the event's JSON document (for JSON-RPC the whole response
	// object, for an SSE event its data), or raw text when it is not JSON.
	Data []byte
}
