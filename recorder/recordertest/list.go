package recordertest

import (
	"context"
	"errors"
	"fmt"
	"reflect"
	"testing"
	"time"

	"github.com/a2aproxy/a2a-proxy/recorder"
)

func testListTasksPagesCoverAllOnce(t *testing.T, h *rig) {
	s := h.openStore(t, recorder.Options{})
	const tasks = 53
	for i := range tasks {
		// Pairs of tasks start together, so the tiebreak on task id matters.
		start := T0.Add(time.Duration(i/2) * time.Second)
		RecordTask(t, s, fmt.Sprintf("ex-%02d", i), "a", fmt.Sprintf("task-%02d", i), "ctx", start, "completed")
	}
	Flush(t, s)

	for _, limit := range []int{1, 7, 53, 100} {
		t.Run(fmt.Sprintf("limit=%d", limit), func(t *testing.T) {
			var got []string
			cursor := ""
			for pages := 0; ; pages++ {
				if pages > tasks {
					t.Fatal("paging does not end")
				}
				page, err := s.ListTasks(context.Background(), recorder.TaskFilter{Limit: limit, Cursor: cursor})
				if err != nil {
					t.Fatalf("list tasks: %v", err)
				}
				if len(page.Tasks) > limit {
					t.Fatalf("page of %d tasks, limit %d", len(page.Tasks), limit)
				}
				for _, task := range page.Tasks {
					got = append(got, task.TaskID)
				}
				if page.NextCursor == "" {
					break
				}
				cursor = page.NextCursor
			}
			var want []string
			for i := tasks - 1; i >= 0; i-- {
				want = append(want, fmt.Sprintf("task-%02d", i))
			}
			if !reflect.DeepEqual(got, want) {
				t.Errorf("tasks over all pages =\n%v\nwant newest first, each once:\n%v", got, want)
			}
		})
	}
}

func testListTasksFilters(t *testing.T, h *rig) {
	s := h.openStore(t, recorder.Options{})
	RecordTask(t, s, "ex-1", "alpha", "task-1", "ctx-1", T0, "completed")
	RecordTask(t, s, "ex-2", "alpha", "task-2", "ctx-2", T0.Add(time.Second), "working")
	RecordTask(t, s, "ex-3", "beta", "task-3", "ctx-1", T0.Add(2*time.Second), "completed")

	// A payload with LIKE's wildcards in it, and a request body to search.
	ex := NewExchange("ex-4", "beta", T0.Add(3*time.Second))
	ex.RequestBody = []byte(`{"params":{"message":{"parts":[{"text":"Tell me a JOKE"}]}}}`)
	s.StartExchange(ex)
	s.RecordEvent(StatusEvent(ex, 0, "task-4", "ctx-4", "working", "100% sure_thing"))
	s.FinishExchange(Finish(ex.ID, T0.Add(4*time.Second), 1))
	Flush(t, s)

	for _, tc := range []struct {
		name   string
		filter recorder.TaskFilter
		want   []string
	}{
		{"all", recorder.TaskFilter{}, []string{"task-4", "task-3", "task-2", "task-1"}},
		{"agent", recorder.TaskFilter{Agent: "alpha"}, []string{"task-2", "task-1"}},
		{"state", recorder.TaskFilter{State: "completed"}, []string{"task-3", "task-1"}},
		{"context", recorder.TaskFilter{ContextID: "ctx-1"}, []string{"task-3", "task-1"}},
		{"agent and state", recorder.TaskFilter{Agent: "beta", State: "completed"}, []string{"task-3"}},
		{"no match", recorder.TaskFilter{Agent: "gamma"}, []string{}},
		{"q task id", recorder.TaskFilter{Query: "sk-2"}, []string{"task-2"}},
		{"q context id", recorder.TaskFilter{Query: "ctx-2"}, []string{"task-2"}},
		{"q event payload", recorder.TaskFilter{Query: "now working"}, []string{"task-2"}},
		{"q ignores ASCII case", recorder.TaskFilter{Query: "NOW WORKING"}, []string{"task-2"}},
		{"q request body", recorder.TaskFilter{Query: "joke"}, []string{"task-4"}},
		{"q percent is literal", recorder.TaskFilter{Query: "100%"}, []string{"task-4"}},
		{"q percent does not match anything", recorder.TaskFilter{Query: "%completed"}, []string{}},
		{"q underscore is literal", recorder.TaskFilter{Query: "sure_thing"}, []string{"task-4"}},
		{"q underscore matches no other char", recorder.TaskFilter{Query: "task_1"}, []string{}},
		{"q with agent", recorder.TaskFilter{Query: "now completed", Agent: "beta"}, []string{"task-3"}},
	} {
		t.Run(tc.name, func(t *testing.T) {
			page, err := s.ListTasks(context.Background(), tc.filter)
			if err != nil {
				t.Fatalf("list tasks: %v", err)
			}
			got := []string{}
			for _, task := range page.Tasks {
				got = append(got, task.TaskID)
			}
			if !reflect.DeepEqual(got, tc.want) {
				t.Errorf("tasks = %v, want %v", got, tc.want)
			}
			if page.NextCursor != "" {
				t.Errorf("next cursor = %q on the only page", page.NextCursor)
			}
		})
	}
}

func testListTasksRejectsBadFilters(t *testing.T, h *rig) {
	s := h.openStore(t, recorder.Options{})
	for _, f := range []recorder.TaskFilter{
		{Limit: -1},
		{Cursor: "not base64!"},
		{Cursor: "bm8gc2xhc2g"},    // "no slash"
		{Cursor: "eHl6L3Rhc2stMQ"}, // "xyz/task-1"
	} {
		if _, err := s.ListTasks(context.Background(), f); !errors.Is(err, recorder.ErrInvalidFilter) {
			t.Errorf("ListTasks(%+v) error = %v, want ErrInvalidFilter", f, err)
		}
	}
}

func testListTasksLimits(t *testing.T, h *rig) {
	s := h.openStore(t, recorder.Options{})
	for i := range 501 {
		RecordTask(t, s, fmt.Sprintf("ex-%d", i), "a", fmt.Sprintf("task-%d", i), "ctx", T0.Add(time.Duration(i)), "completed")
	}
	Flush(t, s)
	for _, tc := range []struct{ limit, want int }{{0, 50}, {500, 500}, {501, 500}, {10000, 500}} {
		page, err := s.ListTasks(context.Background(), recorder.TaskFilter{Limit: tc.limit})
		if err != nil {
			t.Fatalf("list tasks: %v", err)
		}
		if len(page.Tasks) != tc.want || page.NextCursor == "" {
			t.Errorf("limit %d: %d tasks (next %q), want %d and a next page", tc.limit, len(page.Tasks), page.NextCursor, tc.want)
		}
	}
}
