package main

import (
	"encoding/json"
	"fmt"
	"io"
	"net/http"
	"net/http/httptest"
	"reflect"
	"strings"
	"testing"
	"time"

	"github.com/chromedp/chromedp"

	"github.com/a2aproxy/a2a-proxy/internal/browser"
	"github.com/a2aproxy/a2a-proxy/recorder"
)

// dyingAgent is an A2A v0.3 agent written for the test that dies mid-stream:
// it answers message/stream with the task (id "task-" + the message's text)
// and one working status, then cuts the connection, at once or, for the
// text "hang", once release is closed.
func dyingAgent(t *testing.T, release <-chan struct{}) string {
	t.Helper()
	srv := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		var req struct {
			Params struct {
				Message struct {
					Parts []struct{ Text string }
				}
			}
		}
		if err := json.NewDecoder(r.Body).Decode(&req); err != nil || len(req.Params.Message.Parts) == 0 {
			http.Error(w, "want a message/stream request", http.StatusBadRequest)
			return
		}
		text := req.Params.Message.Parts[0].Text
		taskID := "task-" + text
		w.Header().Set("Content-Type", "text/event-stream")
		fmt.Fprintf(w, "data: {\"jsonrpc\":\"2.0\",\"id\":1,\"result\":{\"kind\":\"task\",\"id\":%q,\"contextId\":\"ctx-dying\",\"status\":{\"state\":\"submitted\"}}}\n\n", taskID)
		fmt.Fprintf(w, "data: {\"jsonrpc\":\"2.0\",\"id\":1,\"result\":{\"kind\":\"status-update\",\"taskId\":%q,\"contextId\":\"ctx-dying\",\"status\":{\"state\":\"working\",\"message\":{\"kind\":\"message\",\"role\":\"agent\",\"messageId\":\"m1\",\"parts\":[{\"kind\":\"text\",\"text\":\"Crunching numbers\"}]}},\"final\":false}}\n\n", taskID)
		w.(http.Flusher).Flush()
		if text == "hang" {
			select {
			case <-release:
			case <-r.Context().Done():
			}
		}
		panic(http.ErrAbortHandler) // the agent dies: the connection is cut mid-stream
	}))
	t.Cleanup(srv.Close)
	return srv.URL
}

// streamUntilCut sends text with message/stream through the proxy and reads
// until the stream breaks; it reports whether the client saw the cut.
func streamUntilCut(baseURL, text string) error {
	body := fmt.Sprintf(`{"jsonrpc":"2.0","id":1,"method":"message/stream","params":{"message":{"kind":"message","role":"user","messageId":"m-%s","parts":[{"kind":"text","text":%q}]}}}`, text, text)
	resp, err := http.Post(baseURL, "application/json", strings.NewReader(body))
	if err != nil {
		return err
	}
	defer resp.Body.Close()
	if _, err := io.ReadAll(resp.Body); err == nil {
		return fmt.Errorf("the stream of %q ended cleanly, want it cut", text)
	}
	return nil
}

// TestUIShowsInterruptedTasks pins the true status of a task whose agent
// died mid-stream, in Chromium: the tasks list shows it interrupted with
// the reason and without the live dot, which only a task still streaming
// has; the outcome and open filters of the form find it; its page says why
// it stopped and does not show Live. The CLI's table says the same, and
// `tasks --json` is the API's document. Screenshots are saved.
func TestUIShowsInterruptedTasks(t *testing.T) {
	b := browser.Start(t)
	release := make(chan struct{})
	s := startServer(t, func(c *ServeConfig) { c.Agents = []string{"dying=" + dyingAgent(t, release)} })
	base := s.DataURL() + "/agents/dying/"
	if err := streamUntilCut(base, "died"); err != nil {
		t.Fatal(err)
	}
	hung := make(chan error, 1)
	go func() { hung <- streamUntilCut(base, "hang") }()
	recordedTask(t, s, "task-died")
	waitRecorded(t, s, "task-hang")

	tab := b.NewTab(t)
	t.Run("tasks page", func(t *testing.T) {
		tab.Do(t, chromedp.Navigate(s.AdminURL()+"/"))
		tab.WaitFor(t, `document.querySelectorAll('tr[data-task-id]').length === 2`)
		died := `document.querySelector('tr[data-task-id="task-died"]')`
		if got := eval[string](t, tab, died+`.querySelector('.chip').textContent`); got != "interrupted: agent died" {
			t.Errorf("task-died's status chip = %q, want interrupted: agent died", got)
		}
		if eval[bool](t, tab, died+`.querySelector('.live-dot') !== null`) {
			t.Error("task-died's row has the live dot")
		}
		hang := `document.querySelector('tr[data-task-id="task-hang"]')`
		if got := eval[string](t, tab, hang+`.querySelector('.chip').textContent`); got != "working" ||
			!eval[bool](t, tab, hang+`.querySelector('.live-dot') !== null`) {
			t.Errorf("task-hang's status chip = %q, want working with the live dot", got)
		}
		tab.Screenshot(t, "tasks-interrupted")
	})
	t.Run("filters", func(t *testing.T) {
		tab.Do(t,
			chromedp.SetValue(chromedp.CSS(`select[name="outcome"]`), "upstream_error"),
			chromedp.SetValue(chromedp.CSS(`select[name="open"]`), "false"),
			chromedp.Click(chromedp.CSS(`.filters button[type="submit"]`)),
		)
		tab.WaitFor(t, `location.search === '?outcome=upstream_error&open=false'`)
		tab.WaitFor(t, `document.querySelectorAll('tr[data-task-id]').length === 1`)
		if got := eval[string](t, tab, `document.querySelector('tr[data-task-id]').dataset.taskId`); got != "task-died" {
			t.Errorf("filtered on outcome upstream_error, not open: the page lists %s, want task-died", got)
		}
		tab.Screenshot(t, "tasks-filtered-interrupted")
	})
	t.Run("task page", func(t *testing.T) {
		tab.Do(t, chromedp.Navigate(s.AdminURL()+"/tasks/task-died"))
		tab.WaitFor(t, `document.querySelector('.timeline') !== null`)
		if got := eval[string](t, tab, `document.querySelector('.task-head h1 .chip').textContent`); got != "interrupted: agent died" {
			t.Errorf("status chip = %q, want interrupted: agent died", got)
		}
		note := eval[string](t, tab, `document.querySelector('.task-head .interrupted').textContent`)
		if !contains(note, "agent died", "working", "upstream_error") {
			t.Errorf("interruption note = %q", note)
		}
		if !eval[bool](t, tab, `document.getElementById('live-status').hidden && document.querySelector('[data-live-url]').dataset.liveUrl === ''`) {
			t.Error("the page of an interrupted task follows the live feed or shows Live")
		}
		tab.Screenshot(t, "task-interrupted")
	})
	t.Run("live task page ends", func(t *testing.T) {
		// Live while the stream is open; once the agent dies, the page
		// learns it without a reload (no event tells of an exchange's end).
		tab.Do(t, chromedp.Navigate(s.AdminURL()+"/tasks/task-hang"))
		tab.WaitFor(t, `document.getElementById('live-status').dataset.state === 'open'`)
		if got := eval[string](t, tab, `document.querySelector('.task-head h1 .chip').textContent`); got != "working" {
			t.Errorf("status chip of the open task = %q, want working", got)
		}
		eval[bool](t, tab, `window.sameDocument = true`)
		close(release)
		if err := <-hung; err != nil {
			t.Fatal(err)
		}
		tab.WaitFor(t, `document.getElementById('live-status').textContent === 'Ended'`)
		if got := eval[string](t, tab, `document.querySelector('.task-head h1 .chip').textContent`); got != "interrupted: agent died" {
			t.Errorf("status chip after the agent died = %q, want interrupted: agent died", got)
		}
		if !eval[bool](t, tab, `window.sameDocument === true`) {
			t.Error("the task page reloaded")
		}
		tab.Screenshot(t, "task-interrupted-live")
	})
	assertNoProblems(t, tab)
	recordedTask(t, s, "task-hang")
	t.Run("cli", func(t *testing.T) {
		code, stdout, stderr := runCLI(t, "tasks", "--db", s.Config.DB, "--outcome", "upstream_error", "--open=false")
		if code != 0 || !strings.Contains(stdout, "STATUS") || strings.Count(stdout, "interrupted: agent died") != 2 {
			t.Errorf("tasks --outcome upstream_error --open=false: exit %d\n%s%s\nwant both tasks interrupted: agent died", code, stdout, stderr)
		}
		code, stdout, stderr = runCLI(t, "tasks", "--json", "--db", s.Config.DB, "--status", "interrupted")
		if code != 0 {
			t.Fatalf("tasks --json --status interrupted: exit %d: %s", code, stderr)
		}
		var cli, api any
		if err := json.Unmarshal([]byte(stdout), &cli); err != nil {
			t.Fatal(err)
		}
		getJSON(t, s.AdminURL()+"/api/tasks?status=interrupted", &api)
		if !reflect.DeepEqual(cli, api) {
			t.Errorf("tasks --json = %s\nwant GET /api/tasks?status=interrupted's document: %v", stdout, api)
		}
	})
}

// waitRecorded polls the API until it lists taskID as open with both its
// events, with a deadline.
func waitRecorded(t *testing.T, s *Server, taskID string) {
	t.Helper()
	deadline := time.Now().Add(30 * time.Second)
	for {
		var page recorder.TaskPage
		getJSON(t, s.AdminURL()+"/api/tasks?open=true", &page)
		for _, task := range page.Tasks {
			if task.TaskID == taskID && task.EventCount == 2 {
				return
			}
		}
		if time.Now().After(deadline) {
			t.Fatalf("task %s was not recorded as open: %+v", taskID, page.Tasks)
		}
		time.Sleep(20 * time.Millisecond) // polling a condition, with a deadline
	}
}
