// Package web serves the admin plane: the JSON API under /api, and room for
// the UI, live feed, replay agents and metrics that other packages add.
package web

import (
	"context"
	"log/slog"
	"net/http"
	"os"

	"github.com/gin-gonic/gin"

	"github.com/a2aproxy/a2a-proxy/recorder"
)

// Store is what the API reads recordings from.
type Store interface {
	ListTasks(ctx context.Context, f recorder.TaskFilter) (recorder.TaskPage, error)
	GetTask(ctx context.Context, taskID string) (*recorder.TaskDetail, error)
	GetContext(ctx context.Context, contextID string) (*recorder.ContextDetail, error)
}

var _ Store = (*recorder.Store)(nil)

// Options configure a Server.
type Options struct {
	// Store answers the API's queries. Required.
	Store Store
	// Token, if set, must be presented by every /api request as
	// "Authorization: Bearer <Token>". If empty, the API is open (for a
	// loopback admin address).
	Token string
	// Logger receives handler errors and panics. If nil, nothing is logged.
	Logger *slog.Logger
	// Metrics, if set, is served at /metrics, behind the token like the API.
	Metrics http.Handler
}

// Server is the admin plane's HTTP handler.
type Server struct {
	engine *gin.Engine
	token  string
	api    *gin.RouterGroup
	store  Store
	log    *slog.Logger
}

// New builds the admin plane with the JSON API routes.
func New(opts Options) *Server {
	// gin's debug mode prints every route at startup; logs here go through
	// slog. GIN_MODE still wins when set.
	if os.Getenv(gin.EnvGinMode) == "" {
		gin.SetMode(gin.ReleaseMode)
	}
	s := &Server{
		engine: gin.New(),
		token:  opts.Token,
		store:  opts.Store,
		log:    opts.Logger,
	}
	if s.log == nil {
		s.log = slog.New(slog.DiscardHandler)
	}
	s.engine.Use(gin.CustomRecoveryWithWriter(nil, s.recoverPanic))
	s.engine.NoRoute(s.noRoute)

	s.api = s.Protected("/api")
	s.api.GET("/tasks", s.listTasks)
	s.api.GET("/tasks/:taskId", s.getTask)
	s.api.GET("/contexts/:contextId", s.getContext)
	if opts.Metrics != nil {
		s.Protected("/metrics").GET("", gin.WrapH(opts.Metrics))
	}
	return s
}

// Protected returns a route group under path that answers errors as the API
// does and, when a token is set, refuses requests without it.
func (s *Server) Protected(path string) *gin.RouterGroup {
	g := s.engine.Group(path, s.renderErrors)
	if s.token != "" {
		g.Use(requireToken(s.token))
	}
	return g
}

// Handler returns the HTTP handler of the admin plane.
func (s *Server) Handler() http.Handler { return s.engine }

// API returns the /api route group so that other packages can add routes
// (replay, export, live) before serving starts. Its handlers get the token
// check, and an error they record with c.Error, writing nothing, is answered
// with the API's JSON error: 404 for recorder.ErrNotFound, 400 for
// ErrBadRequest, 500 otherwise.
func (s *Server) API() *gin.RouterGroup { return s.api }

// Engine returns the underlying engine, for routes outside /api (the UI,
// /replay, /metrics), to be added before serving starts.
func (s *Server) Engine() *gin.Engine { return s.engine }
