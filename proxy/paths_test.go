package proxy

import (
	"bufio"
	"encoding/json"
	"fmt"
	"io"
	"net"
	"net/http"
	"net/http/httptest"
	"net/url"
	"strings"
	"sync"
	"testing"
	"time"
)

// baseUpstream is an agent served under /base that fails the test when a
// request reaches it outside /base, or with a dot segment left in its path
// (decoded once, split on '/' and '\'), and remembers the raw path it got.
type baseUpstream struct {
	t    *testing.T
	srv  *httptest.Server
	mu   sync.Mutex
	last string
}

func newBaseUpstream(t *testing.T) *baseUpstream {
	u := &baseUpstream{t: t}
	u.srv = httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		raw, _, _ := strings.Cut(r.RequestURI, "?")
		u.mu.Lock()
		u.last = raw
		u.mu.Unlock()
		if !insideBase(raw) {
			u.t.Errorf("the agent received %s %s: outside /base", r.Method, r.RequestURI)
		}
		if strings.HasSuffix(raw, cardPath) {
			w.Header().Set("Content-Type", "application/json")
			fmt.Fprintf(w, `{"name":"up","url":%q}`, "http://"+r.Host+"/base/")
			return
		}
		io.WriteString(w, "ok")
	}))
	t.Cleanup(u.srv.Close)
	return u
}

func insideBase(raw string) bool {
	if raw != "/base" && !strings.HasPrefix(raw, "/base/") {
		return false
	}
	decoded, err := url.PathUnescape(raw)
	if err != nil {
		return false
	}
	for _, seg := range strings.FieldsFunc(decoded, func(r rune) bool { return r == '/' || r == '\\' }) {
		if seg == "." || seg == ".." {
			return false
		}
	}
	return true
}

// take returns the path received since the last take, "" if none.
func (u *baseUpstream) take() string {
	u.mu.Lock()
	defer u.mu.Unlock()
	last := u.last
	u.last = ""
	return last
}

// rawRequest sends target as it is on the request line, which Go's client
// would clean first, and returns the response and its body.
func rawRequest(t *testing.T, addr, method, target string) (*http.Response, []byte) {
	t.Helper()
	conn, err := net.DialTimeout("tcp", addr, waitTimeout)
	if err != nil {
		t.Fatal(err)
	}
	defer conn.Close()
	_ = conn.SetDeadline(time.Now().Add(waitTimeout))
	body := ""
	if method == http.MethodPost {
		body = `{"message":{"role":"ROLE_USER","parts":[{"text":"hi"}]}}`
	}
	fmt.Fprintf(conn, "%s %s HTTP/1.1\r\nHost: proxy.test\r\nContent-Type: application/json\r\nContent-Length: %d\r\nConnection: close\r\n\r\n%s",
		method, target, len(body), body)
	resp, err := http.ReadResponse(bufio.NewReader(conn), nil)
	if err != nil {
		t.Fatalf("%s %s: read response: %v", method, target, err)
	}
	defer resp.Body.Close()
	b, err := io.ReadAll(resp.Body)
	if err != nil {
		t.Fatalf("%s %s: read body: %v", method, target, err)
	}
	return resp, b
}

// TestPathsStayInsideTheAgent pins that no spelling of a dot segment takes a
// request out of its agent's base path: each escape is refused with 400 and
// a JSON-RPC error before any agent sees it, a path that stays inside is
// forwarded resolved, and legitimate escapes (a space, a colon, a slash in a
// task id, a double-encoded dot) reach the agent as the client sent them.
func TestPathsStayInsideTheAgent(t *testing.T) {
	def, py := newBaseUpstream(t), newBaseUpstream(t)
	var agents []Agent
	for name, up := range map[string]*baseUpstream{"main": def, "py": py} {
		a, err := NewAgent(name, up.srv.URL+"/base")
		if err != nil {
			t.Fatal(err)
		}
		agents = append(agents, a)
	}
	if agents[0].Name != "main" { // the first agent is the default one
		agents[0], agents[1] = agents[1], agents[0]
	}
	p, err := New(Options{Agents: agents})
	if err != nil {
		t.Fatal(err)
	}
	srv := httptest.NewServer(p)
	t.Cleanup(srv.Close)
	addr := srv.Listener.Addr().String()

	refused := []string{
		// a named agent
		"/agents/py/../../etc/passwd",
		"/agents/py/%2e%2e/%2e%2e/etc/passwd",
		"/agents/py/%2E%2e/x",
		"/agents/py/.%2e/x",
		"/agents/py/%2e./x",
		"/agents/py/..%2f..%2fetc/passwd",
		"/agents/py/..%2F..%2Fetc/passwd",
		"/agents/py/x%2f..%2f..%2f..",
		"/agents/py/x/%2f../y",
		"/agents/py/x/../../y",
		"/agents/py/..",
		"/agents/py/%2e%2e",
		"/agents/py/../main/x", // out of one agent into another
		"/agents/../x",
		"/agents/./py/x",
		`/agents/py/..\..\etc/passwd`,
		"/agents/py/..%5c..%5cetc",
		"/agents/py/..;/..;/etc",
		// the default agent
		"/..",
		"/../etc/passwd",
		"/%2e%2e/etc/passwd",
		"/x/../../etc",
		"/x/.%2E/%2e%2E/etc",
		"/..%2fetc/passwd",
		"/./agents/py/x", // from the default agent into a named one
		"/x/../agents/py/x",
		"/x/%2e%2e/agents/main/x",
	}
	for _, target := range refused {
		t.Run("refused "+target, func(t *testing.T) {
			def.take() // left by a failed case
			py.take()
			for _, method := range []string{http.MethodGet, http.MethodPost} {
				resp, body := rawRequest(t, addr, method, target)
				if resp.StatusCode != http.StatusBadRequest {
					t.Fatalf("%s %s: status %d, want 400; body %s", method, target, resp.StatusCode, body)
				}
				var doc rpcErrorResponse
				if err := json.Unmarshal(body, &doc); err != nil || doc.JSONRPC != "2.0" || doc.Error.Code != codeInvalidRequest || string(doc.ID) != "null" {
					t.Fatalf("%s %s: body %s (%v), want a JSON-RPC invalid request error", method, target, body, err)
				}
				if got := resp.Header.Get("Content-Type"); got != "application/json" {
					t.Errorf("%s %s: Content-Type %q", method, target, got)
				}
			}
			if got := def.take() + py.take(); got != "" {
				t.Fatalf("%s reached an agent as %s", target, got)
			}
		})
	}

	for _, tc := range []struct {
		method, target string
		agent          *baseUpstream
		want           string // the path the agent receives
	}{
		{"POST", "/v1/message:stream", def, "/base/v1/message:stream"},
		{"POST", "/agents/py/v1/message:send", py, "/base/v1/message:send"},
		{"POST", "/agents/py/v1/message%3Asend", py, "/base/v1/message%3Asend"},
		{"GET", "/agents/py/.well-known/agent-card.json", py, "/base/.well-known/agent-card.json"},
		{"GET", "/.well-known/agent-card.json", def, "/base/.well-known/agent-card.json"},
		{"GET", "/agents/py/a%20b", py, "/base/a%20b"},
		{"GET", "/agents/py/v1/tasks/a%2Fb", py, "/base/v1/tasks/a%2Fb"},
		{"GET", "/agents/py/v1/tasks/a..b", py, "/base/v1/tasks/a..b"},
		// Decoded once, "%252e%252e" is the literal "%2e%2e": not a dot segment.
		{"GET", "/agents/py/%252e%252e/x", py, "/base/%252e%252e/x"},
		{"GET", "/%252e%252e/%252E%252E/x", def, "/base/%252e%252e/%252E%252E/x"},
		// Inside the agent after resolution: forwarded resolved.
		{"GET", "/agents/py/./x", py, "/base/x"},
		{"GET", "/agents/py/x/../y", py, "/base/y"},
		{"GET", "/agents/py/x/%2e%2e/y", py, "/base/y"},
		{"GET", "/agents/py/x/..", py, "/base/"},
		{"GET", "/x/%2E%2e/y", def, "/base/y"},
		{"GET", "/x/.", def, "/base/x/"},
		// gin routes on the decoded path, so an escaped letter in the
		// prefix still names the agent, and only what is below it is sent.
		{"GET", "/agents/p%79/x", py, "/base/x"},
		{"GET", "/%61gents/py/x", py, "/base/x"},
	} {
		t.Run("served "+tc.target, func(t *testing.T) {
			def.take()
			py.take()
			resp, body := rawRequest(t, addr, tc.method, tc.target)
			if resp.StatusCode != http.StatusOK {
				t.Fatalf("%s %s: status %d, body %s", tc.method, tc.target, resp.StatusCode, body)
			}
			if got := tc.agent.take(); got != tc.want {
				t.Fatalf("%s %s: the agent received %q, want %q", tc.method, tc.target, got, tc.want)
			}
			if got := def.take() + py.take(); got != "" {
				t.Fatalf("%s %s: the other agent received %q", tc.method, tc.target, got)
			}
		})
	}
}
