package main

import (
	"context"
	"net/http"
	"net/url"
	"testing"
	"time"

	"github.com/chromedp/chromedp"

	"github.com/a2aproxy/a2a-proxy/internal/browser"
	"github.com/a2aproxy/a2a-proxy/internal/nodepeer"
)

// The UI in a real Chromium, on recordings of the built-in agent and of an
// @a2a-js/sdk agent: the tasks page, a filter, a task with all its events
// and its artifact, a replay, the context and agents pages. Each page's
// screenshot is saved (see internal/browser.ScreenshotDir).
func TestUIBrowsesRecordings(t *testing.T) {
	nodepeer.Require(t)
	b := browser.Start(t)
	agentURL := nodepeer.StartServer(t, nodepeer.ServerOptions{StepDelay: 5 * time.Millisecond})
	s := startServer(t, func(c *ServeConfig) { c.Agents = []string{"js=" + agentURL} })

	builtinTask := streamMessage(t, s.DataURL()+"/agents/builtin/", "Process my data")
	res := nodepeer.RunClient(context.Background(), t, nodepeer.ClientOptions{URL: s.DataURL() + "/agents/js/", Text: "hello from the UI test"})
	if !res.Done {
		t.Fatalf("js client: %s", res.Err)
	}
	jsTask := res.SummarizeAll(t)[0].TaskID
	builtin := recordedTask(t, s, builtinTask)
	js := recordedTask(t, s, jsTask)

	tab := b.NewTab(t)
	t.Run("tasks page", func(t *testing.T) {
		tab.Do(t, chromedp.Navigate(s.AdminURL()+"/"))
		tab.WaitFor(t, `document.querySelectorAll('tr[data-task-id]').length === 2`)
		if got := eval[string](t, tab, `document.querySelector('tr[data-task-id]').dataset.taskId`); got != jsTask {
			t.Errorf("first row is task %s, want the newest, %s", got, jsTask)
		}
		tab.Screenshot(t, "tasks")
	})
	t.Run("filter", func(t *testing.T) {
		tab.Do(t,
			chromedp.SetValue(chromedp.CSS(`select[name="agent"]`), "builtin"),
			chromedp.Click(chromedp.CSS(`.filters button[type="submit"]`)),
		)
		tab.WaitFor(t, `location.search === '?agent=builtin'`)
		tab.WaitFor(t, `document.querySelectorAll('tr[data-task-id]').length === 1`)
		if got := eval[string](t, tab, `document.querySelector('tr[data-task-id]').dataset.taskId`); got != builtinTask {
			t.Errorf("filtered on agent builtin, the page lists %s, want %s", got, builtinTask)
		}
		tab.Screenshot(t, "tasks-filtered")
	})
	t.Run("task page", func(t *testing.T) {
		tab.Do(t, chromedp.Click(chromedp.CSS(`tr[data-task-id] a[href^="/tasks/"]`)))
		tab.WaitFor(t, `document.querySelector('.timeline') !== null`)
		if n := eval[int](t, tab, `document.querySelectorAll('.timeline li.event').length`); n != len(builtin.Events) {
			t.Errorf("timeline shows %d events, the recording has %d", n, len(builtin.Events))
		}
		artifact := eval[string](t, tab, `document.querySelector('.artifact').textContent`)
		if !contains(artifact, "processing_result", "Completed processing: 'Process my data'") {
			t.Errorf("artifact shows %q", artifact)
		}
		status := eval[string](t, tab, `document.querySelector('#event-2 .part-text').textContent`)
		if !contains(status, "Initializing") {
			t.Errorf("third event's status message shows %q", status)
		}
		tab.Do(t, chromedp.Click(chromedp.CSS(`#event-0-raw summary`)))
		raw := eval[string](t, tab, `document.querySelector('#event-0-json').textContent`)
		if !contains(raw, `"jsonrpc": "2.0"`, builtinTask) {
			t.Errorf("first event's raw JSON shows %q", raw)
		}
		tab.Screenshot(t, "task")
	})
	t.Run("replay", func(t *testing.T) {
		if !hasReplayRoute(t, s, builtinTask) {
			t.Skip("GET /api/tasks/{id}/replay is not served yet")
		}
		tab.Do(t,
			chromedp.Click(chromedp.CSS(`input[name="speed"][value="0"]`)),
			chromedp.Click(chromedp.CSS(`button[data-replay="play"]`)),
		)
		tab.WaitFor(t, `document.querySelector('.replay-status').textContent.startsWith('Replay finished')`)
		if n := eval[int](t, tab, `document.querySelectorAll('.timeline li.event.replayed').length`); n != len(builtin.Events) {
			t.Errorf("the replay showed %d events, want %d", n, len(builtin.Events))
		}
		tab.Screenshot(t, "task-replayed")
	})
	t.Run("js task and its context", func(t *testing.T) {
		tab.Do(t, chromedp.Navigate(s.AdminURL()+"/tasks/"+url.PathEscape(jsTask)))
		tab.WaitFor(t, `document.querySelector('.timeline') !== null`)
		if n := eval[int](t, tab, `document.querySelectorAll('.timeline li.event').length`); n != len(js.Events) {
			t.Errorf("timeline shows %d events, the recording has %d", n, len(js.Events))
		}
		if artifact := eval[string](t, tab, `document.querySelector('.artifact').textContent`); !contains(artifact, "processed: hello from the UI test") {
			t.Errorf("artifact shows %q", artifact)
		}
		tab.Screenshot(t, "task-js")
		tab.Do(t, chromedp.Click(chromedp.CSS(`.facts a[href^="/contexts/"]`)))
		tab.WaitFor(t, `location.pathname.startsWith('/contexts/')`)
		if got := eval[string](t, tab, `document.querySelector('tr[data-task-id]').dataset.taskId`); got != jsTask {
			t.Errorf("context page lists %s, want %s", got, jsTask)
		}
		tab.Screenshot(t, "context")
	})
	t.Run("agents page", func(t *testing.T) {
		tab.Do(t, chromedp.Navigate(s.AdminURL()+"/agents"))
		tab.WaitFor(t, `document.querySelectorAll('.agent').length === 2`)
		if n := eval[int](t, tab, `document.querySelectorAll('.agent .reachable').length`); n != 2 {
			t.Errorf("%d agents reachable, want 2", n)
		}
		card := eval[string](t, tab, `document.querySelector('#agent-0-json').textContent`)
		if !contains(card, s.DataURL()+"/agents/js") {
			t.Errorf("js agent's card does not point at the proxy: %s", card)
		}
		tab.Screenshot(t, "agents")
	})
	t.Run("dark theme", func(t *testing.T) {
		tab.PreferColorScheme(t, "dark")
		defer tab.PreferColorScheme(t, "light")
		tab.Do(t, chromedp.Navigate(s.AdminURL()+"/tasks/"+url.PathEscape(builtinTask)))
		tab.WaitFor(t, `getComputedStyle(document.body).backgroundColor === 'rgb(20, 23, 29)'`)
		tab.Screenshot(t, "task-dark")
	})
	assertNoProblems(t, tab)
}

func hasReplayRoute(t *testing.T, s *Server, taskID string) bool {
	t.Helper()
	ctx, cancel := context.WithTimeout(context.Background(), 10*time.Second)
	defer cancel()
	req, _ := http.NewRequestWithContext(ctx, http.MethodGet, s.AdminURL()+"/api/tasks/"+url.PathEscape(taskID)+"/replay?speed=0", nil)
	resp, err := http.DefaultClient.Do(req)
	if err != nil {
		t.Fatal(err)
	}
	resp.Body.Close()
	return resp.StatusCode != http.StatusNotFound
}

// Pages follow the recording as it happens: a new task appears on the tasks
// page, and a task's page shows its events as they arrive, without reloads.
func TestUIFollowsLiveTasks(t *testing.T) {
	b := browser.Start(t)
	s := startServer(t, func(c *ServeConfig) { c.BuiltinStepDelay = 400 * time.Millisecond })
	tab := b.NewTab(t)
	tab.Do(t, chromedp.Navigate(s.AdminURL()+"/"))
	tab.WaitFor(t, `document.getElementById('live-status').dataset.state === 'open'`)

	sent := make(chan error, 1)
	go func() {
		_, err := sendMessage(s.DataURL()+"/agents/builtin/", "watch me live")
		sent <- err
	}()
	tab.WaitFor(t, `document.querySelectorAll('tr[data-task-id]').length === 1`)
	taskID := eval[string](t, tab, `document.querySelector('tr[data-task-id]').dataset.taskId`)

	tab.Do(t, chromedp.Navigate(s.AdminURL()+"/tasks/"+url.PathEscape(taskID)))
	tab.WaitFor(t, `document.getElementById('live-status').dataset.state === 'open'`)
	if n := eval[int](t, tab, `document.querySelectorAll('.timeline li.event').length`); n >= 8 {
		t.Fatalf("the task page opened on a finished stream (%d events): nothing left to follow", n)
	}
	eval[bool](t, tab, `window.sameDocument = true`) // gone if the page reloads
	tab.WaitFor(t, `document.querySelector('.task-head .chip').textContent === 'completed'`)
	tab.WaitFor(t, `document.querySelectorAll('.timeline li.event').length === 8`)
	if !eval[bool](t, tab, `window.sameDocument === true`) {
		t.Error("the task page reloaded to show new events")
	}
	tab.WaitFor(t, `document.getElementById('live-status').textContent === 'Ended'`)
	if err := <-sent; err != nil {
		t.Fatal(err)
	}

	// Its replay at 2x holds still while paused, and goes on from there.
	if !hasReplayRoute(t, s, taskID) {
		t.Skip("GET /api/tasks/{id}/replay is not served yet")
	}
	replayed := `document.querySelectorAll('.timeline li.event.replayed').length`
	tab.Do(t,
		chromedp.Click(chromedp.CSS(`input[name="speed"][value="2"]`)),
		chromedp.Click(chromedp.CSS(`button[data-replay="play"]`)),
	)
	tab.WaitFor(t, replayed+` >= 3`)
	tab.Do(t, chromedp.Click(chromedp.CSS(`button[data-replay="pause"]`)))
	paused := eval[int](t, tab, replayed)
	time.Sleep(600 * time.Millisecond) // three steps at 2x
	if n := eval[int](t, tab, replayed); n != paused || n == 8 {
		t.Errorf("paused at %d events, %d shown 600ms later: want it held before the end", paused, n)
	}
	tab.Do(t, chromedp.Click(chromedp.CSS(`button[data-replay="play"]`)))
	tab.WaitFor(t, `document.querySelector('.replay-status').textContent.startsWith('Replay finished: 8 of 8')`)
	tab.Screenshot(t, "task-replay-2x")
	assertNoProblems(t, tab)
}
