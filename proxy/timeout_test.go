package proxy

import (
	"context"
	"encoding/json"
	"io"
	"net"
	"net/http"
	"net/http/httptest"
	"strings"
	"testing"
	"time"

	"github.com/a2aproxy/a2a-proxy/recorder"
)

// shortTimeout is the timeout the tests configure: long enough for loopback,
// short enough that the tests take a fraction of a second.
const shortTimeout = 200 * time.Millisecond

// silentAgent accepts connections and never answers. Each accepted
// connection is sent on conns, so a test can watch the proxy hang up.
func silentAgent(t *testing.T) (url string, conns <-chan net.Conn) {
	t.Helper()
	ln, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		t.Fatal(err)
	}
	ch := make(chan net.Conn, 10)
	t.Cleanup(func() {
		ln.Close()
		for {
			select {
			case c := <-ch:
				c.Close()
			default:
				return
			}
		}
	})
	go func() {
		for {
			c, err := ln.Accept()
			if err != nil {
				return
			}
			ch <- c
		}
	}()
	return "http://" + ln.Addr().String(), ch
}

// An agent that takes the request and never sends response headers gets
// the client a 504 after --upstream-header-timeout, in the error shape of
// the request's binding (a JSON-RPC error with the request's id, or a
// google.rpc.Status), recorded as upstream_timeout; and the proxy hangs up
// on the agent.
func TestUpstreamHeaderTimeout(t *testing.T) {
	tests := []struct {
		name, path, body string
		check            func(t *testing.T, body []byte)
	}{
		{"JSON-RPC", "/", `{"jsonrpc":"2.0","id":"req-7","method":"message/send","params":{}}`, func(t *testing.T, body []byte) {
			var got struct {
				ID    string   `json:"id"`
				Error rpcError `json:"error"`
			}
			if err := json.Unmarshal(body, &got); err != nil || got.ID != "req-7" || got.Error.Code != codeInternalError {
				t.Fatalf("body %s (%v), want a JSON-RPC error with id req-7", body, err)
			}
		}},
		{"JSON-RPC stream", "/", `{"jsonrpc":"2.0","id":"req-8","method":"message/stream","params":{}}`, func(t *testing.T, body []byte) {
			var got struct {
				ID string `json:"id"`
			}
			if err := json.Unmarshal(body, &got); err != nil || got.ID != "req-8" {
				t.Fatalf("body %s (%v), want a JSON-RPC error with id req-8", body, err)
			}
		}},
		{"REST", "/v1/message:send", `{"message":{"messageId":"m"}}`, func(t *testing.T, body []byte) {
			var got struct {
				Error struct {
					Code   int    `json:"code"`
					Status string `json:"status"`
				} `json:"error"`
			}
			if err := json.Unmarshal(body, &got); err != nil || got.Error.Code != 504 || got.Error.Status != "DEADLINE_EXCEEDED" {
				t.Fatalf("body %s (%v), want a google.rpc.Status DEADLINE_EXCEEDED", body, err)
			}
		}},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			url, conns := silentAgent(t)
			srv, rec := startProxyTo(t, url, func(o *Options) { o.UpstreamHeaderTimeout = shortTimeout })
			start := time.Now()
			resp, err := http.Post(srv.URL+tt.path, "application/json", strings.NewReader(tt.body))
			if err != nil {
				t.Fatal(err)
			}
			body, _ := io.ReadAll(resp.Body)
			resp.Body.Close()
			if took := time.Since(start); resp.StatusCode != http.StatusGatewayTimeout || took < shortTimeout {
				t.Fatalf("status %d after %v, want 504 after %v", resp.StatusCode, took, shortTimeout)
			}
			tt.check(t, body)
			end, _ := rec.waitEnd(t)
			if end.Outcome != recorder.OutcomeUpstreamTimeout || end.Status != http.StatusGatewayTimeout || !strings.Contains(end.Error, "response headers") {
				t.Fatalf("end = %+v, want upstream_timeout", end)
			}
			conn := within(t, conns, "the agent's connection")
			defer conn.Close()
			conn.SetReadDeadline(time.Now().Add(waitTimeout))
			if _, err := io.ReadAll(conn); err != nil { // EOF: the proxy hung up
				t.Fatalf("the proxy kept the silent agent's connection: %v", err)
			}
		})
	}
}

// A body that sends nothing for --stream-idle-timeout is cut: the client
// sees a broken response, not a clean end, the exchange is upstream_timeout
// (not upstream_error), what came before the stall is recorded, and the
// agent's request is cancelled.
func TestStreamIdleTimeoutCutsAStalledBody(t *testing.T) {
	tests := []struct {
		name     string
		sent     string // what the agent sends before it stalls
		received string // what the client gets of it
		start    func(w http.ResponseWriter)
	}{
		{"stream", a2aEvents[0], a2aEvents[0], sseHeaders},
		// Not flushed: the client sees the connection close before any header.
		{"unary body", `{"jsonrpc":`, "", func(w http.ResponseWriter) {
			w.Header().Set("Content-Type", "application/json")
			w.Header().Set("Content-Length", "1000")
			w.WriteHeader(http.StatusOK)
		}},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			agentCancelled := make(chan struct{})
			srv, rec, _ := startProxy(t, http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
				tt.start(w)
				io.WriteString(w, tt.sent)
				w.(http.Flusher).Flush()
				<-r.Context().Done() // stalls until the proxy hangs up
				close(agentCancelled)
			}), func(o *Options) { o.StreamIdleTimeout = shortTimeout })
			start := time.Now()
			var body []byte
			resp, err := http.Post(srv.URL, "application/json", strings.NewReader(streamRequest))
			if err == nil {
				body, err = io.ReadAll(resp.Body)
				resp.Body.Close()
			}
			if err == nil { // ReadAll takes a clean end for nil; a cut is an error
				t.Fatalf("client read the cut body as a clean end")
			}
			if took := time.Since(start); string(body) != tt.received || took < shortTimeout {
				t.Fatalf("client got %q, cut after %v", body, took)
			}
			within(t, agentCancelled, "the agent's request to be cancelled")
			end, evs := rec.waitEnd(t)
			if end.Outcome != recorder.OutcomeUpstreamTimeout || !strings.Contains(end.Error, "200ms") {
				t.Fatalf("end = %+v, want upstream_timeout", end)
			}
			if string(joinRaw(evs)) != tt.sent {
				t.Fatalf("recorded %q, want what came before the stall", joinRaw(evs))
			}
		})
	}
}

// The idle timeout is the longest gap between bytes, not a limit on the
// stream: events 50ms apart run on for longer than a 500ms timeout. (The
// margin, 450ms per gap, is far beyond loopback scheduling jitter.)
func TestStreamIdleTimeoutCountsFromTheLastByte(t *testing.T) {
	const idle, gap, n = 500 * time.Millisecond, 50 * time.Millisecond, 15
	srv, rec, _ := startProxy(t, http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		sseHeaders(w)
		tick := time.NewTicker(gap)
		defer tick.Stop()
		for range n {
			io.WriteString(w, a2aEvents[1])
			w.(http.Flusher).Flush()
			<-tick.C
		}
	}), func(o *Options) { o.StreamIdleTimeout = idle })
	start := time.Now()
	resp := postStream(t, context.Background(), srv.URL)
	body, err := io.ReadAll(resp.Body)
	if err != nil || string(body) != strings.Repeat(a2aEvents[1], n) {
		t.Fatalf("stream cut after %v: %d bytes (%v)", time.Since(start), len(body), err)
	}
	if took := time.Since(start); took <= idle {
		t.Fatalf("the stream took %v, not longer than the timeout: the test proves nothing", took)
	}
	if end, _ := rec.waitEnd(t); end.Outcome != recorder.OutcomeCompleted {
		t.Fatalf("end = %+v", end)
	}
}

// A negative StreamIdleTimeout (what --stream-idle-timeout 0 passes) lets a
// stream stay quiet: a stall three times the timeout the other tests use,
// ended by the agent itself, leaves the stream whole.
func TestStreamIdleTimeoutDisabled(t *testing.T) {
	srv, rec, _ := startProxy(t, http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		sseHeaders(w)
		io.WriteString(w, a2aEvents[0])
		w.(http.Flusher).Flush()
		select {
		case <-time.After(3 * shortTimeout): // the stall, ended by the agent
		case <-r.Context().Done():
			return
		}
		io.WriteString(w, a2aEvents[1])
	}), func(o *Options) { o.StreamIdleTimeout = -1 })
	resp := postStream(t, context.Background(), srv.URL)
	body, err := io.ReadAll(resp.Body)
	if err != nil || string(body) != a2aEvents[0]+a2aEvents[1] {
		t.Fatalf("client got %q (%v), want both events and a clean end", body, err)
	}
	end, evs := rec.waitEnd(t)
	if end.Outcome != recorder.OutcomeCompleted || len(evs) != 2 {
		t.Fatalf("end = %+v, %d events", end, len(evs))
	}
}

// startProxyTo serves a proxy in front of an agent at url.
func startProxyTo(t *testing.T, url string, mutate ...func(*Options)) (*httptest.Server, *memRecorder) {
	t.Helper()
	agent, err := NewAgent("test", url)
	if err != nil {
		t.Fatal(err)
	}
	rec := newMemRecorder()
	opts := Options{Agents: []Agent{agent}, Recorder: rec}
	for _, m := range mutate {
		m(&opts)
	}
	p, err := New(opts)
	if err != nil {
		t.Fatal(err)
	}
	srv := httptest.NewServer(p)
	t.Cleanup(srv.Close)
	return srv, rec
}
