package main

import (
	"encoding/json"
	"net/http"
	"strings"
	"testing"

	"github.com/chromedp/chromedp"

	"github.com/a2aproxy/a2a-proxy/internal/browser"
)

const adminToken = "s3cret-admin-token"

// With --admin-token, the pages send browsers without it to a login form,
// and the API and live feed refuse requests without it.
func TestUIAdminTokenOverHTTP(t *testing.T) {
	s := startServer(t, func(c *ServeConfig) { c.AdminToken = adminToken })
	noRedirects := &http.Client{CheckRedirect: func(*http.Request, []*http.Request) error { return http.ErrUseLastResponse }}
	do := func(method, path, header, value string) *http.Response {
		t.Helper()
		req, _ := http.NewRequest(method, s.AdminURL()+path, nil)
		if header != "" {
			req.Header.Set(header, value)
		}
		resp, err := noRedirects.Do(req)
		if err != nil {
			t.Fatal(err)
		}
		resp.Body.Close()
		return resp
	}

	for _, path := range []string{"/", "/tasks/x", "/contexts/x", "/agents", "/?agent=builtin"} {
		resp := do(http.MethodGet, path, "", "")
		if loc := resp.Header.Get("Location"); resp.StatusCode != http.StatusSeeOther || !strings.HasPrefix(loc, "/login?next=") {
			t.Errorf("GET %s without the token = %d to %q, want 303 to the login form", path, resp.StatusCode, loc)
		}
		if resp := do(http.MethodGet, path, "Authorization", "Bearer "+adminToken); resp.StatusCode == http.StatusSeeOther || resp.StatusCode == http.StatusUnauthorized {
			t.Errorf("GET %s with the token = %d", path, resp.StatusCode)
		}
	}
	for _, path := range []string{"/api/tasks", "/api/tasks/x", "/api/contexts/x", "/api/live", "/metrics"} {
		for _, credentials := range [][2]string{{"", ""}, {"Authorization", "Bearer wrong"}, {"Cookie", "a2a_proxy_session=forged"}} {
			if resp := do(http.MethodGet, path, credentials[0], credentials[1]); resp.StatusCode != http.StatusUnauthorized {
				t.Errorf("GET %s with %q = %d, want 401", path, credentials, resp.StatusCode)
			}
		}
	}
	if resp := do(http.MethodGet, "/api/tasks", "Authorization", "Bearer "+adminToken); resp.StatusCode != http.StatusOK {
		t.Errorf("GET /api/tasks with the token = %d, want 200", resp.StatusCode)
	}
	if resp := do(http.MethodPost, "/logout", "Sec-Fetch-Site", "cross-site"); resp.StatusCode != http.StatusForbidden {
		t.Errorf("cross-site POST /logout = %d, want 403", resp.StatusCode)
	}
	if resp := do(http.MethodGet, "/static/app.css", "", ""); resp.StatusCode != http.StatusOK {
		t.Errorf("GET /static/app.css = %d: the login form needs its styles", resp.StatusCode)
	}
}

// In a browser: log in with the form, browse with the cookie (the live
// feed too), log out.
func TestUIAdminTokenLogin(t *testing.T) {
	b := browser.Start(t)
	s := startServer(t, func(c *ServeConfig) { c.AdminToken = adminToken })
	tab := b.NewTab(t)

	tab.Do(t, chromedp.Navigate(s.AdminURL()+"/agents"))
	tab.WaitFor(t, `location.pathname === '/login'`)
	tab.Screenshot(t, "login")

	logIn := func(token string) {
		tab.Do(t,
			chromedp.WaitVisible(chromedp.CSS(`#token`)),
			chromedp.SetValue(chromedp.CSS(`#token`), token),
			chromedp.Click(chromedp.CSS(`.login button[type="submit"]`)),
		)
	}
	logIn("not the token")
	tab.WaitFor(t, `document.getElementById('token-error') !== null`)
	logIn(adminToken)
	tab.WaitFor(t, `location.pathname === '/agents'`) // back where the visitor was going
	if cookies := eval[string](t, tab, `document.cookie`); cookies != "" {
		t.Errorf("scripts can read the session cookie: %q", cookies)
	}

	tab.Do(t, chromedp.Navigate(s.AdminURL()+"/"))
	tab.WaitFor(t, `document.getElementById('live-status').dataset.state === 'open'`)
	var page struct{ Tasks []any }
	body := browser.Get(t, tab, chromedp.Evaluate[string](`fetch('/api/tasks').then((r) => r.text())`, chromedp.EvalAwaitPromise))
	if err := json.Unmarshal([]byte(body), &page); err != nil || page.Tasks == nil {
		t.Errorf("the API refuses the logged-in browser: %s", body)
	}

	tab.Do(t, chromedp.Click(chromedp.CSS(`.logout button`)))
	tab.WaitFor(t, `location.pathname === '/login'`)
	tab.Do(t, chromedp.Navigate(s.AdminURL()+"/"))
	tab.WaitFor(t, `location.pathname === '/login'`)
	assertNoProblems(t, tab, "status of 401 (Unauthorized) ("+s.AdminURL()+"/login:") // the wrong token
}
