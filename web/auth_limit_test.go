package web_test

import (
	"context"
	"encoding/json"
	"io"
	"net"
	"net/http"
	"net/http/httptest"
	"net/url"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/a2aproxy/a2a-proxy/internal/forwarded"
	"github.com/a2aproxy/a2a-proxy/web"
)

// fakeClock is the time the server's limiter and sessions read, moved on by
// the test.
type fakeClock struct {
	mu sync.Mutex
	t  time.Time
}

func (c *fakeClock) now() time.Time {
	c.mu.Lock()
	defer c.mu.Unlock()
	return c.t
}

func (c *fakeClock) advance(d time.Duration) {
	c.mu.Lock()
	defer c.mu.Unlock()
	c.t = c.t.Add(d)
}

// newClockedServer serves the admin plane with a token, replay, /metrics and
// the live feed, on a clock the test moves.
func newClockedServer(t *testing.T, opts web.Options) (*httptest.Server, *fakeClock) {
	t.Helper()
	if opts.Store == nil {
		opts = uiOptions(t)
	}
	opts.Token = token
	opts.Recordings = newStore(t)
	opts.Metrics = http.HandlerFunc(func(w http.ResponseWriter, _ *http.Request) { io.WriteString(w, "# metrics\n") })
	s := web.New(opts)
	clock := &fakeClock{t: time.Date(2026, 1, 1, 0, 0, 0, 0, time.UTC)}
	web.SetClock(s, clock.now)
	srv := httptest.NewServer(s.Handler())
	t.Cleanup(srv.Close)
	return srv, clock
}

// from is a client that does not follow redirects and connects from the
// loopback address ip, so that the server sees distinct clients.
func from(srv *httptest.Server, ip string) *http.Client {
	dialer := &net.Dialer{LocalAddr: &net.TCPAddr{IP: net.ParseIP(ip)}}
	return &http.Client{
		Transport:     &http.Transport{DialContext: dialer.DialContext},
		CheckRedirect: func(*http.Request, []*http.Request) error { return http.ErrUseLastResponse },
	}
}

// call sends a request and returns the response with its body read.
func call(t *testing.T, client *http.Client, method, rawURL string, body url.Values, headers ...string) (*http.Response, string) {
	t.Helper()
	var r io.Reader
	if body != nil {
		r = strings.NewReader(body.Encode())
	}
	ctx, cancel := context.WithTimeout(context.Background(), 10*time.Second)
	defer cancel()
	req, _ := http.NewRequestWithContext(ctx, method, rawURL, r)
	if body != nil {
		req.Header.Set("Content-Type", "application/x-www-form-urlencoded")
	}
	for i := 0; i+1 < len(headers); i += 2 {
		req.Header.Set(headers[i], headers[i+1])
	}
	resp, err := client.Do(req)
	if err != nil {
		t.Fatal(err)
	}
	defer resp.Body.Close()
	b, _ := io.ReadAll(resp.Body)
	return resp, string(b)
}

func loginForm(tok string) url.Values { return url.Values{"token": {tok}, "next": {"/agents"}} }

// The 11th wrong login from an address within a minute gets 429 with
// Retry-After and the form saying so; the right token is not even checked
// while the address is locked (so a guesser learns nothing); once the window
// is over, logging in works again.
func TestLoginRateLimited(t *testing.T) {
	srv, clock := newClockedServer(t, web.Options{})
	client := from(srv, "127.0.0.1")
	for i := range 10 {
		if resp, _ := call(t, client, http.MethodPost, srv.URL+"/login", loginForm("wrong")); resp.StatusCode != http.StatusUnauthorized {
			t.Fatalf("wrong login %d = %d, want 401", i+1, resp.StatusCode)
		}
	}
	clock.advance(15 * time.Second)
	resp, body := call(t, client, http.MethodPost, srv.URL+"/login", loginForm("wrong"))
	if resp.StatusCode != http.StatusTooManyRequests || resp.Header.Get("Retry-After") != "45" {
		t.Errorf("11th wrong login = %d, Retry-After %q; want 429, 45", resp.StatusCode, resp.Header.Get("Retry-After"))
	}
	if !strings.Contains(body, "Too many wrong tokens from your address. Try again in 45 seconds") || !strings.Contains(body, `name="next" value="/agents"`) {
		t.Errorf("the 429 login page does not say why, or loses next:\n%s", body)
	}
	resp, _ = call(t, client, http.MethodPost, srv.URL+"/login", loginForm(token))
	if resp.StatusCode != http.StatusTooManyRequests || len(resp.Cookies()) != 0 {
		t.Errorf("right token while locked = %d with cookies %v, want 429 and none", resp.StatusCode, resp.Cookies())
	}

	clock.advance(45 * time.Second)
	resp, _ = call(t, client, http.MethodPost, srv.URL+"/login", loginForm(token))
	if resp.StatusCode != http.StatusSeeOther || resp.Header.Get("Location") != "/agents" {
		t.Errorf("right token after the window = %d to %q, want 303 to /agents", resp.StatusCode, resp.Header.Get("Location"))
	}
	if resp, _ := call(t, client, http.MethodPost, srv.URL+"/login", loginForm("wrong")); resp.StatusCode != http.StatusUnauthorized {
		t.Errorf("wrong login after the window = %d, want 401 (counting anew)", resp.StatusCode)
	}
}

// Wrong bearer tokens count on every protected route (API, live feed,
// replay, metrics, pages); the 11th gets 429 with Retry-After and the API's
// JSON error, before the token is checked, so a right bearer token gets 429
// too. A session that logged in before keeps working; another address is
// not affected; after the window the bearer token works again.
func TestBearerRateLimited(t *testing.T) {
	srv, clock := newClockedServer(t, web.Options{})
	client := from(srv, "127.0.0.1")
	login, _ := call(t, client, http.MethodPost, srv.URL+"/login", loginForm(token)) // before any failure
	cookie := sessionCookie(t, login)

	paths := []string{"/api/tasks", "/api/live", "/replay/task-1/", "/metrics", "/api/tasks/task-1", "/", "/agents", "/api/tasks", "/metrics", "/api/contexts/ctx-a"}
	for _, path := range paths {
		resp, _ := call(t, client, http.MethodGet, srv.URL+path, nil, "Authorization", "Bearer wrong")
		if resp.StatusCode != http.StatusUnauthorized && resp.StatusCode != http.StatusSeeOther {
			t.Fatalf("GET %s with a wrong token = %d, want 401 (or 303 to log in)", path, resp.StatusCode)
		}
	}
	for _, path := range []string{"/api/tasks", "/api/live", "/replay/task-1/", "/metrics"} {
		for _, tok := range []string{"wrong", token} {
			resp, body := call(t, client, http.MethodGet, srv.URL+path, nil, "Authorization", "Bearer "+tok)
			var doc struct {
				Error struct{ Code, Message string }
			}
			if err := json.Unmarshal([]byte(body), &doc); err != nil || resp.StatusCode != http.StatusTooManyRequests ||
				resp.Header.Get("Retry-After") != "60" || doc.Error.Code != "rate_limited" || doc.Error.Message == "" {
				t.Errorf("GET %s with token %q while locked = %d, Retry-After %q, %s; want 429, 60, a rate_limited error",
					path, tok, resp.StatusCode, resp.Header.Get("Retry-After"), body)
			}
		}
	}
	if resp, _ := call(t, client, http.MethodGet, srv.URL+"/agents", nil, "Authorization", "Bearer "+token); resp.StatusCode != http.StatusTooManyRequests {
		t.Errorf("a page with a bearer token while locked = %d, want 429", resp.StatusCode)
	}

	// The session earned before still opens the API and the pages.
	for _, path := range []string{"/api/tasks", "/", "/metrics"} {
		if resp, _ := call(t, client, http.MethodGet, srv.URL+path, nil, "Cookie", cookie.Name+"="+cookie.Value); resp.StatusCode != http.StatusOK {
			t.Errorf("GET %s with a valid session while locked = %d, want 200", path, resp.StatusCode)
		}
	}
	// Another address is not locked.
	other := from(srv, "127.0.0.2")
	if resp, _ := call(t, other, http.MethodGet, srv.URL+"/api/tasks", nil, "Authorization", "Bearer wrong"); resp.StatusCode != http.StatusUnauthorized {
		t.Errorf("wrong token from another address = %d, want 401", resp.StatusCode)
	}
	if resp, _ := call(t, other, http.MethodGet, srv.URL+"/api/tasks", nil, "Authorization", "Bearer "+token); resp.StatusCode != http.StatusOK {
		t.Errorf("right token from another address = %d, want 200", resp.StatusCode)
	}

	clock.advance(time.Minute)
	if resp, _ := call(t, client, http.MethodGet, srv.URL+"/api/tasks", nil, "Authorization", "Bearer "+token); resp.StatusCode != http.StatusOK {
		t.Errorf("right token after the window = %d, want 200", resp.StatusCode)
	}
}

// Requests without credentials, or with a stale session cookie, are no
// guesses: they never lock the address.
func TestNoCredentialsDoNotCount(t *testing.T) {
	srv, _ := newClockedServer(t, web.Options{})
	client := from(srv, "127.0.0.1")
	for range 30 {
		call(t, client, http.MethodGet, srv.URL+"/api/tasks", nil)
		call(t, client, http.MethodGet, srv.URL+"/", nil, "Cookie", "a2a_proxy_session=stale")
	}
	if resp, _ := call(t, client, http.MethodGet, srv.URL+"/api/tasks", nil, "Authorization", "Bearer "+token); resp.StatusCode != http.StatusOK {
		t.Errorf("right token after 60 credential-less requests = %d, want 200", resp.StatusCode)
	}
}

// Logout revokes the session on the server: a copy of the cookie taken
// before no longer opens anything. Sessions also end 12h after login.
func TestLogoutRevokesSession(t *testing.T) {
	srv, clock := newClockedServer(t, web.Options{})
	client := from(srv, "127.0.0.1")
	login, _ := call(t, client, http.MethodPost, srv.URL+"/login", loginForm(token))
	copied := sessionCookie(t, login)
	withCopy := func(path string) *http.Response {
		resp, _ := call(t, client, http.MethodGet, srv.URL+path, nil, "Cookie", copied.Name+"="+copied.Value)
		return resp
	}
	if resp := withCopy("/api/tasks"); resp.StatusCode != http.StatusOK {
		t.Fatalf("GET /api/tasks with the session = %d, want 200", resp.StatusCode)
	}
	out, _ := call(t, client, http.MethodPost, srv.URL+"/logout", nil, "Cookie", copied.Name+"="+copied.Value)
	if out.StatusCode != http.StatusSeeOther {
		t.Fatalf("logout = %d, want 303", out.StatusCode)
	}
	if resp := withCopy("/api/tasks"); resp.StatusCode != http.StatusUnauthorized {
		t.Errorf("GET /api/tasks with the cookie copied before logout = %d, want 401", resp.StatusCode)
	}
	if resp := withCopy("/agents"); resp.StatusCode != http.StatusSeeOther || !strings.HasPrefix(resp.Header.Get("Location"), "/login") {
		t.Errorf("GET /agents with the cookie copied before logout = %d to %q, want 303 to the login form", resp.StatusCode, resp.Header.Get("Location"))
	}

	login, _ = call(t, client, http.MethodPost, srv.URL+"/login", loginForm(token))
	copied = sessionCookie(t, login)
	clock.advance(12*time.Hour - time.Second)
	if resp := withCopy("/api/tasks"); resp.StatusCode != http.StatusOK {
		t.Errorf("session after 12h less a second = %d, want 200", resp.StatusCode)
	}
	clock.advance(time.Second)
	if resp := withCopy("/api/tasks"); resp.StatusCode != http.StatusUnauthorized {
		t.Errorf("session after 12h = %d, want 401", resp.StatusCode)
	}
}

// The session cookie is HttpOnly, SameSite=Strict, Path=/, and Secure
// exactly when the request came over TLS: X-Forwarded-Proto alone is not
// believed unless Options.TrustForwarded trusts the peer.
func TestSessionCookieAttributes(t *testing.T) {
	plain, _ := newClockedServer(t, web.Options{})
	opts := uiOptions(t)
	opts.Token = token
	tlsSrv := httptest.NewTLSServer(web.New(opts).Handler())
	t.Cleanup(tlsSrv.Close)
	hooked := uiOptions(t)
	hooked.TrustForwarded = forwarded.TrustAll
	behindProxy, _ := newClockedServer(t, hooked)

	for _, tt := range []struct {
		name   string
		srv    *httptest.Server
		secure bool
	}{
		{"http", plain, false},
		{"https", tlsSrv, true},
		{"http with a trusted X-Forwarded-Proto", behindProxy, true},
	} {
		resp := logIn(t, tt.srv, loginForm(token), "X-Forwarded-Proto", "https")
		c := sessionCookie(t, resp)
		if !c.HttpOnly || c.SameSite != http.SameSiteStrictMode || c.Path != "/" || c.Secure != tt.secure {
			t.Errorf("%s: session cookie %+v, want HttpOnly, SameSite=Strict, Path=/, Secure=%v", tt.name, c, tt.secure)
		}
		req, _ := http.NewRequest(http.MethodPost, tt.srv.URL+"/logout", nil)
		req.Header.Set("X-Forwarded-Proto", "https")
		req.AddCookie(c)
		out, err := noRedirects(tt.srv).Do(req)
		if err != nil {
			t.Fatal(err)
		}
		out.Body.Close()
		if cleared := sessionCookie(t, out); cleared.Secure != tt.secure || !cleared.HttpOnly || cleared.SameSite != http.SameSiteStrictMode {
			t.Errorf("%s: logout's cookie %+v, want the same attributes", tt.name, cleared)
		}
	}
}
