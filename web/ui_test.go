package web_test

import (
	"context"
	"encoding/json"
	"errors"
	"io"
	"net/http"
	"net/url"
	"strings"
	"testing"
	"time"

	"golang.org/x/net/html"

	"github.com/a2aproxy/a2a-proxy/internal/a2awire"
	"github.com/a2aproxy/a2a-proxy/recorder"
	"github.com/a2aproxy/a2a-proxy/web"
)

// fakeDirectory is a Directory whose agents answer with the cards (or
// errors) it holds.
type fakeDirectory struct {
	names []string
	cards map[string]string // by agent; absent: unreachable
}

func (d *fakeDirectory) AgentNames() []string { return d.names }

func (d *fakeDirectory) AgentURL(name string) (string, bool) { return "http://upstream/" + name, true }

func (d *fakeDirectory) Card(_ context.Context, name string, base *url.URL) (json.RawMessage, error) {
	card, ok := d.cards[name]
	if !ok {
		return nil, errors.New("connection refused")
	}
	return json.RawMessage(strings.ReplaceAll(card, "BASE", base.String())), nil
}

func uiOptions(t *testing.T) web.Options {
	proxyURL, _ := url.Parse("http://proxy.example:8080")
	return web.Options{
		Store:     newStore(t),
		Feed:      web.NewFeed(),
		ProxyURL:  proxyURL,
		JaegerURL: "http://jaeger.example:16686/",
		Agents: &fakeDirectory{
			names: []string{"alpha", "beta"},
			cards: map[string]string{"alpha": `{"name":"Alpha agent","url":"BASE/agents/alpha/","skills":[{"name":"Sums"}]}`},
		},
	}
}

// fetch GETs path and returns the response and its body.
func fetch(t *testing.T, client *http.Client, rawURL string) (*http.Response, string) {
	t.Helper()
	resp, err := client.Get(rawURL)
	if err != nil {
		t.Fatal(err)
	}
	defer resp.Body.Close()
	body, err := io.ReadAll(resp.Body)
	if err != nil {
		t.Fatal(err)
	}
	return resp, string(body)
}

func TestPages(t *testing.T) {
	srv := newServer(t, uiOptions(t))
	for _, tc := range []struct {
		path string
		want []string
	}{
		{"/", []string{"task-3", "task-2", "task-1", `<option value="alpha">`, `data-live-url="/api/live"`}},
		{"/?agent=beta", []string{"task-2", `<option value="beta" selected>`}},
		{"/?limit=1", []string{"task-3", `href="/?cursor=`, "Older"}},
		{"/tasks/task-2", []string{"task-2", "http://jaeger.example:16686/trace/trace-ex-2", "status-update",
			`data-live-url=""`, "+250 ms"}}, // working, but nothing of it open: no Live
		{"/tasks/task-1", []string{`data-live-url=""`}}, // completed: nothing more to follow
		{"/contexts/ctx-a", []string{"task-1", "task-3", `href="/tasks/task-3"`}},
		{"/agents", []string{"Alpha agent", "http://proxy.example:8080/agents/alpha/", "Sums", "reachable",
			"unreachable", "connection refused", `href="/?agent=alpha"`}},
		{"/login", []string{}}, // no token: straight to the tasks
	} {
		t.Run(tc.path, func(t *testing.T) {
			resp, body := fetch(t, srv.Client(), srv.URL+tc.path)
			if resp.StatusCode != http.StatusOK || !strings.HasPrefix(resp.Header.Get("Content-Type"), "text/html") {
				t.Fatalf("GET %s = %d %s", tc.path, resp.StatusCode, resp.Header.Get("Content-Type"))
			}
			if resp.Header.Get("Cache-Control") != "no-store" {
				t.Errorf("Cache-Control = %q: pages with recorded payloads must not be cached", resp.Header.Get("Cache-Control"))
			}
			for _, want := range tc.want {
				if !strings.Contains(body, want) {
					t.Errorf("page does not contain %q", want)
				}
			}
			assertCSPCompatible(t, body)
		})
	}
}

// assertCSPCompatible fails on what the Content-Security-Policy would block:
// inline scripts, event handler attributes, style attributes.
func assertCSPCompatible(t *testing.T, page string) {
	t.Helper()
	z := html.NewTokenizer(strings.NewReader(page))
	for {
		switch z.Next() {
		case html.ErrorToken:
			return
		case html.StartTagToken, html.SelfClosingTagToken:
			tok := z.Token()
			hasSrc := false
			for _, a := range tok.Attr {
				hasSrc = hasSrc || a.Key == "src"
				if strings.HasPrefix(a.Key, "on") || a.Key == "style" {
					t.Errorf("<%s %s=%q>: blocked by the CSP", tok.Data, a.Key, a.Val)
				}
			}
			if (tok.Data == "script" && !hasSrc) || tok.Data == "style" {
				t.Errorf("inline <%s>: blocked by the CSP", tok.Data)
			}
		}
	}
}

func TestPageErrors(t *testing.T) {
	srv := newServer(t, uiOptions(t))
	for path, status := range map[string]int{
		"/tasks/nope":        http.StatusNotFound,
		"/contexts/nope":     http.StatusNotFound,
		"/?cursor=garbage!":  http.StatusBadRequest,
		"/?limit=0":          http.StatusBadRequest,
		"/static/nope.js":    http.StatusNotFound,
		"/no/such/page/here": http.StatusNotFound,
	} {
		resp, body := fetch(t, srv.Client(), srv.URL+path)
		if resp.StatusCode != status {
			t.Errorf("GET %s = %d, want %d", path, resp.StatusCode, status)
		}
		if strings.Contains(body, `{"error":`) {
			t.Errorf("GET %s answers a page with the API's JSON: %s", path, body)
		}
	}
}

func TestSecurityHeaders(t *testing.T) {
	srv := newServer(t, uiOptions(t))
	for _, path := range []string{"/", "/tasks/task-1", "/api/tasks", "/api/tasks/nope", "/static/app.css", "/nowhere"} {
		resp, _ := fetch(t, srv.Client(), srv.URL+path)
		csp := resp.Header.Get("Content-Security-Policy")
		for _, directive := range []string{"default-src 'self'", "script-src 'self'", "object-src 'none'", "frame-ancestors 'none'"} {
			if !strings.Contains(csp, directive) {
				t.Errorf("GET %s: CSP %q lacks %q", path, csp, directive)
			}
		}
		if strings.Contains(csp, "unsafe-inline") {
			t.Errorf("GET %s: CSP %q allows inline code", path, csp)
		}
		if resp.Header.Get("X-Content-Type-Options") != "nosniff" {
			t.Errorf("GET %s: no X-Content-Type-Options: nosniff", path)
		}
	}
}

// Recorded payloads are the agents' words: the pages show them as text.
func TestRecordedContentIsEscaped(t *testing.T) {
	const evil = `<img src=x onerror=alert(1)><script>alert(2)</script>`
	const evilID = `<img src=x onerror=alert(1)>` // no slash: routes could not take it
	store := newStore(t)
	start := time.Date(2025, 6, 2, 0, 0, 0, 0, time.UTC)
	store.StartExchange(&recorder.Exchange{ID: "ex-evil", Agent: evil, StartedAt: start, TraceID: `"><script>`,
		RequestHeaders: http.Header{evil: {evil}}, RequestBody: []byte(evil)})
	doc := `{"jsonrpc":"2.0","id":1,"result":{"kind":"status-update","taskId":"evil","contextId":"` + evilID +
		`","status":{"state":"working","message":{"role":"agent","parts":[{"kind":"text","text":"` + evil + `"},{"kind":"file","file":{"name":"` + evil + `","uri":"javascript:alert(3)"}}]}}}}`
	store.RecordEvent(&recorder.Event{ExchangeID: "ex-evil", Agent: evil, At: start, Raw: []byte("data: " + doc + "\n\n"),
		Fields: a2awire.Fields{Kind: "status-update", TaskID: "evil", ContextID: evilID, State: evil, Text: evil}, Flag: evil})
	if err := store.Flush(context.Background()); err != nil {
		t.Fatal(err)
	}
	opts := uiOptions(t)
	opts.Store = store
	srv := newServer(t, opts)
	for _, path := range []string{"/", "/tasks/evil", "/contexts/" + url.PathEscape(evilID)} {
		_, body := fetch(t, srv.Client(), srv.URL+path)
		if !strings.Contains(body, "&lt;img src=x onerror=alert(1)&gt;") {
			t.Errorf("GET %s does not show the markup as text", path)
		}
		for _, markup := range []string{"<img src=x", "<script>alert", `href="javascript:`} {
			if strings.Contains(body, markup) {
				t.Errorf("GET %s: recorded %q reached the page as markup", path, markup)
			}
		}
		assertCSPCompatible(t, body)
	}
}

func TestStaticFiles(t *testing.T) {
	srv := newServer(t, uiOptions(t))
	for path, contentType := range map[string]string{
		"/static/app.css":     "text/css",
		"/static/js/main.js":  "text/javascript",
		"/static/favicon.svg": "image/svg+xml",
	} {
		resp, body := fetch(t, srv.Client(), srv.URL+path)
		if resp.StatusCode != http.StatusOK || !strings.HasPrefix(resp.Header.Get("Content-Type"), contentType) || body == "" {
			t.Errorf("GET %s = %d %q", path, resp.StatusCode, resp.Header.Get("Content-Type"))
		}
		etag := resp.Header.Get("ETag")
		req, _ := http.NewRequest(http.MethodGet, srv.URL+path, nil)
		req.Header.Set("If-None-Match", etag)
		again, err := srv.Client().Do(req)
		if err != nil {
			t.Fatal(err)
		}
		again.Body.Close()
		if etag == "" || again.StatusCode != http.StatusNotModified {
			t.Errorf("GET %s with its ETag %q = %d, want 304", path, etag, again.StatusCode)
		}
	}
}

func TestWithoutOptionalCollaborators(t *testing.T) {
	srv := newServer(t, web.Options{Store: newStore(t)}) // no feed, no agents
	if _, body := fetch(t, srv.Client(), srv.URL+"/tasks/task-2"); !strings.Contains(body, `data-live-url=""`) {
		t.Error("a page follows live events without a feed")
	}
	if resp, _ := fetch(t, srv.Client(), srv.URL+"/api/live"); resp.StatusCode != http.StatusNotFound {
		t.Errorf("GET /api/live without a feed = %d, want 404", resp.StatusCode)
	}
	if _, body := fetch(t, srv.Client(), srv.URL+"/agents"); !strings.Contains(body, "No agent is configured") {
		t.Error("the agents page without a directory does not say so")
	}
}
