package main

import (
	"cmp"
	"context"
	"errors"
	"flag"
	"fmt"
	"io"
	"log/slog"
	"net"
	"net/http"
	"net/url"
	"time"

	builtinagent "github.com/a2aproxy/a2a-proxy/builtin-agent"
	"github.com/a2aproxy/a2a-proxy/checks"
	"github.com/a2aproxy/a2a-proxy/internal/forwarded"
	"github.com/a2aproxy/a2a-proxy/internal/redact"
	"github.com/a2aproxy/a2a-proxy/proxy"
	"github.com/a2aproxy/a2a-proxy/recorder"
	"github.com/a2aproxy/a2a-proxy/web"
)

// ServeConfig is everything `a2a-proxy serve` is told by its flags.
type ServeConfig struct {
	Listen           string
	AdminListen      string
	AdminToken       string
	Builtin          bool
	BuiltinListen    string
	BuiltinStepDelay time.Duration
	DB               string
	Agents           []string
	PublicURL        string
	RecordMode       string
	RecordBuffer     byteSize // memory for items waiting for the recorder's writer
	MaxBodyBytes     byteSize
	ShutdownGrace    time.Duration
	LogLevel         string
	// JaegerURL is the base URL of a Jaeger UI ("http://localhost:16686"),
	// for the API and UI to link each exchange to {JaegerURL}/trace/{traceId}.
	// Empty: no links.
	JaegerURL      string
	SpanEventLimit int // a2a.event span events per span; 0: none
	// LiveChecks runs the conformance checks on each exchange as it ends;
	// off, findings come only from `a2a-proxy check`.
	LiveChecks bool
	// TrustForwarded is whose X-Forwarded-* headers name the URLs in cards:
	// "" (no one), "all", or networks like "10.0.0.0/8,127.0.0.1".
	TrustForwarded string
	// Redact* add names to what is redacted before storage (see
	// internal/redact): header words, JSON field names, query parameters.
	RedactHeaders []string
	RedactFields  []string
	RedactQuery   []string

	// MaxEventBytes caps what is recorded of one SSE event (0: the proxy's
	// default). UpstreamHeaderTimeout and StreamIdleTimeout bound how long
	// an agent may keep a client waiting (0: no limit).
	MaxEventBytes         byteSize
	UpstreamHeaderTimeout time.Duration
	StreamIdleTimeout     time.Duration
}

// Server is the running proxy: data plane, admin plane, built-in agent and
// recorder. End-to-end tests boot it on ":0" ports with a temporary database.
type Server struct {
	Config ServeConfig
	Stderr io.Writer

	log       *slog.Logger
	telemetry *telemetry
	store     *recorder.Recorder
	checker   *checks.Checker // conformance checks of the exchanges that end
	live      *web.Feed       // the recorder's committed events, for the admin plane's live pages
	proxy     *proxy.Proxy
	data      *server
	admin     *server
	builtin   *server
	trust     forwarded.Trust // of --trust-forwarded
}

// register declares the serve flags on fs. The agents list is read into
// c.Agents by the caller once fs is parsed.
func (c *ServeConfig) register(fs *flag.FlagSet) (agents *stringList) {
	agents = &stringList{}
	fs.StringVar(&c.Listen, "listen", ":8080", "data plane address: A2A traffic and /healthz; '' for none: the admin plane alone, on the store\nother replicas record into (a shared --db postgres://...), with no agents and no built-in agent unless --builtin is given")
	fs.StringVar(&c.AdminListen, "admin-listen", "127.0.0.1:8081", "admin plane address: JSON API at /api/")
	fs.StringVar(&c.AdminToken, "admin-token", "", "bearer token for the admin plane; required when --admin-listen is not loopback")
	fs.BoolVar(&c.Builtin, "builtin", true, "run the built-in streaming agent, registered as agent \"builtin\"")
	fs.StringVar(&c.BuiltinListen, "builtin-listen", "127.0.0.1:8001", "built-in agent address")
	fs.DurationVar(&c.BuiltinStepDelay, "builtin-step-delay", time.Second, "built-in agent's pause between progress steps (0: none)")
	fs.StringVar(&c.DB, "db", "a2a-proxy.db", "SQLite file, created and migrated on start")
	fs.Var(agents, "agent", "upstream agent as NAME=URL (repeatable); the first is the default agent, else builtin")
	fs.StringVar(&c.PublicURL, "public-url", "", "base URL clients use to reach the proxy, for agent card rewriting\n(default: from each request's Host, or X-Forwarded-* headers as --trust-forwarded allows)")
	fs.Var(optionalValue{&c.TrustForwarded}, "trust-forwarded", "with `[=NETWORKS]`, believe X-Forwarded-Proto and X-Forwarded-Host (for the URLs in agent and replay cards)\nfrom peers in those networks, like =10.0.0.0/8,127.0.0.1; bare or =all: from every peer.\nThe proxy in front must set these headers, not append to them (default: they are ignored)")
	fs.StringVar(&c.RecordMode, "record-mode", string(recorder.ModeDrop), "when the recorder falls behind: drop (count and drop events, never slow a client)\nor lossless (slow the stream down, keep every event)")
	c.RecordBuffer = recorder.DefaultBufferBytes
	fs.Var(&c.RecordBuffer, "record-buffer", "memory (a `size` like 256MiB) for what waits to be written to the database; a burst that fits is never dropped,\nbeyond it events are dropped (drop mode, counted in a2a_proxy_recorder_lost_total) or slowed down (lossless)")
	c.MaxBodyBytes, c.MaxEventBytes = proxy.DefaultMaxBodyBytes, proxy.DefaultMaxEventBytes
	fs.Var(&c.MaxBodyBytes, "max-body-bytes", "largest request body accepted (a `size` like 10MiB); larger ones get 413")
	fs.Var(&c.MaxEventBytes, "max-event-bytes", "most bytes recorded of one SSE event (a `size` like 16MiB): a longer one still reaches the client whole,\nbut only its first bytes are stored, flagged oversized")
	fs.DurationVar(&c.UpstreamHeaderTimeout, "upstream-header-timeout", proxy.DefaultUpstreamHeaderTimeout, "how long an agent may take to send its response headers; then the client gets 504 (0: no limit)")
	fs.DurationVar(&c.StreamIdleTimeout, "stream-idle-timeout", proxy.DefaultStreamIdleTimeout, "cut a response (a stream, mostly) whose agent sends no byte for this long (0: no limit)")
	fs.DurationVar(&c.ShutdownGrace, "shutdown-grace", 10*time.Second, "on SIGTERM, how long open streams may run before they are cut")
	fs.StringVar(&c.LogLevel, "log-level", "info", "debug, info, warn or error")
	fs.StringVar(&c.JaegerURL, "jaeger-url", "", "base URL of a Jaeger UI (like http://localhost:16686), for links from the API and UI to each trace;\ntraces are exported as the OTEL_* environment variables say")
	fs.BoolVar(&c.LiveChecks, "live-checks", true, "run the conformance checks on each exchange as it ends and store the findings\n(they cost about a third of the proxy's CPU per event; off, a2a-proxy check still checks on demand)")
	fs.IntVar(&c.SpanEventLimit, "trace-event-limit", proxy.DefaultSpanEventLimit, "span events (one per A2A event) per span; a longer stream's other events are only counted (0: none)")
	fs.Var(&stringList{to: &c.RedactHeaders}, "redact-header", "also redact headers whose name contains this word (repeatable; auth, token, key, secret,\npassword, session, cookie, signature and credential always are)")
	fs.Var(&stringList{to: &c.RedactFields}, "redact-field", "also redact JSON fields with this name or name word, in request bodies and events (repeatable)")
	fs.Var(&stringList{to: &c.RedactQuery}, "redact-query", "also redact query parameters with this name or name word (repeatable)")
	return agents
}

// Start opens the store, starts listening on every plane and serves in the
// background. It returns once all listeners are bound.
func (s *Server) Start(ctx context.Context) (err error) {
	cfg := s.Config
	if s.log, err = newLogger(s.Stderr, cfg.LogLevel); err != nil {
		return err
	}
	if err := checkAdminExposure(cfg.AdminListen, cfg.AdminToken); err != nil {
		return err
	}
	var publicURL *url.URL
	if cfg.PublicURL != "" {
		if publicURL, err = url.Parse(cfg.PublicURL); err != nil || publicURL.Host == "" {
			return fmt.Errorf("--public-url %q: want an absolute URL like http://proxy.example:8080", cfg.PublicURL)
		}
	}
	if err := checkJaegerURL(cfg.JaegerURL); err != nil {
		return err
	}
	if s.trust, err = forwarded.ParseTrust(cfg.TrustForwarded); err != nil {
		return fmt.Errorf("--trust-forwarded: %w", err)
	}
	defer func() {
		if err != nil {
			s.Close()
		}
	}()

	s.live = web.NewFeed()
	if s.telemetry, err = newTelemetry(ctx, cfg.SpanEventLimit, s.log); err != nil {
		return err
	}
	// The checker reads through the recorder, which calls it: it learns
	// its store once the recorder is open.
	var checkStore lateStore
	counted, err := s.telemetry.conformanceCounter()
	if err != nil {
		return err
	}
	recOpts := recorder.Options{
		Mode: recorder.Mode(cfg.RecordMode), BufferBytes: int64(cfg.RecordBuffer), Logger: s.log, OnCommit: s.live.Publish,
	}
	if cfg.LiveChecks {
		s.checker = checks.New(checks.Options{Store: &checkStore, OnFindings: counted, Logger: s.log.With("component", "checks")})
		recOpts.OnExchangesEnded = s.checker.Ended
	}
	s.store, err = openRecorder(ctx, cfg.DB, recOpts)
	if err != nil {
		return fmt.Errorf("open recording database: %w", err)
	}
	checkStore.set(s.store)
	if err := s.telemetry.observeRecorder(s.store); err != nil {
		return err
	}
	if s.checker != nil {
		if err := s.telemetry.observeChecker(s.checker); err != nil {
			return err
		}
	}

	if cfg.Listen == "" {
		return s.startAdminOnly()
	}
	var agents []proxy.Agent
	for _, spec := range cfg.Agents {
		a, err := proxy.ParseAgent(spec)
		if err != nil {
			return err
		}
		agents = append(agents, a)
	}
	if cfg.Builtin {
		base, err := s.listenBuiltin()
		if err != nil {
			return err
		}
		a, err := proxy.NewAgent("builtin", base)
		if err != nil {
			return err
		}
		agents = append(agents, a)
	}
	if len(agents) == 0 {
		return errors.New("no agents: pass --agent NAME=URL, or leave --builtin on")
	}

	s.proxy, err = proxy.New(proxy.Options{
		Agents:         agents,
		Recorder:       s.store,
		PublicURL:      publicURL,
		TrustForwarded: s.trust,
		MaxBodyBytes:   int64(cfg.MaxBodyBytes),
		Redactor:       redact.New(redact.Rules{Headers: cfg.RedactHeaders, Fields: cfg.RedactFields, Query: cfg.RedactQuery}),
		Logger:         s.log.With("component", "proxy"),
		TracerProvider: s.telemetry.tracerProvider,
		MeterProvider:  s.telemetry.meterProvider,
		Propagator:     s.telemetry.propagator,
		SpanEventLimit: spanEventLimitFlag(cfg.SpanEventLimit),

		MaxEventBytes:         int(cfg.MaxEventBytes),
		UpstreamHeaderTimeout: timeoutFlag(cfg.UpstreamHeaderTimeout),
		StreamIdleTimeout:     timeoutFlag(cfg.StreamIdleTimeout),
	})
	if err != nil {
		return err
	}
	if s.data, err = listen("data plane", cfg.Listen); err != nil {
		return err
	}
	s.data.srv.Handler = s.proxy
	if s.admin, err = listen("admin plane", cfg.AdminListen); err != nil {
		return err
	}
	s.admin.srv.Handler = s.adminHandler()

	for _, srv := range []*server{s.builtin, s.data, s.admin} {
		if srv != nil {
			go srv.serve(s.log)
		}
	}
	for _, a := range agents {
		s.log.Info("agent", "name", a.Name, "url", a.URL.String(), "via", s.DataURL()+"/agents/"+a.Name+"/", "default", a.Name == agents[0].Name)
	}
	s.log.Info("a2a-proxy serving", "data", s.DataURL(), "admin", s.AdminURL(), "db", displayDB(cfg.DB), "record_mode", cfg.RecordMode)
	return nil
}

// listenBuiltin binds the built-in agent and returns its base URL.
func (s *Server) listenBuiltin() (base string, err error) {
	if s.builtin, err = listen("built-in agent", s.Config.BuiltinListen); err != nil {
		return "", err
	}
	base = "http://" + s.builtin.addr() + "/"
	s.builtin.srv.Handler = s.telemetry.traceHandler(builtinagent.NewHandler(builtinagent.Options{
		URL: base, StepDelay: stepDelayFlag(s.Config.BuiltinStepDelay), Logger: s.log.With("component", "builtin-agent"),
	}), "builtin-agent")
	return base, nil
}

// startAdminOnly serves the admin plane alone (--listen ""): no proxy, so
// no agents; the built-in agent only when asked, as a plain upstream for
// the replicas that proxy.
func (s *Server) startAdminOnly() (err error) {
	if len(s.Config.Agents) > 0 {
		return errors.New("--agent needs the data plane: set --listen, or drop --agent for an admin-only replica")
	}
	if s.Config.Builtin {
		base, err := s.listenBuiltin()
		if err != nil {
			return err
		}
		s.log.Info("built-in agent, not proxied", "url", base)
	}
	if s.admin, err = listen("admin plane", s.Config.AdminListen); err != nil {
		return err
	}
	s.admin.srv.Handler = s.adminHandler()
	for _, srv := range []*server{s.builtin, s.admin} {
		if srv != nil {
			go srv.serve(s.log)
		}
	}
	s.log.Info("a2a-proxy serving", "data", "off", "admin", s.AdminURL(), "db", displayDB(s.Config.DB))
	return nil
}

// Shutdown stops accepting, lets open streams finish for the grace period,
// cuts the rest, then flushes the recorder and closes the database: nothing
// already received is lost.
func (s *Server) Shutdown(ctx context.Context) error {
	grace, cancel := context.WithTimeout(ctx, s.Config.ShutdownGrace)
	defer cancel()
	if s.data != nil {
		err := s.data.srv.Shutdown(grace)
		if err == nil {
			err = s.proxy.WaitContext(grace) // streams no longer on the server's connections
		}
		if err != nil {
			s.log.Warn("grace period over: cutting open streams", "err", err)
			s.proxy.Abort()
			s.data.srv.Close()
		}
		s.proxy.Wait()
	}
	return s.Close()
}

// Close stops everything at once and closes the database after it has
// written what it holds. It is safe on a partly started Server.
func (s *Server) Close() error {
	for _, srv := range []*server{s.data, s.admin, s.builtin} {
		if srv != nil {
			srv.srv.Close()
		}
	}
	if s.proxy != nil {
		s.proxy.Abort()
	}
	if s.store != nil && s.checker != nil {
		// The checks of the last exchanges are queued to the recorder
		// before it closes: its flush hands the checker every end.
		flushCtx, cancel := context.WithTimeout(context.Background(), 10*time.Second)
		if err := s.store.Flush(flushCtx); err != nil {
			s.log.Warn("flush recorder before the last checks", "err", err)
		}
		cancel()
	}
	if s.checker != nil {
		s.checker.Close()
	}
	s.flushTelemetry()
	if s.store != nil {
		if err := s.store.Close(); err != nil {
			return fmt.Errorf("close recording database: %w", err)
		}
		if st := s.store.Stats(); s.log != nil {
			s.log.Info("recorder closed", "events_written", st.WrittenEvents, "events_dropped", st.DroppedEvents)
		}
	}
	return nil
}

// DataURL is the data plane's base URL, as bound; "" in admin-only mode.
func (s *Server) DataURL() string {
	if s.data == nil {
		return ""
	}
	return "http://" + s.data.addr()
}

// AdminURL is the admin plane's base URL, as bound.
func (s *Server) AdminURL() string { return "http://" + s.admin.addr() }

// BuiltinURL is the built-in agent's base URL, "" when it is off.
func (s *Server) BuiltinURL() string {
	if s.builtin == nil {
		return ""
	}
	return "http://" + s.builtin.addr()
}

// Store is the recorder, for tests that read what was recorded.
func (s *Server) Store() *recorder.Recorder { return s.store }

// server is one listening plane.
type server struct {
	name string
	ln   net.Listener
	srv  *http.Server
}

func listen(name, addr string) (*server, error) {
	ln, err := net.Listen("tcp", addr)
	if err != nil {
		return nil, fmt.Errorf("%s: %w", name, err)
	}
	// No WriteTimeout: it would cut long streams. ReadHeaderTimeout keeps
	// slow-header clients from holding connections.
	return &server{name: name, ln: ln, srv: &http.Server{ReadHeaderTimeout: 10 * time.Second}}, nil
}

func (s *server) addr() string {
	host, port, _ := net.SplitHostPort(s.ln.Addr().String())
	if ip := net.ParseIP(host); ip != nil && ip.IsUnspecified() {
		host = "localhost"
	}
	return net.JoinHostPort(host, port)
}

func (s *server) serve(log *slog.Logger) {
	if err := s.srv.Serve(s.ln); err != nil && !errors.Is(err, http.ErrServerClosed) {
		log.Error("serve", "plane", s.name, "err", err)
	}
}

// checkAdminExposure refuses an admin plane reachable from other hosts
// without a token: it shows every recorded payload.
func checkAdminExposure(addr, token string) error {
	if token != "" {
		return nil
	}
	host, _, err := net.SplitHostPort(addr)
	if err != nil {
		return fmt.Errorf("--admin-listen %q: %w", addr, err)
	}
	if host == "localhost" {
		return nil
	}
	if ip := net.ParseIP(host); ip != nil && ip.IsLoopback() {
		return nil
	}
	return fmt.Errorf("--admin-listen %q is not a loopback address: set --admin-token (or %s) to protect the admin plane", addr, envName("serve", "admin-token"))
}

func newLogger(w io.Writer, level string) (*slog.Logger, error) {
	var l slog.Level
	if err := l.UnmarshalText([]byte(level)); err != nil {
		return nil, fmt.Errorf("--log-level %q: want debug, info, warn or error", level)
	}
	return slog.New(slog.NewTextHandler(w, &slog.HandlerOptions{Level: l})), nil
}

// adminHandler serves the admin plane: the UI, the JSON API, the live feed
// and /metrics.
func (s *Server) adminHandler() http.Handler {
	opts := web.Options{
		Store:      s.store,
		Recordings: s.store,
		Recorder:   s.store,
		Findings:   s.store,
		Token:      s.Config.AdminToken,
		Logger:     s.log.With("component", "admin"),
		Metrics:    s.MetricsHandler(),
		Feed:       s.live,
		JaegerURL:  s.Config.JaegerURL,

		TrustForwarded: s.trust,
	}
	if s.proxy != nil { // admin-only: no agents to list
		opts.Agents = s.proxy
		opts.ProxyURL, _ = url.Parse(cmp.Or(s.Config.PublicURL, s.DataURL())) // checked by Start
	}
	return web.New(opts).Handler()
}

// stepDelayFlag maps a step delay flag to builtinagent.Options, where zero
// means the tutorial's default; on the command line 0 means no pause.
func stepDelayFlag(d time.Duration) time.Duration {
	if d == 0 {
		return -1
	}
	return d
}

// timeoutFlag maps a timeout flag to proxy.Options, where zero means the
// default; on the command line 0 means no limit.
func timeoutFlag(d time.Duration) time.Duration {
	if d <= 0 {
		return -1
	}
	return d
}
