package web

import (
	"context"
	"errors"
	"fmt"
	"net/http"
	"runtime/debug"
	"strings"

	"github.com/gin-gonic/gin"

	"github.com/a2aproxy/a2a-proxy/recorder"
)

// Error codes of the API's error documents.
const (
	CodeBadRequest   = "bad_request"
	CodeUnauthorized = "unauthorized"
	CodeNotFound     = "not_found"
	CodeRateLimited  = "rate_limited"
	CodeInternal     = "internal"
)

// statusClientClosed is nginx's status for a client that went away first.
const statusClientClosed = 499

var (
	// ErrBadRequest marks a request the API cannot serve as asked; wrap it
	// with the reason, which the client sees.
	ErrBadRequest   = errors.New("bad request")
	errUnauthorized = errors.New("missing or wrong bearer token")
	errRateLimited  = errors.New("too many wrong tokens from this address: retry later")
)

// errorDocument is `{"error":{"code":"not_found","message":"..."}}`.
type errorDocument struct {
	Error errorBody `json:"error"`
}

type errorBody struct {
	Code    string `json:"code"`
	Message string `json:"message"`
}

// renderErrors answers a request whose handler recorded an error with
// c.Error (and wrote nothing) with the API's JSON error.
func (s *Server) renderErrors(c *gin.Context) {
	c.Next()
	if err := c.Errors.Last(); err != nil && !c.Writer.Written() {
		s.writeError(c, err.Err)
	}
}

// writeError answers err with the API's JSON error.
func (s *Server) writeError(c *gin.Context, err error) {
	if errors.Is(err, context.Canceled) {
		// The client went away: nobody reads the answer.
		s.log.Debug("request canceled", "path", c.Request.URL.Path, "err", err)
		c.AbortWithStatus(statusClientClosed)
		return
	}
	status, code, message := s.classify(c, err)
	if status == http.StatusUnauthorized {
		c.Header("WWW-Authenticate", `Bearer realm="a2a-proxy"`)
	}
	c.AbortWithStatusJSON(status, errorDocument{Error: errorBody{Code: code, Message: message}})
}

// classify is the one place where errors become HTTP statuses, for the API
// and the pages alike. It logs what it cannot tell the client.
func (s *Server) classify(c *gin.Context, err error) (status int, code, message string) {
	switch {
	case errors.Is(err, recorder.ErrNotFound):
		return http.StatusNotFound, CodeNotFound, err.Error()
	case errors.Is(err, ErrBadRequest), errors.Is(err, recorder.ErrInvalidFilter):
		return http.StatusBadRequest, CodeBadRequest, err.Error()
	case errors.Is(err, errUnauthorized):
		return http.StatusUnauthorized, CodeUnauthorized, err.Error()
	case errors.Is(err, errRateLimited):
		return http.StatusTooManyRequests, CodeRateLimited, err.Error()
	default:
		s.log.Error("request failed", "method", c.Request.Method, "path", c.Request.URL.Path, "err", err)
		return http.StatusInternalServerError, CodeInternal, "internal error"
	}
}

// recoverPanic answers 500 for a handler that panicked, and logs the stack.
func (s *Server) recoverPanic(c *gin.Context, recovered any) {
	s.log.Error("handler panic", "method", c.Request.Method, "path", c.Request.URL.Path,
		"panic", recovered, "stack", string(debug.Stack()))
	s.writeError(c, fmt.Errorf("panic: %v", recovered))
}

// noRoute answers unknown /api paths with the API's JSON error, and others
// with a plain 404.
func (s *Server) noRoute(c *gin.Context) {
	if path := c.Request.URL.Path; path == "/api" || strings.HasPrefix(path, "/api/") {
		s.writeError(c, fmt.Errorf("no route %s %s: %w", c.Request.Method, path, recorder.ErrNotFound))
		return
	}
	c.String(http.StatusNotFound, "404 page not found")
}
