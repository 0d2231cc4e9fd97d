package recordertest

import (
	"bytes"
	"context"
	"encoding/json"
	"errors"
	"net/http"
	"reflect"
	"strings"
	"testing"
	"time"

	"github.com/a2aproxy/a2a-proxy/recorder"
)

func testRoundTrip(t *testing.T, h *rig) {
	s := h.openStore(t, recorder.Options{})
	ctx := context.Background()

	ex := NewExchange("ex-1", "builtin", T0)
	ex.RequestHeaders = http.Header{"Content-Type": {"application/json"}, "Authorization": {"[redacted]"}}
	large := bytes.Repeat([]byte("x"), 1<<20)
	binary := []byte("data: \xff\xfe\x00not utf-8\n\n")
	events := []*recorder.Event{
		StatusEvent(ex, 0, "task-1", "ctx-1", "working", "thinking"),
		NewEvent(ex, 1, binary, func(ev *recorder.Event) { ev.TaskID = "task-1"; ev.Flag = recorder.FlagNonJSON }),
		NewEvent(ex, 2, []byte("data: {\"big\":\""+string(large)+"\"}\n\n"), func(ev *recorder.Event) { ev.TaskID = "task-1" }),
		NewEvent(ex, 3, []byte("data: {\"cut\":"), func(ev *recorder.Event) { ev.TaskID = "task-1"; ev.Flag = recorder.FlagIncomplete }),
		StatusEvent(ex, 4, "task-1", "ctx-1", "completed", ""),
	}
	s.StartExchange(ex)
	for _, ev := range events {
		if !s.RecordEvent(ev) {
			t.Fatalf("event %d dropped", ev.Seq)
		}
	}
	end := Finish(ex.ID, T0.Add(1500*time.Millisecond), len(events))
	s.FinishExchange(end)
	Flush(t, s)

	got, err := s.GetTask(ctx, "task-1")
	if err != nil {
		t.Fatalf("get task: %v", err)
	}
	if len(got.Exchanges) != 1 {
		t.Fatalf("exchanges = %d, want 1", len(got.Exchanges))
	}
	x := got.Exchanges[0]
	wantExchange := recorder.ExchangeDoc{
		ID: ex.ID, Agent: ex.Agent, Method: ex.Method, ProtocolVersion: ex.ProtocolVersion,
		Binding: ex.Binding, HTTPMethod: ex.HTTPMethod, Path: ex.Path,
		RequestHeaders: ex.RequestHeaders, RequestBody: json.RawMessage(ex.RequestBody), RPCID: "1",
		Status: http.StatusOK, ContentType: "text/event-stream", Streaming: true,
		StartedAt: T0, EndedAt: &end.EndedAt, DurationMs: 1500, Outcome: recorder.OutcomeCompleted,
		EventCount: len(events), RecordingComplete: true, TraceID: ex.TraceID, SpanID: ex.SpanID,
	}
	if !reflect.DeepEqual(x, wantExchange) {
		t.Errorf("exchange =\n%+v\nwant\n%+v", x, wantExchange)
	}

	if len(got.Events) != len(events) {
		t.Fatalf("events = %d, want %d", len(got.Events), len(events))
	}
	for i, e := range got.Events {
		want := events[i]
		if !bytes.Equal(e.Raw, want.Raw) {
			t.Errorf("event %d: raw differs (%d bytes, want %d)", i, len(e.Raw), len(want.Raw))
		}
		if e.Seq != want.Seq || e.ExchangeID != want.ExchangeID || !e.At.Equal(want.At) ||
			e.OffsetMs != float64(want.Offset)/1e6 || e.Kind != want.Kind || e.State != want.State ||
			e.Final != want.Final || e.TaskID != want.TaskID || e.ContextID != want.ContextID || e.Flag != want.Flag {
			t.Errorf("event %d = %+v, want fields of %+v", i, e, want)
		}
		if !json.Valid(e.Data) {
			t.Errorf("event %d: data is not JSON: %.80q", i, e.Data)
		}
	}
	if data := string(got.Events[0].Data); !strings.HasPrefix(data, `{"jsonrpc":"2.0"`) {
		t.Errorf("event 0 data = %.80s, want the JSON-RPC document", data)
	}
	var text string
	if err := json.Unmarshal(got.Events[1].Data, &text); err != nil || !strings.Contains(text, "not utf-8") {
		t.Errorf("event 1 data = %q, want a JSON string of the text", got.Events[1].Data)
	}
	if n := len(got.Events[2].Data); n < 1<<20 {
		t.Errorf("event 2 data is %d bytes, want the whole 1 MiB document", n)
	}
	if data := string(got.Events[3].Data); data != `"{\"cut\":"` {
		t.Errorf("event 3 data = %s, want the cut data as a string", data)
	}
}

func testUnaryEventDataIsTheBody(t *testing.T, h *rig) {
	s := h.openStore(t, recorder.Options{})
	ex := NewExchange("ex-unary", "a", T0)
	ex.TaskID = "task-u"
	body := []byte(`{"jsonrpc":"2.0","id":1,"result":{"kind":"task","id":"task-u","status":{"state":"completed"}}}`)
	s.StartExchange(ex)
	s.RecordEvent(NewEvent(ex, 0, body, func(ev *recorder.Event) { ev.Kind = "task"; ev.TaskID = "task-u"; ev.State = "completed" }))
	s.FinishExchange(&recorder.ExchangeEnd{ExchangeID: ex.ID, Status: 200, EndedAt: T0.Add(time.Second), Outcome: recorder.OutcomeCompleted, EventCount: 1})
	Flush(t, s)

	got, err := s.GetTask(context.Background(), "task-u")
	if err != nil {
		t.Fatalf("get task: %v", err)
	}
	if len(got.Events) != 1 || string(got.Events[0].Data) != string(body) {
		t.Fatalf("events = %+v, want the body as data", got.Events)
	}
}

func testOpenExchangeIsIncomplete(t *testing.T, h *rig) {
	s := h.openStore(t, recorder.Options{})
	ex := NewExchange("ex-open", "a", T0)
	s.StartExchange(ex)
	s.RecordEvent(StatusEvent(ex, 0, "task-open", "ctx", "working", ""))
	Flush(t, s)

	got, err := s.GetTask(context.Background(), "task-open")
	if err != nil {
		t.Fatalf("get task: %v", err)
	}
	x := got.Exchanges[0]
	if x.EndedAt != nil || x.Outcome != "" || x.RecordingComplete {
		t.Errorf("open exchange = ended %v, outcome %q, complete %t; want open and incomplete", x.EndedAt, x.Outcome, x.RecordingComplete)
	}
	if !json.Valid(got.Events[0].Data) || got.Events[0].Data[0] != '{' {
		t.Errorf("data of an event of an open stream = %.80s, want the SSE data", got.Events[0].Data)
	}
}

func testDroppedEventsMarkRecordingIncomplete(t *testing.T, h *rig) {
	s := h.openStore(t, recorder.Options{})
	ex := NewExchange("ex-lossy", "a", T0)
	s.StartExchange(ex)
	s.RecordEvent(StatusEvent(ex, 0, "task-lossy", "ctx", "working", ""))
	end := Finish(ex.ID, T0.Add(time.Second), 3)
	end.DroppedEvents = 2
	s.FinishExchange(end)
	Flush(t, s)

	got, err := s.GetTask(context.Background(), "task-lossy")
	if err != nil {
		t.Fatalf("get task: %v", err)
	}
	if x := got.Exchanges[0]; x.RecordingComplete || x.DroppedEvents != 2 {
		t.Errorf("exchange complete = %t, dropped = %d; want false, 2", x.RecordingComplete, x.DroppedEvents)
	}
}

func testNotFound(t *testing.T, h *rig) {
	s := h.openStore(t, recorder.Options{})
	ctx := context.Background()
	if _, err := s.GetTask(ctx, "nope"); !errors.Is(err, recorder.ErrNotFound) {
		t.Errorf("GetTask(unknown) error = %v, want ErrNotFound", err)
	}
	if _, err := s.GetContext(ctx, "nope"); !errors.Is(err, recorder.ErrNotFound) {
		t.Errorf("GetContext(unknown) error = %v, want ErrNotFound", err)
	}
	if _, err := s.GetContext(ctx, ""); !errors.Is(err, recorder.ErrNotFound) {
		t.Errorf("GetContext(\"\") error = %v, want ErrNotFound", err)
	}
	if _, err := s.ExchangeEvents(ctx, "nope"); !errors.Is(err, recorder.ErrNotFound) {
		t.Errorf("ExchangeEvents(unknown) error = %v, want ErrNotFound", err)
	}
}

func testExchangeEvents(t *testing.T, h *rig) {
	s := h.openStore(t, recorder.Options{})
	ex := RecordTask(t, s, "ex-1", "a", "task-1", "ctx-1", T0, "completed")
	Flush(t, s)

	events, err := s.ExchangeEvents(context.Background(), ex.ID)
	if err != nil {
		t.Fatalf("exchange events: %v", err)
	}
	if len(events) != 2 || events[0].Seq != 0 || events[1].Seq != 1 || events[1].State != "completed" {
		t.Errorf("events = %+v, want seq 0 and 1", events)
	}
}

func testGetContext(t *testing.T, h *rig) {
	s := h.openStore(t, recorder.Options{})
	RecordTask(t, s, "ex-2", "a", "task-b", "ctx-1", T0.Add(time.Minute), "completed")
	RecordTask(t, s, "ex-1", "a", "task-a", "ctx-1", T0, "input-required")
	RecordTask(t, s, "ex-3", "a", "task-c", "ctx-2", T0, "completed")
	Flush(t, s)

	got, err := s.GetContext(context.Background(), "ctx-1")
	if err != nil {
		t.Fatalf("get context: %v", err)
	}
	var ids []string
	for _, task := range got.Tasks {
		ids = append(ids, task.TaskID)
	}
	if got.ContextID != "ctx-1" || !reflect.DeepEqual(ids, []string{"task-a", "task-b"}) {
		t.Errorf("context = %s %v, want ctx-1 [task-a task-b] (oldest first)", got.ContextID, ids)
	}
}

func testReopenKeepsData(t *testing.T, h *rig) {
	ctx := context.Background()
	s := h.openStore(t, recorder.Options{})
	RecordTask(t, s, "ex-1", "a", "task-1", "ctx-1", T0, "completed")
	if err := s.Close(); err != nil {
		t.Fatalf("close: %v", err)
	}

	s = h.reopen(t, s, recorder.Options{})
	got, err := s.GetTask(ctx, "task-1")
	if err != nil {
		t.Fatalf("get task after reopen: %v", err)
	}
	if got.Task.State != "completed" || len(got.Events) != 2 {
		t.Errorf("after reopen: state %q, %d events; want completed, 2", got.Task.State, len(got.Events))
	}
	// New writes go on where the first run stopped.
	RecordTask(t, s, "ex-2", "a", "task-1", "ctx-1", T0.Add(time.Minute), "working")
	Flush(t, s)
	got, err = s.GetTask(ctx, "task-1")
	if err != nil {
		t.Fatalf("get task: %v", err)
	}
	if got.Task.ExchangeCount != 2 || got.Task.EventCount != 4 {
		t.Errorf("counts after reopen = %d exchanges, %d events; want 2, 4", got.Task.ExchangeCount, got.Task.EventCount)
	}
}
