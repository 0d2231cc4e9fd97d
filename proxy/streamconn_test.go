package proxy

import (
	"bufio"
	"context"
	"io"
	"net"
	"net/http"
	"net/http/httptest"
	"strings"
	"sync/atomic"
	"testing"

	"github.com/a2aproxy/a2a-proxy/recorder"
)

// With the default transport, each streaming call has a connection of its
// own, closed when the stream ends, while unary calls share pooled ones.
func TestStreamingCallsHaveTheirOwnConnection(t *testing.T) {
	var dialed atomic.Int32
	closed := make(chan struct{}, 10)
	up := httptest.NewUnstartedServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		io.ReadAll(r.Body)
		if strings.Contains(r.Header.Get("Content-Type"), "json") && r.URL.Query().Has("unary") {
			w.Header().Set("Content-Type", "application/json")
			io.WriteString(w, `{"jsonrpc":"2.0","id":1,"result":{"kind":"task","id":"T","contextId":"C","status":{"state":"completed"}}}`)
			return
		}
		sseHeaders(w)
		io.WriteString(w, a2aEvents[0])
	}))
	up.Config.ConnState = func(_ net.Conn, s http.ConnState) {
		switch s {
		case http.StateNew:
			dialed.Add(1)
		case http.StateClosed:
			closed <- struct{}{}
		}
	}
	up.Start()
	defer up.Close()
	srv, rec := startProxyTo(t, up.URL)
	for range 2 {
		resp := postStream(t, context.Background(), srv.URL)
		if got, err := io.ReadAll(resp.Body); err != nil || string(got) != a2aEvents[0] {
			t.Fatalf("stream %q %v", got, err)
		}
		if end, _ := rec.waitEnd(t); end.Outcome != recorder.OutcomeCompleted {
			t.Fatalf("end %+v", end)
		}
		within(t, closed, "the stream's connection to close")
	}
	for range 2 {
		resp, err := http.Post(srv.URL+"/?unary", "application/json",
			strings.NewReader(`{"jsonrpc":"2.0","id":1,"method":"message/send","params":{}}`))
		if err != nil {
			t.Fatal(err)
		}
		io.ReadAll(resp.Body)
		resp.Body.Close()
		rec.waitEnd(t)
	}
	if n := dialed.Load(); n != 3 {
		t.Fatalf("the agent saw %d connections, want 3: one per stream, one for both unary calls", n)
	}
}

// An agent whose response head never ends is cut at streamHeadBytes, not
// read into memory for ever; the client gets 502.
func TestStreamResponseHeadIsBounded(t *testing.T) {
	ln, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		t.Fatal(err)
	}
	defer ln.Close()
	go func() {
		conn, err := ln.Accept()
		if err != nil {
			return
		}
		defer conn.Close()
		bufio.NewReader(conn).ReadString('\n')
		io.WriteString(conn, "HTTP/1.1 200 OK\r\n")
		line := "X-Pad: " + strings.Repeat("a", 1000) + "\r\n"
		for {
			if _, err := io.WriteString(conn, line); err != nil {
				return // the proxy hung up
			}
		}
	}()
	srv, rec := startProxyTo(t, "http://"+ln.Addr().String())
	resp := postStream(t, context.Background(), srv.URL)
	if resp.StatusCode != http.StatusBadGateway {
		t.Fatalf("status %d, want 502", resp.StatusCode)
	}
	if end, _ := rec.waitEnd(t); end.Outcome != recorder.OutcomeUpstreamUnreachable {
		t.Fatalf("end %+v", end)
	}
}
