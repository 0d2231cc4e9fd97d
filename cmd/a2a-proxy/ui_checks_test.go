package main

import (
	"net/http/httptest"
	"testing"

	"github.com/chromedp/chromedp"

	"github.com/a2aproxy/a2a-proxy/internal/browser"
)

// The conformance badges in a real Chromium: the task list marks the
// misbehaving agent's tasks with their error count and not the built-in
// agent's; the Checks filter keeps only the failed ones; the task page
// marks each offending event with its rule and lists the findings with the
// rule's text and a link to the spec section. No CSP violation or script
// error on the way. Screenshots: checks-list, checks-task.
func TestUIChecksBadges(t *testing.T) {
	b := browser.Start(t)
	upstream := httptest.NewServer(badAgent{})
	defer upstream.Close()
	s := startServer(t, func(c *ServeConfig) { c.Agents = []string{"bad=" + upstream.URL} })
	postRPC(t, s.DataURL()+"/agents/bad/", "message/stream")
	good := streamMessage(t, s.DataURL()+"/agents/builtin/", "Process my data")
	checksDone(t, s, 2)

	tab := b.NewTab(t)
	tab.Do(t, chromedp.Navigate(s.AdminURL()+"/"))
	tab.WaitFor(t, `document.querySelector('tr[data-task-id="bad-stream"]') !== null`)
	if got := eval[string](t, tab, `document.querySelector('tr[data-task-id="bad-stream"] a.chip.check-error').textContent`); got != "2 errors" {
		t.Errorf("badge of bad-stream = %q, want \"2 errors\"", got)
	}
	if n := eval[int](t, tab, `document.querySelectorAll('tr[data-task-id="`+good+`"] .chip[class*="check-"]').length`); n != 0 {
		t.Errorf("the built-in agent's task has %d check badges, want none", n)
	}
	tab.Screenshot(t, "checks-list")

	tab.Do(t,
		chromedp.SetValue(chromedp.CSS(`select[name="checks"]`), "failed"),
		chromedp.Click(chromedp.CSS(`.filters button[type="submit"]`)),
	)
	tab.WaitFor(t, `new URLSearchParams(location.search).get('checks') === 'failed'`)
	if got := eval[string](t, tab, `[...document.querySelectorAll('tr[data-task-id]')].map(r => r.dataset.taskId).join(' ')`); got != "bad-stream" {
		t.Errorf("checks=failed lists %q, want bad-stream alone", got)
	}

	tab.Do(t, chromedp.Click(chromedp.CSS(`tr[data-task-id="bad-stream"] a.chip.check-error`)))
	tab.WaitFor(t, `document.querySelector('#checks') !== null`)
	rules := eval[string](t, tab, `[...document.querySelectorAll('.event .tags .chip.check-error')].map(c => c.textContent).join(' ')`)
	if rules != "stream.final-flag stream.after-terminal" {
		t.Errorf("event badges %q, want stream.final-flag on the completed update, stream.after-terminal on the artifact", rules)
	}
	href := eval[string](t, tab, `document.querySelector('#checks .finding[data-rule="stream.final-flag"] a[href^="https://"]').href`)
	if href != "https://a2a-protocol.org/v0.3.0/specification/#722-taskstatusupdateevent-object" {
		t.Errorf("spec link %q", href)
	}
	if !eval[bool](t, tab, `document.querySelector('#checks .finding').textContent.includes('final')`) {
		t.Error("the finding does not show the rule's text")
	}
	tab.Screenshot(t, "checks-task")
	assertNoProblems(t, tab)
}
