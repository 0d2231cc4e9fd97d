package replay

import (
	"time"

	"github.com/a2aproxy/a2a-proxy/recorder"
)

// TaskTimeline returns every event of a recording as one replay: sequence
// numbers are positions in the task's timeline (0 to N-1 across all its
// exchanges, the order of GET /api/tasks/{taskId}), and offsets count from
// the start of its first exchange, so the pauses between exchanges are
// replayed too.
func TaskTimeline(rec *recorder.Recording) []Event {
	if len(rec.Exchanges) == 0 {
		return nil
	}
	first := rec.Exchanges[0].StartedAt
	starts := make(map[string]time.Duration, len(rec.Exchanges))
	for _, x := range rec.Exchanges {
		starts[x.ID] = x.StartedAt.Sub(first)
	}
	events := make([]Event, len(rec.Events))
	for i, ev := range rec.Events {
		events[i] = Event{Seq: i, Offset: starts[ev.ExchangeID] + ev.Offset, Raw: ev.Raw}
	}
	return events
}

// ExchangeTimeline returns the events of one exchange of a recording as a
// replay: sequence numbers and offsets as recorded. ok is false when the
// recording has no such exchange.
func ExchangeTimeline(rec *recorder.Recording, exchangeID string) (events []Event, ok bool) {
	for _, x := range rec.Exchanges {
		ok = ok || x.ID == exchangeID
	}
	for _, ev := range rec.Events {
		if ev.ExchangeID == exchangeID {
			events = append(events, Event{Seq: ev.Seq, Offset: ev.Offset, Raw: ev.Raw})
		}
	}
	return events, ok
}
