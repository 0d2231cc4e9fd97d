package recordertest

import (
	"context"
	"testing"
	"time"

	"github.com/a2aproxy/a2a-proxy/recorder"
)

// TestTaskRollup records one task's life over three exchanges and checks the
// task row, whether the writer sees it all in one batch or item by item.
func testTaskRollup(t *testing.T, h *rig) {
	for _, tc := range []struct {
		name      string
		batchSize int
		flushEach bool
	}{
		{"one batch", 0, false},
		{"one item per batch", 1, true},
	} {
		t.Run(tc.name, func(t *testing.T) {
			s := h.openStore(t, recorder.Options{BatchSize: tc.batchSize})
			step := func() {
				if tc.flushEach {
					Flush(t, s)
				}
			}

			// The stream that creates the task, then stops for input.
			stream := NewExchange("ex-1", "builtin", T0)
			s.StartExchange(stream)
			step()
			for _, ev := range []*recorder.Event{
				StatusEvent(stream, 0, "task-1", "ctx-1", "submitted", ""),
				StatusEvent(stream, 1, "task-1", "ctx-1", "working", "step 1"),
				StatusEvent(stream, 2, "task-1", "ctx-1", "input-required", "need more"),
			} {
				s.RecordEvent(ev)
				step()
			}
			s.FinishExchange(Finish(stream.ID, T0.Add(time.Second), 3))
			step()

			// A tasks/get naming the task, whose response has no event of it.
			get := NewExchange("ex-2", "builtin", T0.Add(2*time.Second))
			get.Method, get.TaskID, get.ContextID = "tasks/get", "task-1", "ctx-1"
			s.StartExchange(get)
			s.RecordEvent(NewEvent(get, 0, []byte(`{"jsonrpc":"2.0","id":1,"error":{"code":-32603}}`), func(ev *recorder.Event) { ev.Kind = "error" }))
			s.FinishExchange(Finish(get.ID, T0.Add(3*time.Second), 1))
			step()

			// The follow-up that completes it, without a message.
			followUp := NewExchange("ex-3", "builtin", T0.Add(4*time.Second))
			followUp.TaskID = "task-1"
			s.StartExchange(followUp)
			s.RecordEvent(StatusEvent(followUp, 0, "task-1", "ctx-1", "working", "step 2"))
			step()
			s.RecordEvent(StatusEvent(followUp, 1, "task-1", "ctx-1", "completed", ""))
			step()
			s.FinishExchange(Finish(followUp.ID, T0.Add(5*time.Second), 2))
			Flush(t, s)

			got, err := s.GetTask(context.Background(), "task-1")
			if err != nil {
				t.Fatalf("get task: %v", err)
			}
			want := recorder.TaskSummary{
				TaskID:        "task-1",
				ContextID:     "ctx-1",
				Agent:         "builtin",
				State:         "completed",
				FirstSeen:     T0.Add(100 * time.Millisecond), // the first event
				LastSeen:      T0.Add(4*time.Second + 200*time.Millisecond),
				EventCount:    5,
				ExchangeCount: 3,
				TraceID:       "trace-ex-1",
				LastMessage:   "step 2",
				LastOutcome:   recorder.OutcomeCompleted,
				Status:        "completed",
			}
			if got.Task != want {
				t.Errorf("task =\n%+v\nwant\n%+v", got.Task, want)
			}
			var exchanges []string
			for _, x := range got.Exchanges {
				exchanges = append(exchanges, x.ID)
			}
			if len(exchanges) != 3 || exchanges[0] != "ex-1" || exchanges[2] != "ex-3" {
				t.Errorf("exchanges = %v, want ex-1 ex-2 ex-3", exchanges)
			}
			// The error event has no task id but belongs to an exchange of the task.
			if len(got.Events) != 6 || got.Events[3].ExchangeID != "ex-2" || got.Events[3].Kind != "error" {
				t.Errorf("events = %d (4th %s/%s), want 6 with ex-2's error 4th", len(got.Events), got.Events[3].ExchangeID, got.Events[3].Kind)
			}
		})
	}
}

func testEventsOfOtherTasksStayOut(t *testing.T, h *rig) {
	s := h.openStore(t, recorder.Options{})
	ex := NewExchange("ex-1", "a", T0)
	s.StartExchange(ex)
	s.RecordEvent(StatusEvent(ex, 0, "task-1", "ctx", "working", ""))
	s.RecordEvent(StatusEvent(ex, 1, "task-2", "ctx", "working", ""))
	s.FinishExchange(Finish(ex.ID, T0.Add(time.Second), 2))
	Flush(t, s)

	for _, id := range []string{"task-1", "task-2"} {
		got, err := s.GetTask(context.Background(), id)
		if err != nil {
			t.Fatalf("get %s: %v", id, err)
		}
		if len(got.Events) != 1 || got.Events[0].TaskID != id {
			t.Errorf("events of %s = %+v, want only its own", id, got.Events)
		}
		if got.Task.ExchangeCount != 1 || got.Task.EventCount != 1 {
			t.Errorf("%s counts = %d exchanges, %d events; want 1, 1", id, got.Task.ExchangeCount, got.Task.EventCount)
		}
	}
}

// The writer remembers each task's indexed columns so that it need not read
// them back. An import writes task rows behind its back; the next batch must
// not trust what it remembered, or a state change would be lost.
func testTaskStateAfterImportOfTheSameTask(t *testing.T, h *rig) {
	ctx := context.Background()
	src := h.openStore(t, recorder.Options{})
	RecordTask(t, src, "ex-old", "builtin", "task-1", "ctx-1", T0, "completed")
	Flush(t, src)
	exported := ExportTask(t, src, "task-1")

	dst := h.openStore(t, recorder.Options{})
	live := NewExchange("ex-live", "builtin", T0.Add(time.Minute))
	dst.StartExchange(live)
	MustRecord(t, dst, StatusEvent(live, 0, "task-1", "ctx-1", "working", "live 1"))
	Flush(t, dst) // the writer now knows task-1 as working

	if _, err := dst.Import(ctx, readRecordings(t, exported)); err != nil {
		t.Fatalf("import: %v", err)
	}
	if got := taskState(t, dst, "task-1"); got != "completed" {
		t.Fatalf("after the import the task is %q, want the imported completed", got)
	}

	MustRecord(t, dst, StatusEvent(live, 1, "task-1", "ctx-1", "working", "live 2"))
	Flush(t, dst)
	if got := taskState(t, dst, "task-1"); got != "working" {
		t.Errorf("after a live working event the task is %q, want working", got)
	}
}

func taskState(t *testing.T, s *recorder.Recorder, taskID string) string {
	t.Helper()
	doc, err := s.GetTask(context.Background(), taskID)
	if err != nil {
		t.Fatalf("get task: %v", err)
	}
	return doc.Task.State
}
