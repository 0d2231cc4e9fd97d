// Package web serves the admin plane: the JSON API under /api, the live feed
// at /api/live, the UI (server-rendered pages with a little JavaScript), and
// room for the replay agents and metrics that other packages add.
package web

import (
	"context"
	"log/slog"
	"net/http"
	"net/url"
	"os"
	"time"

	"github.com/gin-gonic/gin"

	"github.com/a2aproxy/a2a-proxy/internal/forwarded"
	"github.com/a2aproxy/a2a-proxy/recorder"
)

// Store is what the API and the pages read recordings from: a subset of
// recorder.Reader.
type Store interface {
	ListTasks(ctx context.Context, f recorder.TaskFilter) (recorder.TaskPage, error)
	GetTask(ctx context.Context, taskID string) (*recorder.TaskDetail, error)
	GetContext(ctx context.Context, contextID string) (*recorder.ContextDetail, error)
	// AgentCounts counts what was recorded of each agent, for the agents page.
	AgentCounts(ctx context.Context) (map[string]recorder.AgentCount, error)
}

var _ Store = recorder.Reader(nil)

// Options configure a Server.
type Options struct {
	// Store answers the API's queries. Required.
	Store Store
	// Token, if set, must be presented by every request to the API and the
	// pages, as "Authorization: Bearer <Token>" or as the session cookie the
	// login form at /login sets. If empty, the admin plane is open (for a
	// loopback admin address). Wrong tokens are rate limited per client
	// address, and sessions are kept in memory (web/auth.go).
	Token string
	// Logger receives handler errors and panics. If nil, nothing is logged.
	Logger *slog.Logger
	// Metrics, if set, is served at /metrics, behind the token like the API.
	Metrics http.Handler

	// Feed streams recorded events to GET /api/live; connect its Publish to
	// recorder.Options.OnCommit. If nil, /api/live is not served and pages
	// do not update live.
	Feed *Feed
	// Agents lists the configured agents for the agents page. If nil, the
	// page lists none.
	Agents Directory
	// ProxyURL is the data plane's base URL as clients reach it, for the
	// agents page. Required with Agents.
	ProxyURL *url.URL
	// JaegerURL, if set, is the base URL of a Jaeger UI: pages link each
	// trace to {JaegerURL}/trace/{traceId}.
	JaegerURL string
	// LiveHeartbeat is how often an idle /api/live stream gets a comment,
	// so that proxies in between do not time it out. If zero, 15s.
	LiveHeartbeat time.Duration
	// Recordings, if set, backs replay and export (web/replay.go); if nil, those routes are off.
	Recordings Recordings
	// TrustForwarded says whose X-Forwarded-* headers tell the scheme and
	// host the browser used, for replay cards, the URLs pages show and the
	// session cookie's Secure attribute. The zero value trusts no one: the
	// request's Host and TLS state are used.
	TrustForwarded forwarded.Trust
	// Recorder, if set, reports the recorder's losses: every page shows a
	// banner while one is recent, and GET /api/status counts them. If nil,
	// no banner and no counts.
	Recorder RecorderHealth
	// Findings, if set, backs GET /api/tasks/{taskId}/checks and the
	// conformance badges of the task page; if nil, neither is shown.
	Findings Findings
}

// Server is the admin plane's HTTP handler.
type Server struct {
	engine *gin.Engine
	auth   *auth // nil: no token
	api    *gin.RouterGroup
	store  Store
	// recordings backs diffs (web/diff.go); nil: not served.
	recordings Recordings
	health     RecorderHealth // nil: none
	findings   Findings       // nil: no checks route or badges
	log        *slog.Logger
	ui         uiOptions
	trust      forwarded.Trust
}

// New builds the admin plane with the JSON API routes.
func New(opts Options) *Server {
	// gin's debug mode prints every route at startup; logs here go through
	// slog. GIN_MODE still wins when set.
	if os.Getenv(gin.EnvGinMode) == "" {
		gin.SetMode(gin.ReleaseMode)
	}
	s := &Server{
		engine:     gin.New(),
		auth:       newAuth(opts.Token, opts.TrustForwarded),
		store:      opts.Store,
		recordings: opts.Recordings,
		health:     opts.Recorder,
		log:        opts.Logger,
		ui:         newUIOptions(opts),
		trust:      opts.TrustForwarded,
	}
	if s.log == nil {
		s.log = slog.New(slog.DiscardHandler)
	}
	s.engine.Use(gin.CustomRecoveryWithWriter(nil, s.recoverPanic), securityHeaders)
	s.engine.NoRoute(s.noRoute)

	s.api = s.Protected("/api")
	s.api.GET("/tasks", s.listTasks)
	s.api.GET("/tasks/:taskId", s.getTask)
	s.api.GET("/contexts/:contextId", s.getContext)
	s.api.GET("/status", s.getStatus)
	s.routeLive()
	s.routeReplay(opts.Recordings)
	s.routeDiff()
	s.routeChecks(opts.Findings)
	s.routeUI()
	s.routeLogin()
	if opts.Metrics != nil {
		s.Protected("/metrics").GET("", gin.WrapH(opts.Metrics))
	}
	return s
}

// Protected returns a route group under path that answers errors as the API
// does and, when a token is set, refuses requests without it.
func (s *Server) Protected(path string) *gin.RouterGroup {
	g := s.engine.Group(path, s.renderErrors)
	if s.auth != nil {
		g.Use(s.auth.requireAPI)
	}
	return g
}

// Handler returns the HTTP handler of the admin plane.
func (s *Server) Handler() http.Handler { return refuseDotSegments(s.engine) }

// API returns the /api route group so that other packages can add routes
// (replay, export, live) before serving starts. Its handlers get the token
// check, and an error they record with c.Error, writing nothing, is answered
// with the API's JSON error: 404 for recorder.ErrNotFound, 400 for
// ErrBadRequest, 500 otherwise.
func (s *Server) API() *gin.RouterGroup { return s.api }

// Engine returns the underlying engine, for routes outside /api (the UI,
// /replay, /metrics), to be added before serving starts.
func (s *Server) Engine() *gin.Engine { return s.engine }
