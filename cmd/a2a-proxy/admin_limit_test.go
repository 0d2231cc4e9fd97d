package main

import (
	"net/http"
	"net/url"
	"strings"
	"testing"
)

// Against the real server: after 10 wrong tokens (login form and bearer
// alike) an address gets 429 with Retry-After, the right bearer token too,
// while the session it logged in with before keeps working; logging out
// revokes that session, so a copy of its cookie is refused afterwards.
func TestAdminTokenGuessingLimited(t *testing.T) {
	s := startServer(t, func(c *ServeConfig) { c.AdminToken = adminToken })
	client := &http.Client{CheckRedirect: func(*http.Request, []*http.Request) error { return http.ErrUseLastResponse }}
	do := func(method, path, form string, header ...string) *http.Response {
		t.Helper()
		req, _ := http.NewRequest(method, s.AdminURL()+path, strings.NewReader(form))
		if form != "" {
			req.Header.Set("Content-Type", "application/x-www-form-urlencoded")
		}
		for i := 0; i+1 < len(header); i += 2 {
			req.Header.Set(header[i], header[i+1])
		}
		resp, err := client.Do(req)
		if err != nil {
			t.Fatal(err)
		}
		resp.Body.Close()
		return resp
	}
	loginWith := func(token string) string { return url.Values{"token": {token}}.Encode() }

	login := do(http.MethodPost, "/login", loginWith(adminToken))
	var session string
	for _, c := range login.Cookies() {
		if c.Name == "a2a_proxy_session" {
			session = c.Name + "=" + c.Value
		}
	}
	if login.StatusCode != http.StatusSeeOther || session == "" {
		t.Fatalf("login = %d with cookies %v, want 303 and a session", login.StatusCode, login.Cookies())
	}

	for i := range 10 {
		var resp *http.Response
		if i%2 == 0 {
			resp = do(http.MethodPost, "/login", loginWith("wrong"))
		} else {
			resp = do(http.MethodGet, "/api/tasks", "", "Authorization", "Bearer wrong")
		}
		if resp.StatusCode != http.StatusUnauthorized {
			t.Fatalf("wrong token %d = %d, want 401", i+1, resp.StatusCode)
		}
	}
	for _, resp := range []*http.Response{
		do(http.MethodGet, "/api/tasks", "", "Authorization", "Bearer wrong"),
		do(http.MethodGet, "/metrics", "", "Authorization", "Bearer "+adminToken),
		do(http.MethodPost, "/login", loginWith(adminToken)),
	} {
		if resp.StatusCode != http.StatusTooManyRequests || resp.Header.Get("Retry-After") == "" {
			t.Errorf("%s %s once locked = %d, Retry-After %q; want 429 with Retry-After",
				resp.Request.Method, resp.Request.URL.Path, resp.StatusCode, resp.Header.Get("Retry-After"))
		}
	}
	if resp := do(http.MethodGet, "/api/tasks", "", "Cookie", session); resp.StatusCode != http.StatusOK {
		t.Errorf("GET /api/tasks with the earlier session while locked = %d, want 200", resp.StatusCode)
	}

	if resp := do(http.MethodPost, "/logout", "", "Cookie", session); resp.StatusCode != http.StatusSeeOther {
		t.Fatalf("logout = %d, want 303", resp.StatusCode)
	}
	if resp := do(http.MethodGet, "/api/tasks", "", "Cookie", session); resp.StatusCode != http.StatusUnauthorized {
		t.Errorf("GET /api/tasks with the session cookie after logout = %d, want 401", resp.StatusCode)
	}
}
