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
	CodeInternal     = "internal"
)

// statusClientClosed is nginx's status for a client that went away first.
const statusClientClosed = 499

var (
	// ErrBadRequest marks a request the API cannot serve as asked; wrap it
	// with the reason, which the client sees.
	ErrBadRequest   = errors.New("bad request")
	errUnauthorized = errors.New("missing or wrong bearer token")
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

// writeError is the one place where errors become HTTP statuses.
func (s *Server) writeError(c *gin.Context, err error) {
	status, code, message := http.StatusInternalServerError, CodeInternal, "internal error"
	switch {
	case errors.Is(err, recorder.ErrNotFound):
		status, code, message = http.StatusNotFound, CodeNotFound, err.Error()
	case errors.Is(err, ErrBadRequest), errors.Is(err, recorder.ErrInvalidFilter):
		status, code, message = http.StatusBadRequest, CodeBadRequest, err.Error()
	case errors.Is(err, errUnauthorized):
		status, code, message = http.StatusUnauthorized, CodeUnauthorized, err.Error()
		c.Header("WWW-Authenticate", `Bearer realm="a2a-proxy"`)
	case errors.Is(err, context.Canceled):
		// The client went away: nobody reads the answer.
		s.log.Debug("request canceled", "path", c.Request.URL.Path, "err", err)
		c.AbortWithStatus(statusClientClosed)
		return
	default:
		s.log.Error("request failed", "method", c.Request.Method, "path", c.Request.URL.Path, "err", err)
	}
	c.AbortWithStatusJSON(status, errorDocument{Error: errorBody{Code: code, Message: message}})
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
