package proxy

import (
	"bufio"
	"context"
	"fmt"
	"io"
	"math"
	"net"
	"net/http"

	"github.com/a2aproxy/a2a-proxy/internal/a2awire"
)

// streamTransport is the default Transport. The upstream call of a
// streaming method gets a connection of its own, written and read on the
// caller's goroutine: http.Transport would keep two goroutines and their
// buffers per connection for as long as the stream is open, most of an idle
// stream's cost once the client side is detached. Other calls, and calls
// through a proxy from the environment, go through the pooled transport.
type streamTransport struct {
	pooled *http.Transport
	dialer *net.Dialer
}

// Bounds of a stream connection's response head and read buffer: the
// buffer carries chunk size lines (longer lines of the head are read in
// pieces), and larger reads of the body bypass it.
const (
	streamHeadBytes   = 1 << 20
	streamReadBufSize = 1 << 10
)

func (t *streamTransport) RoundTrip(req *http.Request) (*http.Response, error) {
	ex, ok := req.Context().Value(exchangeKey{}).(*exchange)
	if !ok || !a2awire.IsStreamingMethod(ex.req.Method) || req.URL.Scheme != "http" {
		return t.pooled.RoundTrip(req)
	}
	if t.pooled.Proxy != nil {
		if u, err := t.pooled.Proxy(req); err != nil || u != nil {
			return t.pooled.RoundTrip(req)
		}
	}
	return t.stream(req)
}

func (t *streamTransport) stream(req *http.Request) (*http.Response, error) {
	ctx := req.Context()
	addr := req.URL.Host
	if req.URL.Port() == "" {
		addr = net.JoinHostPort(req.URL.Hostname(), "80")
	}
	conn, err := t.dialer.DialContext(ctx, "tcp", addr)
	if err != nil {
		return nil, fmt.Errorf("dial agent: %w", err)
	}
	// Cut by the exchange's context, with no goroutine waiting on it.
	stop := context.AfterFunc(ctx, func() { conn.Close() })
	fail := func(err error) (*http.Response, error) {
		stop()
		conn.Close()
		if ctx.Err() != nil {
			return nil, context.Cause(ctx)
		}
		return nil, err
	}
	bw := bufio.NewWriterSize(conn, 1<<10)
	if err := req.Write(bw); err != nil {
		return fail(fmt.Errorf("write request: %w", err))
	}
	if err := bw.Flush(); err != nil {
		return fail(fmt.Errorf("write request: %w", err))
	}
	head := &io.LimitedReader{R: conn, N: streamHeadBytes}
	br := bufio.NewReaderSize(head, streamReadBufSize)
	var resp *http.Response
	for {
		if resp, err = http.ReadResponse(br, req); err != nil {
			return fail(fmt.Errorf("read response: %w", err))
		}
		if resp.StatusCode >= 200 || resp.StatusCode == http.StatusSwitchingProtocols {
			break
		}
		resp.Body.Close() // 1xx: the real response follows
	}
	head.N = math.MaxInt64
	resp.Body = &streamBody{body: resp.Body, conn: conn, stop: stop, ctx: ctx}
	return resp, nil
}

// streamBody is a stream connection's response body; closing it closes the
// connection.
type streamBody struct {
	body io.ReadCloser
	conn net.Conn
	stop func() bool
	ctx  context.Context
}

func (b *streamBody) Read(p []byte) (int, error) {
	n, err := b.body.Read(p)
	if err != nil && err != io.EOF && b.ctx.Err() != nil {
		err = context.Cause(b.ctx) // not "use of closed network connection"
	}
	return n, err
}

func (b *streamBody) Close() error {
	b.stop()
	return b.conn.Close()
}
