package main

import (
	"bufio"
	"bytes"
	"encoding/json"
	"fmt"
	"net/http"
	"slices"
	"strings"
	"testing"
	"time"

	"github.com/chromedp/chromedp"

	"github.com/a2aproxy/a2a-proxy/internal/a2awire"
	"github.com/a2aproxy/a2a-proxy/internal/browser"
)

// streamMessage sends text with message/stream (A2A v0.3 JSON-RPC) to the
// agent at baseURL, reads the whole stream and returns the task's id.
func streamMessage(t *testing.T, baseURL, text string) string {
	t.Helper()
	taskID, err := sendMessage(baseURL, text)
	if err != nil {
		t.Fatal(err)
	}
	return taskID
}

// sendMessage is streamMessage for goroutines other than the test's.
func sendMessage(baseURL, text string) (taskID string, err error) {
	body, _ := json.Marshal(map[string]any{
		"jsonrpc": "2.0", "id": 1, "method": "message/stream",
		"params": map[string]any{"message": map[string]any{
			"kind": "message", "role": "user", "messageId": fmt.Sprintf("m-%d", time.Now().UnixNano()),
			"parts": []any{map[string]any{"kind": "text", "text": text}},
		}},
	})
	resp, err := http.Post(baseURL, "application/json", bytes.NewReader(body))
	if err != nil {
		return "", err
	}
	defer resp.Body.Close()
	sc := bufio.NewScanner(resp.Body)
	for sc.Scan() {
		data, ok := strings.CutPrefix(sc.Text(), "data: ")
		if !ok || taskID != "" {
			continue
		}
		if ev, err := a2awire.ParseEvent([]byte(data)); err == nil {
			taskID = ev.TaskID
		}
	}
	if err := sc.Err(); err != nil || taskID == "" {
		return "", fmt.Errorf("message/stream to %s: task %q, %v", baseURL, taskID, err)
	}
	return taskID, nil
}

// eval returns the value of a JavaScript expression in the tab.
func eval[T any](t *testing.T, tab *browser.Tab, expression string) T {
	t.Helper()
	return browser.Get(t, tab, chromedp.Evaluate[T](expression))
}

// assertNoProblems fails the test if the page logged an error, broke the
// Content-Security-Policy or opened a dialog, unless the problem contains
// one of the expected strings.
func assertNoProblems(t *testing.T, tab *browser.Tab, expected ...string) {
	t.Helper()
	for _, p := range tab.Problems() {
		if !slices.ContainsFunc(expected, func(e string) bool { return strings.Contains(p, e) }) {
			t.Errorf("page problem: %s", p)
		}
	}
}

// contains reports whether s holds every one of subs.
func contains(s string, subs ...string) bool {
	for _, sub := range subs {
		if !strings.Contains(s, sub) {
			return false
		}
	}
	return true
}
