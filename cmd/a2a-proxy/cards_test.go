package main

import (
	"context"
	"encoding/json"
	"html"
	"io"
	"net/http"
	"net/http/httptest"
	"strings"
	"sync/atomic"
	"testing"
)

// cardAgent serves a v0.3 card, or a v1.0 one to clients that send
// A2A-Version 1.0, each naming the agent's own URL.
func cardAgent(t *testing.T) *httptest.Server {
	t.Helper()
	var up *httptest.Server
	up = httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		w.Header().Set("Content-Type", "application/json")
		if r.Header.Get("A2A-Version") == "1.0" {
			io.WriteString(w, `{"name":"c","supportedInterfaces":[{"url":"`+up.URL+`/a2a/jsonrpc","protocolBinding":"JSONRPC","protocolVersion":"1.0"}]}`)
			return
		}
		io.WriteString(w, `{"name":"c","url":"`+up.URL+`/","preferredTransport":"JSONRPC","protocolVersion":"0.3.0"}`)
	}))
	t.Cleanup(up.Close)
	return up
}

// cardURLs fetches the card at url with the given headers and returns the
// URLs it names: v0.3's url and v1.0's supportedInterfaces[].url.
func cardURLs(t *testing.T, url, version string, header http.Header) []string {
	t.Helper()
	req, _ := http.NewRequest(http.MethodGet, url, nil)
	req.Header = header.Clone()
	if h := header.Get("Host"); h != "" { // the Host header travels in req.Host
		req.Host = h
	}
	if version != "" {
		req.Header.Set("A2A-Version", version)
	}
	resp, err := http.DefaultClient.Do(req)
	if err != nil {
		t.Fatal(err)
	}
	defer resp.Body.Close()
	var card struct {
		URL        string `json:"url"`
		Interfaces []struct {
			URL string `json:"url"`
		} `json:"supportedInterfaces"`
	}
	if err := json.NewDecoder(resp.Body).Decode(&card); err != nil || resp.StatusCode != http.StatusOK {
		t.Fatalf("GET %s: %s (%v)", url, resp.Status, err)
	}
	var urls []string
	if card.URL != "" {
		urls = append(urls, card.URL)
	}
	for _, i := range card.Interfaces {
		urls = append(urls, i.URL)
	}
	return urls
}

// TestForwardedHeadersTrustedOnlyWhenTold pins --trust-forwarded: by
// default a client's X-Forwarded-Host/-Proto do not reach the cards served
// through the proxy (v0.3 url, v1.0 supportedInterfaces) nor the replay
// card; with the flag, from a trusted peer, valid ones do; invalid ones
// never; and a list of networks without 127.0.0.1 trusts no loopback client.
func TestForwardedHeadersTrustedOnlyWhenTold(t *testing.T) {
	up := cardAgent(t)
	evil := http.Header{"X-Forwarded-Host": {"evil.example"}, "X-Forwarded-Proto": {"https"}}
	for _, tc := range []struct {
		name, trust string
		header      http.Header
		forwarded   bool // the cards name https://evil.example
	}{
		{"off by default", "", evil, false},
		{"trusted", "all", evil, true},
		{"trusted bare", "true", evil, true},
		{"trusted network", "10.0.0.0/8,127.0.0.1/32", evil, true},
		{"peer outside the networks", "10.0.0.0/8,192.168.0.0/16", evil, false},
		{"trusted but a path", "all", http.Header{"X-Forwarded-Host": {"evil.example/x"}}, false},
		{"trusted but a space", "all", http.Header{"X-Forwarded-Host": {"a b"}}, false},
		{"trusted but userinfo", "all", http.Header{"X-Forwarded-Host": {"user@host"}}, false},
		{"trusted but a bad port", "all", http.Header{"X-Forwarded-Host": {"host:99999"}}, false},
		{"trusted but a bad scheme", "all", http.Header{"X-Forwarded-Proto": {"javascript"}}, false},
	} {
		t.Run(tc.name, func(t *testing.T) {
			s := startServer(t, func(c *ServeConfig) {
				c.Agents = []string{"card=" + up.URL}
				c.TrustForwarded = tc.trust
			})
			taskID := streamMessage(t, s.DataURL()+"/agents/builtin/", "Process my data")
			if err := s.Store().Flush(context.Background()); err != nil {
				t.Fatal(err)
			}
			data, admin := s.DataURL(), s.AdminURL()
			if tc.forwarded {
				data, admin = "https://evil.example", "https://evil.example"
			}
			for _, c := range []struct{ what, url, version, want string }{
				{"v0.3 card", s.DataURL() + "/agents/card/.well-known/agent-card.json", "", data + "/agents/card/"},
				{"v1.0 card", s.DataURL() + "/agents/card/.well-known/agent-card.json", "1.0", data + "/agents/card/a2a/jsonrpc"},
				{"replay card", s.AdminURL() + "/replay/" + taskID + "/.well-known/agent-card.json", "", admin + "/replay/" + taskID + "/"},
			} {
				if got := cardURLs(t, c.url, c.version, tc.header); strings.Join(got, " ") != c.want {
					t.Errorf("%s with %v: URLs %v, want %s", c.what, tc.header, got, c.want)
				}
			}
		})
	}
}

// TestReplayServeTrustsForwardedOnlyWhenTold pins --trust-forwarded of
// `a2a-proxy replay serve`: its card ignores X-Forwarded-Host by default.
func TestReplayServeTrustsForwardedOnlyWhenTold(t *testing.T) {
	s := startServer(t)
	taskID := streamMessage(t, s.DataURL()+"/agents/builtin/", "Process my data")
	if err := s.Store().Flush(context.Background()); err != nil {
		t.Fatal(err)
	}
	header := http.Header{"X-Forwarded-Host": {"public.example"}}
	agent := startReplayServer(t, replayServeConfig{DB: s.Config.DB, TaskID: taskID})
	if got := cardURLs(t, agent.URL()+"/.well-known/agent-card.json", "", header); strings.Join(got, " ") != agent.URL()+"/" {
		t.Errorf("untrusted: card URLs %v, want %s/", got, agent.URL())
	}
	agent = startReplayServer(t, replayServeConfig{DB: s.Config.DB, TaskID: taskID, TrustForwarded: "127.0.0.1"})
	if got := cardURLs(t, agent.URL()+"/.well-known/agent-card.json", "", header); strings.Join(got, " ") != "http://public.example/" {
		t.Errorf("trusted: card URLs %v, want http://public.example/", got)
	}
}

// TestBadHostFallsBackToTheListener pins that a Host header unfit for a URL
// (userinfo, a port out of range) never shapes a card: the URL names the
// address the request came in on.
func TestBadHostFallsBackToTheListener(t *testing.T) {
	up := cardAgent(t)
	s := startServer(t, func(c *ServeConfig) { c.Agents = []string{"card=" + up.URL} })
	for _, host := range []string{"user@evil.example", "evil.example:99999"} {
		got := cardURLs(t, s.DataURL()+"/agents/card/.well-known/agent-card.json", "", http.Header{"Host": {host}})
		if want := s.DataURL() + "/agents/card/"; strings.Join(got, " ") != want {
			t.Errorf("Host %q: card URLs %v, want %s", host, got, want)
		}
	}
}

// TestAgentsPageFollowsNoRedirect pins that the agents page's card check
// stays on the agent: an agent answering 302 to another server is shown as
// unreachable with an error naming where it pointed, and that server is
// never called.
func TestAgentsPageFollowsNoRedirect(t *testing.T) {
	var hits atomic.Int64
	elsewhere := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		hits.Add(1)
		io.WriteString(w, `{"name":"elsewhere"}`)
	}))
	t.Cleanup(elsewhere.Close)
	redirecting := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		http.Redirect(w, r, elsewhere.URL+"/card.json", http.StatusFound)
	}))
	t.Cleanup(redirecting.Close)
	s := startServer(t, func(c *ServeConfig) { c.Agents = []string{"redir=" + redirecting.URL} })

	resp, err := http.Get(s.AdminURL() + "/agents")
	if err != nil {
		t.Fatal(err)
	}
	defer resp.Body.Close()
	page, _ := io.ReadAll(resp.Body)
	for _, want := range []string{"agent redir: card request redirected", elsewhere.URL + "/card.json", "a2a-proxy does not follow redirects off the agent"} {
		if !strings.Contains(html.UnescapeString(string(page)), want) {
			t.Errorf("agents page lacks %q", want)
		}
	}
	if n := hits.Load(); n != 0 {
		t.Errorf("the redirect target got %d requests, want none", n)
	}
}
