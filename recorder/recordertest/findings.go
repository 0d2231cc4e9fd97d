package recordertest

import (
	"context"
	"errors"
	"reflect"
	"sync"
	"testing"
	"time"

	"github.com/a2aproxy/a2a-proxy/recorder"
)

// testFindingsStoredAndReplaced pins that an exchange's findings are read
// back in order with the task's, are counted in its summary, make the
// checks=failed filter keep it, and are replaced (not added to) when the
// exchange is checked again.
func testFindingsStoredAndReplaced(t *testing.T, h *rig) {
	ctx := context.Background()
	s := h.openStore(t, recorder.Options{})
	RecordTask(t, s, "ex-1", "a", "task-bad", "ctx", T0, "completed")
	RecordTask(t, s, "ex-2", "a", "task-warn", "ctx", T0.Add(time.Minute), "completed")
	RecordTask(t, s, "ex-3", "a", "task-ok", "ctx", T0.Add(2*time.Minute), "completed")
	first := []recorder.Finding{
		{ExchangeID: "ex-1", Seq: -1, Rule: "http.content-type", Severity: recorder.SeverityError, Version: "0.3", Message: "text/plain"},
		{ExchangeID: "ex-1", Seq: 1, Rule: "stream.final-flag", Severity: recorder.SeverityError, Version: "0.3", Message: "no final", Path: "$.result.final"},
		{ExchangeID: "ex-1", Seq: 0, Rule: "wire.timestamp", Severity: recorder.SeverityWarning, Version: "0.3", Message: "not UTC"},
	}
	s.RecordChecks(&recorder.ExchangeChecks{ExchangeID: "ex-1", Findings: first})
	s.RecordChecks(&recorder.ExchangeChecks{ExchangeID: "ex-2", Findings: []recorder.Finding{
		{ExchangeID: "ex-2", Seq: 0, Rule: "wire.timestamp", Severity: recorder.SeverityWarning, Version: "1.0", Message: "m"},
	}})
	s.RecordChecks(&recorder.ExchangeChecks{ExchangeID: "ex-3"})
	Flush(t, s)

	got, err := s.TaskFindings(ctx, "task-bad")
	if err != nil {
		t.Fatalf("task findings: %v", err)
	}
	if !reflect.DeepEqual(got, first) {
		t.Errorf("findings = %+v, want %+v", got, first)
	}
	if got, err := s.TaskFindings(ctx, "task-ok"); err != nil || got == nil || len(got) != 0 {
		t.Errorf("findings of a clean task = %#v, %v; want an empty list", got, err)
	}
	if _, err := s.TaskFindings(ctx, "nope"); !errors.Is(err, recorder.ErrNotFound) {
		t.Errorf("findings of an unknown task: error = %v, want ErrNotFound", err)
	}

	counts := map[string]recorder.CheckCounts{}
	page, err := s.ListTasks(ctx, recorder.TaskFilter{})
	if err != nil {
		t.Fatalf("list: %v", err)
	}
	for _, task := range page.Tasks {
		counts[task.TaskID] = task.Checks
	}
	want := map[string]recorder.CheckCounts{"task-bad": {Errors: 2, Warnings: 1}, "task-warn": {Warnings: 1}, "task-ok": {}}
	if !reflect.DeepEqual(counts, want) {
		t.Errorf("check counts = %v, want %v", counts, want)
	}
	if d, err := s.GetTask(ctx, "task-bad"); err != nil || d.Task.Checks != want["task-bad"] {
		t.Errorf("GetTask checks = %+v, %v; want %+v", d.Task.Checks, err, want["task-bad"])
	}
	failed, err := s.ListTasks(ctx, recorder.TaskFilter{Checks: recorder.ChecksFailed})
	if err != nil {
		t.Fatalf("list failed: %v", err)
	}
	if len(failed.Tasks) != 1 || failed.Tasks[0].TaskID != "task-bad" {
		t.Errorf("checks=failed = %+v, want task-bad alone", failed.Tasks)
	}
	if _, err := s.ListTasks(ctx, recorder.TaskFilter{Checks: "maybe"}); !errors.Is(err, recorder.ErrInvalidFilter) {
		t.Errorf("checks=maybe: error = %v, want ErrInvalidFilter", err)
	}

	// Checked again, twice in one batch: the last result replaces the rest.
	s.RecordChecks(&recorder.ExchangeChecks{ExchangeID: "ex-1", Findings: first[:1]})
	s.RecordChecks(&recorder.ExchangeChecks{ExchangeID: "ex-1", Findings: first[2:]})
	Flush(t, s)
	if got, err := s.TaskFindings(ctx, "task-bad"); err != nil || !reflect.DeepEqual(got, first[2:]) {
		t.Errorf("findings after a new check = %+v, %v; want %+v", got, err, first[2:])
	}
	if failed, err := s.ListTasks(ctx, recorder.TaskFilter{Checks: recorder.ChecksFailed}); err != nil || len(failed.Tasks) != 0 {
		t.Errorf("checks=failed after the errors went = %+v, %v; want none", failed.Tasks, err)
	}
}

// testExchangeRecording pins that one exchange reads back with its request,
// its end and every event, those of other tasks included.
func testExchangeRecording(t *testing.T, h *rig) {
	ctx := context.Background()
	s := h.openStore(t, recorder.Options{})
	ex := NewExchange("ex-1", "a", T0)
	ex.TaskID = "task-1"
	s.StartExchange(ex)
	s.RecordEvent(StatusEvent(ex, 0, "task-1", "ctx", "working", ""))
	s.RecordEvent(StatusEvent(ex, 1, "task-2", "ctx", "working", ""))
	s.FinishExchange(Finish(ex.ID, T0.Add(time.Second), 2))
	Flush(t, s)

	rec, err := s.ExchangeRecording(ctx, "ex-1", 0)
	if err != nil {
		t.Fatalf("exchange recording: %v", err)
	}
	if len(rec.Exchanges) != 1 || rec.Exchanges[0].ID != "ex-1" || rec.Exchanges[0].End == nil ||
		rec.Exchanges[0].End.ContentType != "text/event-stream" || string(rec.Exchanges[0].RequestBody) != string(ex.RequestBody) {
		t.Fatalf("exchanges = %+v", rec.Exchanges)
	}
	if rec.Task.TaskID != "task-1" {
		t.Errorf("task = %+v, want the request's task-1", rec.Task)
	}
	if len(rec.Events) != 2 || rec.Events[1].TaskID != "task-2" || len(rec.Events[1].Raw) == 0 {
		t.Errorf("events = %+v, want both, raw bytes kept", rec.Events)
	}
	// With a cap, the longer event comes back without its bytes.
	capped, err := s.ExchangeRecording(ctx, "ex-1", len(rec.Events[0].Raw)-1)
	if err != nil || len(capped.Events) != 2 || capped.Events[0].Raw != nil || capped.Events[0].Flag != recorder.FlagOversized ||
		capped.Events[0].Seq != 0 || capped.Events[0].Kind != "status-update" {
		t.Errorf("capped read = %+v, %v; want event 0 without its bytes, flagged oversized", capped, err)
	}
	if _, err := s.ExchangeRecording(ctx, "nope", 0); !errors.Is(err, recorder.ErrNotFound) {
		t.Errorf("unknown exchange: error = %v, want ErrNotFound", err)
	}
}

// testOnExchangesEndedAfterCommit pins that the writer hands out each end
// once, after its batch committed: the exchange is readable in full then.
func testOnExchangesEndedAfterCommit(t *testing.T, h *rig) {
	var mu sync.Mutex
	var ends []string
	var readable []bool
	var s *recorder.Recorder
	ready := make(chan struct{})
	s = h.openStore(t, recorder.Options{OnExchangesEnded: func(got []recorder.ExchangeEnd) {
		<-ready
		for _, e := range got {
			rec, err := s.ExchangeRecording(context.Background(), e.ExchangeID, 0)
			mu.Lock()
			ends = append(ends, e.ExchangeID)
			readable = append(readable, err == nil && rec.Exchanges[0].End != nil && len(rec.Events) == 2)
			mu.Unlock()
		}
	}})
	close(ready)
	RecordTask(t, s, "ex-1", "a", "task-1", "ctx", T0, "completed")
	RecordTask(t, s, "ex-2", "a", "task-2", "ctx", T0, "completed")
	Flush(t, s)
	mu.Lock()
	defer mu.Unlock()
	if !reflect.DeepEqual(ends, []string{"ex-1", "ex-2"}) || !reflect.DeepEqual(readable, []bool{true, true}) {
		t.Errorf("ends = %v readable = %v; want ex-1, ex-2, both readable", ends, readable)
	}
}
