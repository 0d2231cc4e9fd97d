// Package proxy is the data plane: a reverse proxy for A2A agents that passes
// every byte through unchanged, flushes each Server-Sent Event as it arrives,
// rewrites agent cards so clients stay on the proxy, and hands a copy of each
// exchange and event to a Recorder without ever waiting for it. Each exchange
// is also an OpenTelemetry trace: a SERVER span for the client's request, a
// CLIENT span for the upstream call, a span event per A2A event.
package proxy

import (
	"context"
	"errors"
	"fmt"
	"log/slog"
	"net"
	"net/http"
	"net/http/httputil"
	"net/url"
	"strings"
	"sync"
	"sync/atomic"
	"time"

	"github.com/gin-gonic/gin"
	"go.opentelemetry.io/otel/metric"
	"go.opentelemetry.io/otel/propagation"
	"go.opentelemetry.io/otel/trace"

	"github.com/a2aproxy/a2a-proxy/internal/forwarded"
	"github.com/a2aproxy/a2a-proxy/internal/redact"
	"github.com/a2aproxy/a2a-proxy/recorder"
)

// DefaultMaxBodyBytes is the default request body limit.
const DefaultMaxBodyBytes = 10 << 20

// Defaults of the limits an agent that misbehaves runs into.
const (
	DefaultMaxEventBytes         = 16 << 20
	DefaultUpstreamHeaderTimeout = 30 * time.Second
	DefaultStreamIdleTimeout     = 5 * time.Minute
)

// Recorder receives what passes through the proxy. The proxy calls it from
// request goroutines; RecordEvent must not block in drop mode.
type Recorder interface {
	StartExchange(*recorder.Exchange)
	// RecordEvent takes ownership of the event; it returns false when the
	// event was dropped.
	RecordEvent(*recorder.Event) bool
	FinishExchange(*recorder.ExchangeEnd)
}

// Options configure a Proxy.
type Options struct {
	// Agents are the upstreams; the first is the default agent, served at "/".
	// Only these are ever reached.
	Agents []Agent
	// Recorder gets every exchange and event, redacted by Redactor. If nil,
	// nothing is recorded.
	Recorder Recorder
	// Redactor removes secrets from what is recorded (headers, query values,
	// JSON fields) and from the upstream URL on spans. If nil,
	// redact.Default() is used.
	Redactor *redact.Redactor
	// PublicURL is the base URL clients use to reach the proxy, for card
	// rewriting. If nil, it is taken from each request's Host, or its
	// X-Forwarded-Proto / X-Forwarded-Host headers when TrustForwarded
	// trusts the peer.
	PublicURL *url.URL
	// TrustForwarded says whose X-Forwarded-* headers name the public URL.
	// The zero value trusts no one.
	TrustForwarded forwarded.Trust
	// MaxBodyBytes limits request bodies; larger ones get 413. If zero,
	// DefaultMaxBodyBytes is used.
	MaxBodyBytes int64
	// MaxRecordedBytes caps what is stored of a request body or a unary
	// response. If zero, MaxBodyBytes is used.
	MaxRecordedBytes int64
	// MaxEventBytes caps what is kept of one SSE event: a longer one still
	// reaches the client whole, but only its first MaxEventBytes are
	// recorded, flagged oversized. If zero, DefaultMaxEventBytes is used.
	MaxEventBytes int
	// UpstreamHeaderTimeout is how long the agent has to send its response
	// headers; past it the client gets 504 and the exchange ends
	// upstream_timeout. If zero, DefaultUpstreamHeaderTimeout is used; if
	// negative, there is no limit.
	UpstreamHeaderTimeout time.Duration
	// StreamIdleTimeout cuts a response body (a stream, mostly) that sends
	// no byte for that long, as a dead agent's would be cut; the exchange
	// ends upstream_timeout. If zero, DefaultStreamIdleTimeout is used; if
	// negative, there is no limit.
	StreamIdleTimeout time.Duration
	// Transport makes the upstream calls. If nil, a clone of
	// http.DefaultTransport sized for many concurrent streams is used, and
	// each streaming call to an http:// agent gets a connection of its own,
	// read without a goroutine of the transport's.
	Transport http.RoundTripper
	// Logger, if nil, is slog.Default().
	Logger *slog.Logger

	// TracerProvider makes a SERVER span per request and a CLIENT span per
	// upstream call. If nil, no spans are made (a no-op provider) and the
	// trace context the client sent reaches the agent unchanged.
	TracerProvider trace.TracerProvider
	// MeterProvider makes the proxy's metrics. If nil, none are made.
	MeterProvider metric.MeterProvider
	// Propagator reads the trace context of incoming requests and writes it
	// into upstream calls. If nil, otel.GetTextMapPropagator() is used.
	Propagator propagation.TextMapPropagator
	// SpanEventLimit caps the a2a.event span events of one span; the events
	// over it are only counted (a2a_proxy.event.omitted). If zero,
	// DefaultSpanEventLimit is used; if negative, no event is added.
	SpanEventLimit int
}

// Proxy is the data plane's http.Handler.
type Proxy struct {
	opts     Options
	agents   map[string]Agent
	fallback Agent // the default agent
	rp       *httputil.ReverseProxy
	engine   *gin.Engine
	log      *slog.Logger
	tel      *telemetry
	// cardTimeout bounds a directory card fetch: cardFetchTimeout, shorter
	// in tests.
	cardTimeout time.Duration

	// The cancel causes of exchanges the agent kept waiting.
	headerTimeout, idleTimeout *upstreamTimeout

	// abortCtx is cancelled by Abort to cut the exchanges still open when
	// the shutdown grace period is over.
	abortCtx context.Context
	abort    context.CancelFunc
	aborted  atomic.Bool
	open     sync.WaitGroup
}

// New checks the options and builds a Proxy.
func New(opts Options) (*Proxy, error) {
	if len(opts.Agents) == 0 {
		return nil, errors.New("proxy: no agents configured")
	}
	if opts.MaxBodyBytes <= 0 {
		opts.MaxBodyBytes = DefaultMaxBodyBytes
	}
	if opts.MaxRecordedBytes <= 0 {
		opts.MaxRecordedBytes = opts.MaxBodyBytes
	}
	if opts.MaxEventBytes <= 0 {
		opts.MaxEventBytes = DefaultMaxEventBytes
	}
	if opts.UpstreamHeaderTimeout == 0 {
		opts.UpstreamHeaderTimeout = DefaultUpstreamHeaderTimeout
	}
	if opts.StreamIdleTimeout == 0 {
		opts.StreamIdleTimeout = DefaultStreamIdleTimeout
	}
	if opts.Transport == nil {
		t := defaultTransport()
		opts.Transport = &streamTransport{pooled: t, dialer: upstreamDialer}
	}
	if opts.Logger == nil {
		opts.Logger = slog.Default()
	}
	if opts.Redactor == nil {
		opts.Redactor = redact.Default()
	}
	if opts.Recorder == nil {
		opts.Recorder = discard{}
	} else {
		opts.Recorder = redactingRecorder{next: opts.Recorder, r: opts.Redactor}
	}
	p := &Proxy{opts: opts, agents: make(map[string]Agent), fallback: opts.Agents[0], log: opts.Logger, cardTimeout: cardFetchTimeout}
	p.headerTimeout = &upstreamTimeout{waitingFor: "response headers", after: opts.UpstreamHeaderTimeout}
	p.idleTimeout = &upstreamTimeout{waitingFor: "byte of the response body", after: opts.StreamIdleTimeout}
	for _, a := range opts.Agents {
		if _, dup := p.agents[a.Name]; dup {
			return nil, fmt.Errorf("proxy: agent %q configured twice", a.Name)
		}
		p.agents[a.Name] = a
	}
	var err error
	if p.tel, err = newTelemetry(opts); err != nil {
		return nil, err
	}
	p.abortCtx, p.abort = context.WithCancel(context.Background())
	p.rp = &httputil.ReverseProxy{
		Rewrite:        p.rewrite,
		Transport:      opts.Transport,
		ModifyResponse: p.modifyResponse,
		ErrorHandler:   p.handleUpstreamError,
		BufferPool:     newBufferPool(),
		ErrorLog:       slog.NewLogLogger(opts.Logger.Handler(), slog.LevelDebug),
	}
	p.engine = p.routes()
	return p, nil
}

// ServeHTTP serves the data plane.
func (p *Proxy) ServeHTTP(w http.ResponseWriter, r *http.Request) {
	if r = p.insideAgent(w, r); r != nil {
		p.engine.ServeHTTP(w, r)
	}
}

// Wait blocks until no exchange is open.
func (p *Proxy) Wait() { p.open.Wait() }

// WaitContext is Wait until ctx is done. http.Server.Shutdown does not wait
// for the streams, as they are taken off its connections: this does.
func (p *Proxy) WaitContext(ctx context.Context) error {
	done := make(chan struct{})
	go func() { p.open.Wait(); close(done) }()
	select {
	case <-done:
		return nil
	case <-ctx.Done():
		return ctx.Err()
	}
}

// Abort cuts every open exchange (recorded with outcome "shutdown") and
// waits until each is recorded. Streams that finish by themselves first are
// not affected; call it once the shutdown grace period is over.
func (p *Proxy) Abort() {
	p.aborted.Store(true)
	p.abort()
	p.open.Wait()
}

func (p *Proxy) routes() *gin.Engine {
	e := gin.New()
	e.RedirectTrailingSlash = false
	e.RedirectFixedPath = false
	e.Use(recoverKeepingAborts(p.log))
	e.GET("/healthz", func(c *gin.Context) { c.JSON(http.StatusOK, gin.H{"status": "ok"}) })
	e.Any("/agents/:name", p.serveNamedAgent)
	e.Any("/agents/:name/*rest", p.serveNamedAgent)
	e.NoRoute(func(c *gin.Context) { p.serve(c.Writer, c.Request, p.fallback, "") })
	return e
}

func (p *Proxy) serveNamedAgent(c *gin.Context) {
	name := c.Param("name")
	agent, ok := p.agents[name]
	if !ok {
		writeJSONRPCError(c.Writer, http.StatusNotFound, nil, codeMethodNotFound,
			fmt.Sprintf("no agent named %q is configured", name))
		return
	}
	p.serve(c.Writer, c.Request, agent, "/agents/"+name)
}

// recoverKeepingAborts logs panics as errors, except http.ErrAbortHandler,
// which it re-raises: that is how ReverseProxy cuts a client's connection
// when the upstream dies mid-stream, and gin's own Recovery would turn it
// into a clean end the client cannot tell from success.
func recoverKeepingAborts(log *slog.Logger) gin.HandlerFunc {
	return func(c *gin.Context) {
		defer func() {
			if v := recover(); v != nil {
				if err, ok := v.(error); ok && errors.Is(err, http.ErrAbortHandler) {
					panic(v)
				}
				log.Error("proxy panic", "panic", v, "path", c.Request.URL.Path)
				if !c.Writer.Written() {
					writeJSONRPCError(c.Writer, http.StatusInternalServerError, nil, codeInternalError, "internal proxy error")
				}
			}
		}()
		c.Next()
	}
}

// publicBase is the URL at which clients reach an agent through the proxy.
func (p *Proxy) publicBase(r *http.Request, prefix string) *url.URL {
	if pub := p.opts.PublicURL; pub != nil {
		u := *pub
		u.Path = strings.TrimSuffix(u.Path, "/") + prefix
		return &u
	}
	scheme, host := p.opts.TrustForwarded.Origin(r)
	return &url.URL{Scheme: scheme, Host: host, Path: prefix}
}

var upstreamDialer = &net.Dialer{Timeout: 10 * time.Second, KeepAlive: 30 * time.Second}

func defaultTransport() *http.Transport {
	t := http.DefaultTransport.(*http.Transport).Clone()
	// Every open stream holds a connection; keep enough idle ones for the
	// next burst instead of dialing anew.
	t.MaxIdleConns = 1024
	t.MaxIdleConnsPerHost = 512
	t.IdleConnTimeout = 90 * time.Second
	t.DialContext = upstreamDialer.DialContext
	// The write buffer is held for the connection's life but only carries
	// the request, which is small; a larger one goes out in a few writes.
	t.WriteBufferSize = 1 << 10
	return t
}

// copyBufferSize is the size of ReverseProxy's copy buffers. A stream
// holds its buffer as long as it is open, idle or not, so it is sized for
// events, not bulk transfer: one buffer takes a typical event in one read,
// and as it is as large as the transport's read buffer (4 KiB by default),
// the larger reads of a large event bypass that buffer.
const copyBufferSize = 4 << 10

// bufferPool reuses ReverseProxy's copy buffers.
type bufferPool struct{ pool sync.Pool }

func newBufferPool() *bufferPool {
	return &bufferPool{pool: sync.Pool{New: func() any { b := make([]byte, copyBufferSize); return &b }}}
}

func (b *bufferPool) Get() []byte  { return *b.pool.Get().(*[]byte) }
func (b *bufferPool) Put(p []byte) { b.pool.Put(&p) }

var _ httputil.BufferPool = (*bufferPool)(nil)

// discard is the Recorder used when none is configured.
type discard struct{}

func (discard) StartExchange(*recorder.Exchange)     {}
func (discard) RecordEvent(*recorder.Event) bool     { return true }
func (discard) FinishExchange(*recorder.ExchangeEnd) {}
