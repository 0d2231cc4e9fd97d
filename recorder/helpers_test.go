package recorder_test

import (
	"context"
	"fmt"
	"net/http"
	"path/filepath"
	"testing"
	"time"

	"github.com/a2aproxy/a2a-proxy/recorder"
)

// t0 is when the recorded traffic of the tests starts.
var t0 = time.Date(2025, 6, 1, 12, 0, 0, 0, time.UTC)

func openStore(t testing.TB, opts recorder.Options) (*recorder.Store, string) {
	t.Helper()
	path := filepath.Join(t.TempDir(), "recorder.db")
	s, err := recorder.Open(context.Background(), path, opts)
	if err != nil {
		t.Fatalf("open store: %v", err)
	}
	t.Cleanup(func() {
		if err := s.Close(); err != nil {
			t.Errorf("close store: %v", err)
		}
	})
	return s, path
}

func flush(t testing.TB, s *recorder.Store) {
	t.Helper()
	if err := s.Flush(context.Background()); err != nil {
		t.Fatalf("flush: %v", err)
	}
}

func newExchange(id, agent string, start time.Time) *recorder.Exchange {
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

func finish(id string, end time.Time, events int) *recorder.ExchangeEnd {
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

// statusEvent is a v0.3 JSON-RPC status-update as an a2a-go server frames it.
func statusEvent(ex *recorder.Exchange, seq int, taskID, contextID, state, text string) *recorder.Event {
	message := ""
	if text != "" {
		message = fmt.Sprintf(`,"message":{"kind":"message","role":"agent","messageId":"m%d","parts":[{"kind":"text","text":%q}]}`, seq, text)
	}
	data := fmt.Sprintf(`{"jsonrpc":"2.0","id":1,"result":{"kind":"status-update","taskId":%q,"contextId":%q,"status":{"state":%q%s},"final":%t}}`,
		taskID, contextID, state, message, state == "completed")
	return newEvent(ex, seq, []byte("id: e"+fmt.Sprint(seq)+"\ndata: "+data+"\n\n"), func(ev *recorder.Event) {
		ev.Kind = "status-update"
		ev.TaskID = taskID
		ev.ContextID = contextID
		ev.State = state
		ev.Final = state == "completed"
	})
}

func newEvent(ex *recorder.Exchange, seq int, raw []byte, set func(*recorder.Event)) *recorder.Event {
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

// recordTask records one streaming exchange that creates taskID and ends it
// in state, and returns it.
func recordTask(t testing.TB, s *recorder.Store, exID, agent, taskID, contextID string, start time.Time, state string) *recorder.Exchange {
	t.Helper()
	ex := newExchange(exID, agent, start)
	s.StartExchange(ex)
	events := []*recorder.Event{
		statusEvent(ex, 0, taskID, contextID, "submitted", ""),
		statusEvent(ex, 1, taskID, contextID, state, "now "+state),
	}
	for _, ev := range events {
		if !s.RecordEvent(ev) {
			t.Fatalf("event %s/%d dropped", ev.ExchangeID, ev.Seq)
		}
	}
	s.FinishExchange(finish(exID, start.Add(time.Second), len(events)))
	return ex
}
