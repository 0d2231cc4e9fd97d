package main

import (
	"bufio"
	"fmt"
	"io"
	"net"
	"net/http"
	"net/http/httptest"
	"net/url"
	"strings"
	"testing"
	"time"
)

// TestServePathsStayInsideTheAgent pins, on the real server, that both
// planes resolve dot segments before routing: a traversal on the data plane
// is refused with 400 and never reaches the agent (served under /base), one
// on the admin plane gets the API's 400, and a plain card fetch still works.
func TestServePathsStayInsideTheAgent(t *testing.T) {
	up := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		if decoded, _ := url.PathUnescape(r.RequestURI); !strings.HasPrefix(r.RequestURI, "/base/") || strings.Contains(decoded, "..") {
			t.Errorf("the agent received %s %s: outside /base", r.Method, r.RequestURI)
		}
		w.Header().Set("Content-Type", "application/json")
		fmt.Fprintf(w, `{"name":"up","url":"http://%s/base/"}`, r.Host)
	}))
	t.Cleanup(up.Close)
	s := startServer(t, func(c *ServeConfig) {
		c.Builtin = false
		c.Agents = []string{"py=" + up.URL + "/base"}
	})
	data := strings.TrimPrefix(s.DataURL(), "http://")
	admin := strings.TrimPrefix(s.AdminURL(), "http://")
	for _, tc := range []struct {
		addr, target string
		status       int
		body         string // a part of the body
	}{
		{data, "/agents/py/../../etc/passwd", http.StatusBadRequest, `"jsonrpc":"2.0"`},
		{data, "/agents/py/%2e%2e/%2E%2e/etc/passwd", http.StatusBadRequest, `"code":-32600`},
		{data, "/%2e%2e/etc/passwd", http.StatusBadRequest, `"code":-32600`},
		{data, "/agents/py/..%2f..%2fetc/passwd", http.StatusBadRequest, `"code":-32600`},
		{data, "/agents/py/.well-known/agent-card.json", http.StatusOK, `"name":"up"`},
		{admin, "/replay/../api/tasks", http.StatusBadRequest, `"code":"bad_request"`},
		{admin, "/api/tasks/%2e%2e", http.StatusBadRequest, `"code":"bad_request"`},
	} {
		status, body := rawGet(t, tc.addr, tc.target)
		if status != tc.status || !strings.Contains(body, tc.body) {
			t.Errorf("GET %s on %s = %d %s, want %d with %s", tc.target, tc.addr, status, body, tc.status, tc.body)
		}
	}
}

// rawGet sends target as it is on the request line, which Go's client would
// clean first.
func rawGet(t *testing.T, addr, target string) (int, string) {
	t.Helper()
	conn, err := net.DialTimeout("tcp", addr, 10*time.Second)
	if err != nil {
		t.Fatal(err)
	}
	defer conn.Close()
	_ = conn.SetDeadline(time.Now().Add(10 * time.Second))
	fmt.Fprintf(conn, "GET %s HTTP/1.1\r\nHost: %s\r\nConnection: close\r\n\r\n", target, addr)
	resp, err := http.ReadResponse(bufio.NewReader(conn), nil)
	if err != nil {
		t.Fatalf("GET %s: %v", target, err)
	}
	defer resp.Body.Close()
	body, err := io.ReadAll(resp.Body)
	if err != nil {
		t.Fatalf("GET %s: read body: %v", target, err)
	}
	return resp.StatusCode, string(body)
}
