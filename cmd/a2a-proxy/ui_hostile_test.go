package main

import (
	"context"
	"encoding/json"
	"fmt"
	"net/http"
	"net/http/httptest"
	"net/url"
	"testing"

	"github.com/chromedp/chromedp"

	"github.com/a2aproxy/a2a-proxy/internal/browser"
)

// hostile is markup an agent might send to attack the people who read its
// recordings. Every field of the hostile agent carries it.
const hostile = `<img src=x onerror="document.title='pwned'"><script>document.title='pwned'</script>`

// Ids hostile too, without a slash, which no route could take.
const (
	hostileTask    = `task-"><svg onload="document.title='pwned'">`
	hostileContext = `ctx-'><iframe srcdoc="x">`
)

// hostileAgent is an A2A v0.3 agent whose card and stream put markup in
// every text it can: names, descriptions, status messages, artifacts (text,
// data and file parts, with a javascript: URL), and ids.
func hostileAgent(t *testing.T) string {
	t.Helper()
	srv := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		if r.Method == http.MethodGet {
			card := map[string]any{
				"name": hostile, "description": hostile, "version": hostile, "protocolVersion": "0.3.0",
				"url": "http://" + r.Host + "/", "preferredTransport": "JSONRPC",
				"skills": []any{map[string]any{"id": "x", "name": hostile, "description": hostile}},
			}
			w.Header().Set("Content-Type", "application/json")
			writeRawJSON(w, card)
			return
		}
		w.Header().Set("Content-Type", "text/event-stream")
		message := map[string]any{"kind": "message", "role": "agent", "messageId": hostile, "parts": []any{
			map[string]any{"kind": "text", "text": hostile},
		}}
		for _, result := range []map[string]any{
			{"kind": "task", "id": hostileTask, "contextId": hostileContext, "status": map[string]any{"state": "submitted"}},
			{"kind": "status-update", "taskId": hostileTask, "contextId": hostileContext, "status": map[string]any{"state": "working", "message": message}},
			{"kind": "artifact-update", "taskId": hostileTask, "contextId": hostileContext, "artifact": map[string]any{
				"artifactId": hostile, "name": hostile, "description": hostile, "parts": []any{
					map[string]any{"kind": "text", "text": hostile},
					map[string]any{"kind": "data", "data": map[string]any{"html": hostile}},
					map[string]any{"kind": "file", "file": map[string]any{"name": hostile, "mimeType": hostile, "uri": "javascript:document.title='pwned'"}},
				}}},
			{"kind": "status-update", "taskId": hostileTask, "contextId": hostileContext, "final": true, "status": map[string]any{"state": "completed", "message": message}},
		} {
			fmt.Fprint(w, "data: ")
			writeRawJSON(w, map[string]any{"jsonrpc": "2.0", "id": 1, "result": result})
			fmt.Fprint(w, "\n")
		}
	}))
	t.Cleanup(srv.Close)
	return srv.URL
}

// Recorded content is shown as text everywhere, and nothing in it runs.
func TestUIShowsHostileContentAsText(t *testing.T) {
	b := browser.Start(t)
	s := startServer(t, func(c *ServeConfig) { c.Agents = []string{"hostile=" + hostileAgent(t)} })
	if got := streamMessage(t, s.DataURL()+"/agents/hostile/", hostile); got != hostileTask {
		t.Fatalf("recorded task %q, want %q", got, hostileTask)
	}
	if err := s.Store().Flush(context.Background()); err != nil {
		t.Fatal(err)
	}

	tab := b.NewTab(t)
	for _, page := range []struct{ name, path, shows string }{
		{"tasks", "/?q=" + url.QueryEscape("<img"), "tbody"},
		{"task", "/tasks/" + url.PathEscape(hostileTask), ".timeline"},
		{"context", "/contexts/" + url.PathEscape(hostileContext), "tbody"},
		{"agents", "/agents", ".agent"},
	} {
		t.Run(page.name, func(t *testing.T) {
			tab.Do(t, chromedp.Navigate(s.AdminURL()+page.path))
			tab.WaitFor(t, `document.readyState === 'complete'`)
			// Open every raw JSON view, so that its content is rendered too.
			eval[int](t, tab, `document.querySelectorAll('details').forEach((d) => { d.open = true }), 0`)
			text := eval[string](t, tab, `document.querySelector('`+page.shows+`').textContent`)
			if !contains(text, `<img src=x onerror="document.title='pwned'">`) {
				t.Errorf("the page does not show the markup as text: %q", text)
			}
			injected := eval[[]string](t, tab, `[...document.querySelectorAll(
				'main img, main script, main iframe, main svg:not(.bar), main [onerror], main [onload], a[href^="javascript:"]'
			)].map((el) => el.outerHTML)`)
			if len(injected) > 0 {
				t.Errorf("recorded markup became elements: %v", injected)
			}
			if title := eval[string](t, tab, `document.title`); title == "pwned" {
				t.Errorf("recorded script ran: title %q", title)
			}
			tab.Screenshot(t, "hostile-"+page.name)
		})
	}
	assertNoProblems(t, tab)
}

// writeRawJSON writes v as JSON with its markup as is, not escaped to
// \u003c as encoding/json does by default: an agent need not be so kind.
func writeRawJSON(w http.ResponseWriter, v any) {
	enc := json.NewEncoder(w) // ends the document with a newline
	enc.SetEscapeHTML(false)
	_ = enc.Encode(v)
}
