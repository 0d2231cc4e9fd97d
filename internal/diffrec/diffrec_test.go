package diffrec

import (
	"testing"
	"time"

	"github.com/a2aproxy/a2a-proxy/internal/a2awire"
	"github.com/a2aproxy/a2a-proxy/recorder"
)

// Pins the conversion: events keep their timeline order, kind, seq and
// offset; an SSE event's Data is the JSON of its data field, a unary body is
// itself; and exchanges are named by method and position among the task's
// exchanges of that method, never by their recorded id.
func TestRecording(t *testing.T) {
	end := func(streaming bool) *recorder.ExchangeEnd { return &recorder.ExchangeEnd{Streaming: streaming} }
	rec := &recorder.Recording{
		Task: recorder.RecordedTask{TaskID: "t1"},
		Exchanges: []recorder.RecordedExchange{
			{Exchange: recorder.Exchange{ID: "x-1", Method: "message/stream"}, End: end(true)},
			{Exchange: recorder.Exchange{ID: "x-2", Method: "tasks/get"}, End: end(false)},
			{Exchange: recorder.Exchange{ID: "x-3", Method: "message/stream"}, End: end(true)},
			{Exchange: recorder.Exchange{ID: "x-4", HTTPMethod: "GET"}, End: end(false)},
		},
		Events: []recorder.Event{
			{ExchangeID: "x-1", Seq: 0, Offset: time.Millisecond, Fields: a2awire.Fields{Kind: "task"}, Raw: []byte("id: 1\ndata: {\"a\":1}\n\n")},
			{ExchangeID: "x-2", Seq: 0, Offset: 2 * time.Millisecond, Fields: a2awire.Fields{Kind: "task"}, Raw: []byte(`{"b":2}`)},
			{ExchangeID: "x-3", Seq: 0, Offset: 3 * time.Millisecond, Fields: a2awire.Fields{Kind: "status-update"}, Raw: []byte("data: not json\n\n")},
			{ExchangeID: "x-4", Seq: 0, Raw: []byte(`plain`)},
		},
	}
	got := Recording("run", rec)
	if got.Name != "run" || len(got.Events) != 4 {
		t.Fatalf("got %+v", got)
	}
	want := []struct{ exchange, kind, data string }{
		{"message/stream", "task", `{"a":1}`},
		{"tasks/get", "task", `{"b":2}`},
		{"message/stream #2", "status-update", `"not json"`},
		{"GET", "", `"plain"`},
	}
	for i, w := range want {
		ev := got.Events[i]
		if ev.Exchange != w.exchange || ev.Kind != w.kind || string(ev.Data) != w.data {
			t.Errorf("event %d: exchange %q kind %q data %s, want %q %q %s", i, ev.Exchange, ev.Kind, ev.Data, w.exchange, w.kind, w.data)
		}
		if ev.Offset != rec.Events[i].Offset || ev.Seq != rec.Events[i].Seq {
			t.Errorf("event %d: seq %d offset %v, want %d %v", i, ev.Seq, ev.Offset, rec.Events[i].Seq, rec.Events[i].Offset)
		}
	}
}
