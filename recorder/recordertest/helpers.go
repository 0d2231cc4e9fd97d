package recordertest

import (
	"context"
	"fmt"
	"net/http"
	"testing"
	"time"

	"github.com/a2aproxy/a2a-proxy/recorder"
)

// T0 is when the recorded traffic of the tests starts.
var T0 = time.Date(2025, 6, 1, 12, 0, 0, 0, time.UTC)

// Flush waits for what s has queued to be committed.
func Flush(t testing.TB, s *recorder.Recorder) {
	t.Helper()
	if err := s.Flush(context.Background()); err != nil {
		t.Fatalf("Flush: %v", err)
	}
}

// NewExchange is a JSON-RPC message/stream request to agent.
func NewExchange(id, agent string, start time.Time) *recorder.Exchange {
	return &recorder.Exchange{
		ID:              id,
		Agent:           agent,
		Method:          "message/stream",
		ProtocolVersion: "0.3",
		Binding:         "jsonrpc",
		HTTPMethod:      http.MethodPost,
		Path:            "/",
		RequestHeaders:  http.Header{"Content-Type": {"application/json"}},
		RequestBody:     []byte(`{"jsonrpc":"2.0","id":1,"method":"message/stream","params":{}}`),
		RPCID:           "1",
		StartedAt:       start,
		TraceID:         "trace-" + id,
		SpanID:          "span-" + id,
	}
}

// Finish is the end of a completed stream of events events.
func Finish(id string, end time.Time, events int) *recorder.ExchangeEnd {
	return &recorder.ExchangeEnd{
		ExchangeID:  id,
		Status:      http.StatusOK,
		ContentType: "text/event-stream",
		Streaming:   true,
		EndedAt:     end,
		Outcome:     recorder.OutcomeCompleted,
		EventCount:  events,
	}
}

// StatusEvent is a v0.3 JSON-RPC status-update as an a2a-go server frames it.
func StatusEvent(ex *recorder.Exchange, seq int, taskID, contextID, state, text string) *recorder.Event {
	message := ""
	if text != "" {
		message = fmt.Sprintf(`,"message":{"kind":"message","role":"agent","messageId":"m%d","parts":[{"kind":"text","text":%q}]}`, seq, text)
	}
	data := fmt.Sprintf(`{"jsonrpc":"2.0","id":1,"result":{"kind":"status-update","taskId":%q,"contextId":%q,"status":{"state":%q%s},"final":%t}}`,
		taskID, contextID, state, message, state == "completed")
	return NewEvent(ex, seq, []byte("id: e"+fmt.Sprint(seq)+"\ndata: "+data+"\n\n"), func(ev *recorder.Event) {
		ev.Kind = "status-update"
		ev.TaskID = taskID
		ev.ContextID = contextID
		ev.State = state
		ev.Final = state == "completed"
	})
}

// NewEvent is event seq of ex with raw bytes, 100 ms apart; set fills in
// the extracted fields.
func NewEvent(ex *recorder.Exchange, seq int, raw []byte, set func(*recorder.Event)) *recorder.Event {
	offset := time.Duration(seq+1) * 100 * time.Millisecond
	ev := &recorder.Event{
		ExchangeID: ex.ID,
		Agent:      ex.Agent,
		Seq:        seq,
		Offset:     offset,
		At:         ex.StartedAt.Add(offset),
		Raw:        raw,
	}
	if set != nil {
		set(ev)
	}
	return ev
}

// RecordTask records one streaming exchange that creates taskID and ends it
// in state, and returns it.
func RecordTask(t testing.TB, s *recorder.Recorder, exID, agent, taskID, contextID string, start time.Time, state string) *recorder.Exchange {
	t.Helper()
	ex := NewExchange(exID, agent, start)
	s.StartExchange(ex)
	events := []*recorder.Event{
		StatusEvent(ex, 0, taskID, contextID, "submitted", ""),
		StatusEvent(ex, 1, taskID, contextID, state, "now "+state),
	}
	for _, ev := range events {
		if !s.RecordEvent(ev) {
			t.Fatalf("event %s/%d dropped", ev.ExchangeID, ev.Seq)
		}
	}
	s.FinishExchange(Finish(exID, start.Add(time.Second), len(events)))
	return ex
}
