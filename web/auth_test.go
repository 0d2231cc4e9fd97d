package web_test

import (
	"net/http"
	"net/http/httptest"
	"net/url"
	"strings"
	"testing"
)

const token = "s3cret"

// noRedirects is a client that shows redirects instead of following them.
func noRedirects(srv *httptest.Server) *http.Client {
	c := *srv.Client()
	c.CheckRedirect = func(*http.Request, []*http.Request) error { return http.ErrUseLastResponse }
	return &c
}

// logIn posts the login form and returns the answer.
func logIn(t *testing.T, srv *httptest.Server, form url.Values, header ...string) *http.Response {
	t.Helper()
	req, _ := http.NewRequest(http.MethodPost, srv.URL+"/login", strings.NewReader(form.Encode()))
	req.Header.Set("Content-Type", "application/x-www-form-urlencoded")
	for i := 0; i+1 < len(header); i += 2 {
		req.Header.Set(header[i], header[i+1])
	}
	resp, err := noRedirects(srv).Do(req)
	if err != nil {
		t.Fatal(err)
	}
	resp.Body.Close()
	return resp
}

func sessionCookie(t *testing.T, resp *http.Response) *http.Cookie {
	t.Helper()
	for _, c := range resp.Cookies() {
		if c.Name == "a2a_proxy_session" {
			return c
		}
	}
	t.Fatalf("no session cookie in %v", resp.Header["Set-Cookie"])
	return nil
}

func TestPagesRedirectToLogin(t *testing.T) {
	opts := uiOptions(t)
	opts.Token = token
	srv := newServer(t, opts)
	for _, path := range []string{"/", "/tasks/task-1", "/contexts/ctx-a", "/agents", "/?agent=alpha&q=x"} {
		resp, _ := fetch(t, noRedirects(srv), srv.URL+path)
		want := "/login?next=" + url.QueryEscape(path)
		if resp.StatusCode != http.StatusSeeOther || resp.Header.Get("Location") != want {
			t.Errorf("GET %s = %d to %q, want 303 to %q", path, resp.StatusCode, resp.Header.Get("Location"), want)
		}
	}
	resp, body := fetch(t, noRedirects(srv), srv.URL+"/login?next=%2Fagents")
	if resp.StatusCode != http.StatusOK || !strings.Contains(body, `name="next" value="/agents"`) || !strings.Contains(body, `type="password"`) {
		t.Errorf("GET /login = %d, want the form that leads to /agents:\n%s", resp.StatusCode, body)
	}
}

func TestLogin(t *testing.T) {
	opts := uiOptions(t)
	opts.Token = token
	srv := newServer(t, opts)

	if resp := logIn(t, srv, url.Values{"token": {"wrong"}, "next": {"/agents"}}); resp.StatusCode != http.StatusUnauthorized || len(resp.Cookies()) != 0 {
		t.Errorf("wrong token: %d with cookies %v, want 401 and none", resp.StatusCode, resp.Cookies())
	}
	resp := logIn(t, srv, url.Values{"token": {token}, "next": {"/agents"}})
	if resp.StatusCode != http.StatusSeeOther || resp.Header.Get("Location") != "/agents" {
		t.Fatalf("right token: %d to %q, want 303 to /agents", resp.StatusCode, resp.Header.Get("Location"))
	}
	cookie := sessionCookie(t, resp)
	if !cookie.HttpOnly || cookie.SameSite != http.SameSiteStrictMode || cookie.Path != "/" || strings.Contains(cookie.Value, token) {
		t.Errorf("session cookie %+v: want HttpOnly, SameSite=Strict, Path=/, not holding the token", cookie)
	}

	// The cookie opens the pages and the API.
	for _, path := range []string{"/", "/agents", "/api/tasks"} {
		req, _ := http.NewRequest(http.MethodGet, srv.URL+path, nil)
		req.AddCookie(cookie)
		got, err := noRedirects(srv).Do(req)
		if err != nil {
			t.Fatal(err)
		}
		got.Body.Close()
		if got.StatusCode != http.StatusOK {
			t.Errorf("GET %s with the session cookie = %d", path, got.StatusCode)
		}
	}

	req, _ := http.NewRequest(http.MethodPost, srv.URL+"/logout", nil)
	out, err := noRedirects(srv).Do(req)
	if err != nil {
		t.Fatal(err)
	}
	out.Body.Close()
	if cleared := sessionCookie(t, out); out.StatusCode != http.StatusSeeOther || cleared.MaxAge >= 0 || cleared.Value != "" {
		t.Errorf("logout = %d with cookie %+v, want 303 and the cookie removed", out.StatusCode, cleared)
	}
}

// A login link must not send the browser to another site afterwards.
func TestLoginStaysOnSite(t *testing.T) {
	opts := uiOptions(t)
	opts.Token = token
	srv := newServer(t, opts)
	for next, want := range map[string]string{
		"/tasks/x?y=1":          "/tasks/x?y=1",
		"":                      "/",
		"//evil.example/":       "/",
		"https://evil.example/": "/",
		`/\evil.example`:        "/",
		"/\r\nSet-Cookie: x=1":  "/",
		"javascript:alert(1)":   "/",
	} {
		resp := logIn(t, srv, url.Values{"token": {token}, "next": {next}})
		if got := resp.Header.Get("Location"); got != want {
			t.Errorf("next %q: redirected to %q, want %q", next, got, want)
		}
	}
}

// Logging in and out are refused from other sites (CSRF).
func TestLoginRefusesOtherSites(t *testing.T) {
	opts := uiOptions(t)
	opts.Token = token
	srv := newServer(t, opts)
	if resp := logIn(t, srv, url.Values{"token": {token}}, "Sec-Fetch-Site", "cross-site"); resp.StatusCode != http.StatusForbidden {
		t.Errorf("cross-site login = %d, want 403", resp.StatusCode)
	}
	if resp := logIn(t, srv, url.Values{"token": {token}}, "Origin", "http://evil.example"); resp.StatusCode != http.StatusForbidden {
		t.Errorf("login from another origin = %d, want 403", resp.StatusCode)
	}
	if resp := logIn(t, srv, url.Values{"token": {token}}, "Sec-Fetch-Site", "same-origin"); resp.StatusCode != http.StatusSeeOther {
		t.Errorf("same-origin login = %d, want 303", resp.StatusCode)
	}
}

func TestLoginWithoutToken(t *testing.T) {
	srv := newServer(t, uiOptions(t))
	resp, _ := fetch(t, noRedirects(srv), srv.URL+"/login?next=%2Fagents")
	if resp.StatusCode != http.StatusSeeOther || resp.Header.Get("Location") != "/agents" {
		t.Errorf("GET /login with no token set = %d to %q, want straight to /agents", resp.StatusCode, resp.Header.Get("Location"))
	}
}
