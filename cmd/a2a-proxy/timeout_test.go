package main

import (
	"context"
	"flag"
	"io"
	"net"
	"net/http"
	"strings"
	"testing"
	"time"

	"github.com/a2aproxy/a2a-proxy/recorder"
)

// With the real server, an agent that accepts and never answers gets the
// client a 504 carrying the request's JSON-RPC id after
// --upstream-header-timeout, and the store says upstream_timeout.
func TestServeUpstreamHeaderTimeout(t *testing.T) {
	ln, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		t.Fatal(err)
	}
	defer ln.Close()
	go func() { // accept, hold, never answer
		for {
			c, err := ln.Accept()
			if err != nil {
				return
			}
			defer c.Close()
		}
	}()
	s := startServer(t, func(c *ServeConfig) {
		c.Builtin = false
		c.Agents = []string{"silent=http://" + ln.Addr().String()}
		c.UpstreamHeaderTimeout = 200 * time.Millisecond
	})
	body := `{"jsonrpc":"2.0","id":"hdr-1","method":"message/send","params":{"message":{"kind":"message","role":"user","messageId":"m","taskId":"T-silent","parts":[{"kind":"text","text":"hi"}]}}}`
	resp, err := http.Post(s.DataURL()+"/", "application/json", strings.NewReader(body))
	if err != nil {
		t.Fatal(err)
	}
	got, _ := io.ReadAll(resp.Body)
	resp.Body.Close()
	if resp.StatusCode != http.StatusGatewayTimeout || !strings.Contains(string(got), `"id":"hdr-1"`) {
		t.Fatalf("status %d body %s, want 504 with the request's id", resp.StatusCode, got)
	}
	ctx, cancel := context.WithTimeout(context.Background(), 10*time.Second)
	defer cancel()
	if err := s.Store().Flush(ctx); err != nil {
		t.Fatal(err)
	}
	detail, err := s.Store().GetTask(ctx, "T-silent")
	if err != nil || len(detail.Exchanges) != 1 || detail.Exchanges[0].Outcome != recorder.OutcomeUpstreamTimeout {
		t.Fatalf("stored %+v (%v), want one upstream_timeout exchange", detail, err)
	}
}

// On the command line 0 turns a timeout off; proxy.Options takes that as a
// negative value (its zero means the default).
func TestTimeoutFlagsZeroMeansNoLimit(t *testing.T) {
	var c ServeConfig
	fs := flag.NewFlagSet("serve", flag.ContinueOnError)
	c.register(fs)
	if err := fs.Parse([]string{"--stream-idle-timeout", "0"}); err != nil {
		t.Fatal(err)
	}
	if got := timeoutFlag(c.StreamIdleTimeout); got >= 0 {
		t.Errorf("--stream-idle-timeout 0 passes %v to the proxy, want a negative value (no limit)", got)
	}
	if c.UpstreamHeaderTimeout != 30*time.Second || timeoutFlag(c.UpstreamHeaderTimeout) != 30*time.Second {
		t.Errorf("--upstream-header-timeout default %v", c.UpstreamHeaderTimeout)
	}
}
