package proxy

import (
	"encoding/json"
	"io"
	"net/http"
	"net/url"
	"strings"
	"testing"
)

func TestProxiedURL(t *testing.T) {
	public, _ := url.Parse("http://proxy:8080/agents/a")
	tests := []struct{ upstream, in, want string }{
		{"http://127.0.0.1:8001", "http://127.0.0.1:8001/", "http://proxy:8080/agents/a/"},
		{"http://127.0.0.1:8001", "http://127.0.0.1:8001/a2a/jsonrpc", "http://proxy:8080/agents/a/a2a/jsonrpc"},
		{"http://h:1/base", "http://h:1/base/rpc?x=1", "http://proxy:8080/agents/a/rpc?x=1"},
		{"http://h:1/base", "https://public.example/rpc", "http://proxy:8080/agents/a/rpc"},
		{"http://h:1", "grpc://h:1", "grpc://h:1"},
	}
	for _, tt := range tests {
		up, _ := url.Parse(tt.upstream)
		if got := proxiedURL(tt.in, up, public); got != tt.want {
			t.Errorf("proxiedURL(%s) under %s = %s, want %s", tt.in, tt.upstream, got, tt.want)
		}
	}
}

func TestCardsAreRewrittenForBothVersions(t *testing.T) {
	var upstreamURL string
	cards := map[string]string{
		// v0.3, as a2a-go serves it.
		"/.well-known/agent-card.json": `{"name":"x","url":"UP/","preferredTransport":"JSONRPC","additionalInterfaces":[{"url":"UP/","transport":"JSONRPC"},{"url":"UP/rest","transport":"HTTP+JSON"}],"protocolVersion":"0.3.0"}`,
	}
	v1Card := `{"name":"x","supportedInterfaces":[{"url":"UP/a2a/jsonrpc","protocolBinding":"JSONRPC","protocolVersion":"1.0"},{"url":"UP/a2a/rest","protocolBinding":"HTTP+JSON","protocolVersion":"1.0"}],"signatures":[{"protected":"x","signature":"y"}]}`
	srv, rec, p := startProxy(t, http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		w.Header().Set("Content-Type", "application/json")
		if r.Header.Get("A2A-Version") == "1.0" {
			io.WriteString(w, strings.ReplaceAll(v1Card, "UP", upstreamURL))
			return
		}
		if r.Method == http.MethodPost { // extended card over JSON-RPC
			io.WriteString(w, `{"jsonrpc":"2.0","id":9,"result":`+strings.ReplaceAll(cards["/.well-known/agent-card.json"], "UP", upstreamURL)+`}`)
			return
		}
		card, ok := cards[r.URL.Path]
		if !ok {
			http.NotFound(w, r)
			return
		}
		io.WriteString(w, strings.ReplaceAll(card, "UP", upstreamURL))
	}))
	upstreamURL = p.fallback.URL.String()

	fetch := func(method, path, version, body string) (map[string]any, http.Header) {
		t.Helper()
		req, _ := http.NewRequest(method, srv.URL+path, strings.NewReader(body))
		if version != "" {
			req.Header.Set("A2A-Version", version)
		}
		resp, err := http.DefaultClient.Do(req)
		if err != nil {
			t.Fatal(err)
		}
		defer resp.Body.Close()
		var out map[string]any
		if err := json.NewDecoder(resp.Body).Decode(&out); err != nil {
			t.Fatal(err)
		}
		return out, resp.Header
	}
	urls := func(card map[string]any) []string {
		var out []string
		if u, ok := card["url"].(string); ok {
			out = append(out, u)
		}
		for _, key := range []string{"additionalInterfaces", "supportedInterfaces"} {
			list, _ := card[key].([]any)
			for _, iface := range list {
				out = append(out, iface.(map[string]any)["url"].(string))
			}
		}
		return out
	}
	check := func(name string, got []string, want ...string) {
		t.Helper()
		if strings.Join(got, " ") != strings.Join(want, " ") {
			t.Errorf("%s: URLs %v, want %v", name, got, want)
		}
	}

	card, _ := fetch("GET", "/.well-known/agent-card.json", "", "")
	check("v0.3 at the root", urls(card), srv.URL+"/", srv.URL+"/", srv.URL+"/rest")

	card, _ = fetch("GET", "/agents/test/.well-known/agent.json", "", "")
	check("v0.3 legacy alias under the agent's path", urls(card),
		srv.URL+"/agents/test/", srv.URL+"/agents/test/", srv.URL+"/agents/test/rest")

	card, h := fetch("GET", "/agents/test/.well-known/agent-card.json", "1.0", "")
	check("v1.0", urls(card), srv.URL+"/agents/test/a2a/jsonrpc", srv.URL+"/agents/test/a2a/rest")
	if _, signed := card["signatures"]; signed || h.Get("X-A2A-Proxy-Card") == "" {
		t.Errorf("a rewritten signed card must lose its signatures, and say so (header %q)", h.Get("X-A2A-Proxy-Card"))
	}

	env, _ := fetch("POST", "/", "", `{"jsonrpc":"2.0","id":9,"method":"agent/getAuthenticatedExtendedCard"}`)
	check("extended card over JSON-RPC", urls(env["result"].(map[string]any)), srv.URL+"/", srv.URL+"/", srv.URL+"/rest")
	if env["id"] != float64(9) {
		t.Errorf("JSON-RPC envelope lost: %v", env)
	}

	// The recording keeps the card as the agent sent it.
	rec.mu.Lock()
	defer rec.mu.Unlock()
	if len(rec.events) == 0 || !strings.Contains(string(rec.events[0].Raw), upstreamURL) {
		t.Errorf("recorded card is not the agent's original")
	}
}
