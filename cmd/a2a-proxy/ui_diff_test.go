package main

import (
	"net/url"
	"testing"

	"github.com/chromedp/chromedp"

	"github.com/a2aproxy/a2a-proxy/internal/browser"
)

// The diff page in a real Chromium: "Compare with..." on a built-in agent
// task's page opens the side-by-side diff with another run, which shows the
// changed path (the artifact's text) with both "Processed at" values; adding
// the ignore path in the page's form makes the runs equal. No CSP violation
// or script error on the way. Screenshots: diff, diff-ignored.
func TestUIDiffPage(t *testing.T) {
	b := browser.Start(t)
	s := startServer(t)
	a := streamMessage(t, s.DataURL()+"/agents/builtin/", "Process my data")
	bID := streamMessage(t, s.DataURL()+"/agents/builtin/", "Process my data")
	flushed(t, s)

	tab := b.NewTab(t)
	tab.Do(t, chromedp.Navigate(s.AdminURL()+"/tasks/"+url.PathEscape(a)))
	tab.WaitFor(t, `document.querySelector('form.compare') !== null`)
	tab.Do(t,
		chromedp.SetValue(chromedp.CSS(`form.compare input[name="b"]`), bID),
		chromedp.Click(chromedp.CSS(`form.compare button[type="submit"]`)),
	)
	tab.WaitFor(t, `location.pathname === '/diff' && document.querySelector('.diff-table') !== null`)
	if got := eval[string](t, tab, `new URLSearchParams(location.search).get('a') + ' ' + new URLSearchParams(location.search).get('b')`); got != a+" "+bID {
		t.Errorf("the form opened the diff of %s, want %s %s", got, a, bID)
	}
	if got := eval[string](t, tab, `document.querySelector('.diff-path').textContent`); got != "$.result.artifact.parts[0].text" {
		t.Errorf("changed path shown: %q", got)
	}
	for _, sel := range []string{".diff-old", ".diff-new"} {
		v := eval[string](t, tab, `document.querySelector('`+sel+`').textContent`)
		if !contains(v, "Completed processing: 'Process my data'", "Processed at: ") {
			t.Errorf("%s shows %q", sel, v)
		}
	}
	if eval[string](t, tab, `document.querySelector('.diff-old').textContent`) == eval[string](t, tab, `document.querySelector('.diff-new').textContent`) {
		t.Error("old and new values are the same")
	}
	if n := eval[int](t, tab, `document.querySelectorAll('tr.diff-row.diff-changed').length`); n != 1 {
		t.Errorf("%d changed rows, want 1", n)
	}
	if n := eval[int](t, tab, `document.querySelectorAll('tr.diff-row').length`); n != 8 {
		t.Errorf("%d rows, want one per aligned event (8)", n)
	}
	if !eval[bool](t, tab, `document.querySelector('.diff-new').getBoundingClientRect().width > 0`) {
		t.Error("the new value is not visible")
	}
	tab.Screenshot(t, "diff")

	tab.Do(t,
		chromedp.SetValue(chromedp.CSS(`textarea[name="ignore"]`), "$..artifact.parts[*].text"),
		chromedp.Click(chromedp.CSS(`.diff-form button[type="submit"]`)),
	)
	tab.WaitFor(t, `document.querySelector('.diff-summary') !== null && document.querySelector('.diff-summary').dataset.equal === 'true'`)
	if n := eval[int](t, tab, `document.querySelectorAll('tr.diff-row.diff-same').length`); n != 8 {
		t.Errorf("%d same rows with the ignore path, want 8", n)
	}
	tab.Screenshot(t, "diff-ignored")
	assertNoProblems(t, tab)
}
