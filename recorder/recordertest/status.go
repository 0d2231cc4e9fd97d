package recordertest

import (
	"context"
	"fmt"
	"net/http"
	"reflect"
	"slices"
	"testing"
	"time"

	"github.com/a2aproxy/a2a-proxy/recorder"
)

// taskStatusWant is what a task of recordStatusScenario reads as.
type taskStatusWant struct {
	open        bool
	lastOutcome string
	status      string
	reason      string
}

// statusScenario is what recordStatusScenario records, newest first.
var statusScenario = []struct {
	taskID string
	want   taskStatusWant
}{
	{"st-crossed", taskStatusWant{false, recorder.OutcomeUpstreamError, recorder.StatusInterrupted, "agent died"}},
	{"st-unary", taskStatusWant{false, recorder.OutcomeCompleted, "working", ""}},
	{"st-resumed", taskStatusWant{true, recorder.OutcomeUpstreamError, "working", ""}},
	{"st-waiting", taskStatusWant{false, recorder.OutcomeClientClosed, "input-required", ""}},
	{"st-open", taskStatusWant{true, "", "working", ""}},
	{"st-timeout", taskStatusWant{false, recorder.OutcomeUpstreamTimeout, recorder.StatusInterrupted, "timed out"}},
	{"st-left", taskStatusWant{false, recorder.OutcomeClientClosed, recorder.StatusInterrupted, "client left"}},
	{"st-died", taskStatusWant{false, recorder.OutcomeUpstreamError, recorder.StatusInterrupted, "agent died"}},
	{"st-done", taskStatusWant{false, recorder.OutcomeCompleted, "completed", ""}},
}

// recordStatusScenario records one task per case of statusScenario, each
// second one, oldest first.
func recordStatusScenario(t *testing.T, s *recorder.Recorder) {
	t.Helper()
	at := func(i int) time.Time { return T0.Add(time.Duration(i) * time.Second) }
	// stream records a stream of taskID in states, ended with outcome ("":
	// left open).
	stream := func(exID, taskID string, start time.Time, outcome string, states ...string) *recorder.Exchange {
		ex := NewExchange(exID, "a", start)
		s.StartExchange(ex)
		for seq, state := range states {
			s.RecordEvent(StatusEvent(ex, seq, taskID, "ctx-st", state, ""))
		}
		if outcome != "" {
			end := Finish(exID, start.Add(time.Duration(len(states))*100*time.Millisecond+time.Millisecond), len(states))
			end.Outcome = outcome
			s.FinishExchange(end)
		}
		return ex
	}
	RecordTask(t, s, "ex-done", "a", "st-done", "ctx-st", at(0), "completed")
	stream("ex-died", "st-died", at(1), recorder.OutcomeUpstreamError, "submitted", "working")
	stream("ex-left", "st-left", at(2), recorder.OutcomeClientClosed, "submitted", "working")
	stream("ex-timeout", "st-timeout", at(3), recorder.OutcomeUpstreamTimeout, "submitted")
	stream("ex-open", "st-open", at(4), "", "submitted", "working")
	// Paused for its client: the client hanging up then breaks nothing.
	stream("ex-waiting", "st-waiting", at(5), recorder.OutcomeClientClosed, "submitted", "input-required")
	// The agent died, and the client resubscribed: streaming again.
	stream("ex-resumed-1", "st-resumed", at(6), recorder.OutcomeUpstreamError, "submitted", "working")
	resub := NewExchange("ex-resumed-2", "a", at(6).Add(500*time.Millisecond))
	resub.Method, resub.TaskID = "tasks/resubscribe", "st-resumed"
	s.StartExchange(resub)
	// A unary answer that leaves the task working, to be polled: not broken.
	unary := NewExchange("ex-unary", "a", at(7))
	unary.Method = "message/send"
	s.StartExchange(unary)
	s.RecordEvent(NewEvent(unary, 0, []byte(`{"jsonrpc":"2.0","id":1,"result":{"kind":"task","id":"st-unary","contextId":"ctx-st","status":{"state":"working"}}}`),
		func(ev *recorder.Event) {
			ev.Kind, ev.TaskID, ev.ContextID, ev.State = "task", "st-unary", "ctx-st", "working"
		}))
	s.FinishExchange(&recorder.ExchangeEnd{ExchangeID: unary.ID, Status: http.StatusOK, ContentType: "application/json",
		EndedAt: at(7).Add(150 * time.Millisecond), Outcome: recorder.OutcomeCompleted, EventCount: 1})
	// A poll that started after the stream but ended before it died: the
	// exchange that ended last tells why nothing runs any more.
	stream("ex-crossed-1", "st-crossed", at(8), "", "submitted", "working")
	poll := NewExchange("ex-crossed-2", "a", at(8).Add(300*time.Millisecond))
	poll.Method, poll.TaskID = "tasks/get", "st-crossed"
	s.StartExchange(poll)
	s.FinishExchange(&recorder.ExchangeEnd{ExchangeID: poll.ID, Status: http.StatusOK, ContentType: "application/json",
		EndedAt: at(8).Add(400 * time.Millisecond), Outcome: recorder.OutcomeCompleted})
	end := Finish("ex-crossed-1", at(8).Add(2*time.Second), 2)
	end.Outcome = recorder.OutcomeUpstreamError
	s.FinishExchange(end)
	Flush(t, s)
}

func statusOf(t recorder.TaskSummary) taskStatusWant {
	return taskStatusWant{t.Open, t.LastOutcome, t.Status, t.InterruptedReason}
}

// testTaskStatus pins the derived status every read returns: open while an
// exchange of the task is open; lastOutcome from the exchange that ended
// last; interrupted, with the reason, for a task in no terminal or waiting
// state whose streams all ended abnormally; the recorded state untouched.
func testTaskStatus(t *testing.T, h *rig) {
	s := h.openStore(t, recorder.Options{})
	recordStatusScenario(t, s)
	ctx := context.Background()

	page, err := s.ListTasks(ctx, recorder.TaskFilter{})
	if err != nil {
		t.Fatal(err)
	}
	listed := map[string]recorder.TaskSummary{}
	for _, task := range page.Tasks {
		listed[task.TaskID] = task
	}
	for _, tc := range statusScenario {
		if got := statusOf(listed[tc.taskID]); got != tc.want {
			t.Errorf("ListTasks %s: (open, lastOutcome, status, reason) = %+v, want %+v", tc.taskID, got, tc.want)
		}
		detail, err := s.GetTask(ctx, tc.taskID)
		if err != nil {
			t.Fatal(err)
		}
		if detail.Task != listed[tc.taskID] {
			t.Errorf("GetTask %s = %+v, want what ListTasks says: %+v", tc.taskID, detail.Task, listed[tc.taskID])
		}
	}
	if got := listed["st-died"].State; got != "working" {
		t.Errorf("state of st-died = %q, want the recorded working", got)
	}
	c, err := s.GetContext(ctx, "ctx-st")
	if err != nil {
		t.Fatal(err)
	}
	for _, task := range c.Tasks {
		if task != listed[task.TaskID] {
			t.Errorf("GetContext %s = %+v, want what ListTasks says: %+v", task.TaskID, task, listed[task.TaskID])
		}
	}
}

// testListTasksStatusFilters pins the outcome, open and status filters:
// each selects exactly the tasks whose derived fields match, newest first,
// and pages along with the cursor.
func testListTasksStatusFilters(t *testing.T, h *rig) {
	s := h.openStore(t, recorder.Options{})
	recordStatusScenario(t, s)
	ctx := context.Background()
	yes, no := true, false

	matching := func(keep func(taskStatusWant) bool) []string {
		ids := []string{}
		for _, tc := range statusScenario {
			if keep(tc.want) {
				ids = append(ids, tc.taskID)
			}
		}
		return ids
	}
	for _, tc := range []struct {
		name   string
		filter recorder.TaskFilter
		want   []string
	}{
		{"outcome upstream_error", recorder.TaskFilter{Outcome: recorder.OutcomeUpstreamError}, []string{"st-crossed", "st-resumed", "st-died"}},
		{"outcome completed", recorder.TaskFilter{Outcome: recorder.OutcomeCompleted}, []string{"st-unary", "st-done"}},
		{"outcome unknown", recorder.TaskFilter{Outcome: "nonsense"}, []string{}},
		{"open", recorder.TaskFilter{Open: &yes}, []string{"st-resumed", "st-open"}},
		{"not open", recorder.TaskFilter{Open: &no}, matching(func(w taskStatusWant) bool { return !w.open })},
		{"interrupted", recorder.TaskFilter{Status: recorder.StatusInterrupted}, []string{"st-crossed", "st-timeout", "st-left", "st-died"}},
		{"status working", recorder.TaskFilter{Status: "working"}, []string{"st-unary", "st-resumed", "st-open"}},
		{"state working", recorder.TaskFilter{State: "working"}, []string{"st-crossed", "st-unary", "st-resumed", "st-open", "st-left", "st-died"}},
		{"status input-required", recorder.TaskFilter{Status: "input-required"}, []string{"st-waiting"}},
		{"status completed", recorder.TaskFilter{Status: "completed"}, []string{"st-done"}},
		{"client left and ended", recorder.TaskFilter{Outcome: recorder.OutcomeClientClosed, Open: &no}, []string{"st-waiting", "st-left"}},
		{"interrupted and upstream_error", recorder.TaskFilter{Status: recorder.StatusInterrupted, Outcome: recorder.OutcomeUpstreamError}, []string{"st-crossed", "st-died"}},
		{"interrupted with a search", recorder.TaskFilter{Status: recorder.StatusInterrupted, Query: "st-l"}, []string{"st-left"}},
	} {
		t.Run(tc.name, func(t *testing.T) {
			page, err := s.ListTasks(ctx, tc.filter)
			if err != nil {
				t.Fatal(err)
			}
			got := []string{}
			for _, task := range page.Tasks {
				got = append(got, task.TaskID)
			}
			if !reflect.DeepEqual(got, tc.want) {
				t.Errorf("tasks = %v, want %v", got, tc.want)
			}
		})
	}

	// The backend's status filter and TaskStatus agree, page after page.
	all, err := s.ListTasks(ctx, recorder.TaskFilter{})
	if err != nil {
		t.Fatal(err)
	}
	for _, status := range []string{recorder.StatusInterrupted, "working", "submitted", "input-required", "completed"} {
		var want []string
		for _, task := range all.Tasks {
			if task.Status == status {
				want = append(want, task.TaskID)
			}
		}
		var got []string
		cursor := ""
		for range len(all.Tasks) + 1 {
			page, err := s.ListTasks(ctx, recorder.TaskFilter{Status: status, Limit: 1, Cursor: cursor})
			if err != nil {
				t.Fatal(err)
			}
			for _, task := range page.Tasks {
				if task.Status != status {
					t.Errorf("status=%s listed %s, whose status is %s", status, task.TaskID, task.Status)
				}
				got = append(got, task.TaskID)
			}
			if cursor = page.NextCursor; cursor == "" {
				break
			}
		}
		if !slices.Equal(got, want) {
			t.Errorf("status=%s over pages of 1 = %v, want %v", status, got, want)
		}
	}
}

// testCrashLeavesTaskInterrupted pins that a task whose stream a crash left
// open reads as interrupted, "proxy crashed", once the next start has
// closed that exchange; before, while it is open, as still working.
func testCrashLeavesTaskInterrupted(t *testing.T, h *rig) {
	s := h.openStore(t, recorder.Options{})
	ex := NewExchange("ex-crash", "a", T0)
	s.StartExchange(ex)
	s.RecordEvent(StatusEvent(ex, 0, "task-crash", "ctx", "working", ""))
	Flush(t, s)
	before, err := s.GetTask(context.Background(), "task-crash")
	if err != nil {
		t.Fatal(err)
	}
	if got, want := statusOf(before.Task), (taskStatusWant{true, "", "working", ""}); got != want {
		t.Errorf("before the crash: %+v, want %+v", got, want)
	}
	if err := s.Close(); err != nil {
		t.Fatal(err)
	}
	s = h.reopen(t, s, recorder.Options{})
	after, err := s.GetTask(context.Background(), "task-crash")
	if err != nil {
		t.Fatal(err)
	}
	want := taskStatusWant{false, recorder.OutcomeInterrupted, recorder.StatusInterrupted, "proxy crashed"}
	if got := statusOf(after.Task); got != want {
		t.Errorf("after the restart: %+v, want %+v", got, want)
	}
	page, err := s.ListTasks(context.Background(), recorder.TaskFilter{Status: recorder.StatusInterrupted})
	if err != nil {
		t.Fatal(err)
	}
	if len(page.Tasks) != 1 || page.Tasks[0].TaskID != "task-crash" {
		t.Errorf("status=interrupted after the restart = %v, want task-crash", fmt.Sprint(page.Tasks))
	}
}
