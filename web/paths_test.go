package web_test

import (
	"bufio"
	"encoding/json"
	"fmt"
	"io"
	"net"
	"net/http"
	"strings"
	"testing"
	"time"

	"github.com/a2aproxy/a2a-proxy/web"
)

// rawRequest sends target as it is on the request line, which Go's client
// would clean first, and returns the response and its body.
func rawRequest(t *testing.T, addr, method, target, token string) (*http.Response, []byte) {
	t.Helper()
	conn, err := net.DialTimeout("tcp", addr, 10*time.Second)
	if err != nil {
		t.Fatal(err)
	}
	defer conn.Close()
	_ = conn.SetDeadline(time.Now().Add(10 * time.Second))
	body := ""
	if method == http.MethodPost {
		body = `{"jsonrpc":"2.0","id":7,"method":"tasks/get","params":{"id":"task-r"}}`
	}
	fmt.Fprintf(conn, "%s %s HTTP/1.1\r\nHost: admin.test\r\nAuthorization: Bearer %s\r\nContent-Type: application/json\r\nContent-Length: %d\r\nConnection: close\r\n\r\n%s",
		method, target, token, len(body), body)
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

// TestAdminPathsWithDotSegmentsAreRefused pins that no "." or ".." segment,
// encoded or not, reaches the admin plane's router: "/replay/../api/tasks"
// and ids of ".." get 400 with the API's JSON error (with or without the
// token, before it is checked), while ids with dots inside and
// double-encoded dots are ids like any other.
func TestAdminPathsWithDotSegmentsAreRefused(t *testing.T) {
	srv, _ := replayServer(t, "tok")
	addr := srv.Listener.Addr().String()
	for _, target := range []string{
		"/replay/../api/tasks",
		"/replay/%2e%2e/api/tasks",
		"/replay/.%2E/api/tasks",
		"/replay/..",
		"/replay/%2E",
		"/replay/./task-r/.well-known/agent-card.json",
		"/replay/task-r/../../api/tasks",
		"/replay/task-r/..%2f..%2fapi%2ftasks",
		"/replay/task-r/%2e%2e",
		"/api/tasks/..",
		"/api/tasks/%2e%2e",
		"/api/tasks/.%2e/export",
		"/api/tasks/task-r/..",
		"/api/tasks/task-r/%2e%2e/replay",
		"/api/tasks/..%2ftask-r",
		"/api/tasks/task-r%2f..",
		"/api/contexts/%2e%2e",
		"/api/contexts/../tasks",
		"/api/contexts/ctx-r/../export",
		"/tasks/..",
		"/static/../api/tasks",
		`/api/tasks/..\task-r`,
	} {
		for _, method := range []string{http.MethodGet, http.MethodPost} {
			for _, token := range []string{"tok", "wrong"} {
				resp, body := rawRequest(t, addr, method, target, token)
				var doc errorDoc
				if resp.StatusCode != http.StatusBadRequest || json.Unmarshal(body, &doc) != nil || doc.Error.Code != web.CodeBadRequest {
					t.Errorf("%s %s (token %s) = %d %s, want 400 bad_request", method, target, token, resp.StatusCode, body)
					continue
				}
				if ct := resp.Header.Get("Content-Type"); !strings.HasPrefix(ct, "application/json") || resp.Header.Get("Content-Security-Policy") == "" {
					t.Errorf("%s %s: Content-Type %q, CSP %q", method, target, ct, resp.Header.Get("Content-Security-Policy"))
				}
			}
		}
	}

	for _, tc := range []struct {
		method, target string
		status         int
	}{
		{"GET", "/replay/task-r/.well-known/agent-card.json", http.StatusOK},
		{"POST", "/replay/task-r/", http.StatusOK},
		{"GET", "/api/tasks/task-r", http.StatusOK},
		{"GET", "/api/contexts/ctx-r", http.StatusOK},
		{"GET", "/api/tasks/a..b", http.StatusNotFound},       // dots inside an id
		{"GET", "/api/tasks/%252e%252e", http.StatusNotFound}, // the literal id "%2e%2e"
		{"GET", "/replay/%252e%252e/", http.StatusNotFound},   // likewise
		{"GET", "/api/tasks/task%20r", http.StatusNotFound},   // an encoded space
	} {
		resp, body := rawRequest(t, addr, tc.method, tc.target, "tok")
		if resp.StatusCode != tc.status {
			t.Errorf("%s %s = %d %s, want %d", tc.method, tc.target, resp.StatusCode, body, tc.status)
		}
	}
}
