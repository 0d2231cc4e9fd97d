package web

import (
	"context"
	"net/http"

	"github.com/gin-gonic/gin"

	"github.com/a2aproxy/a2a-proxy/checks"
	"github.com/a2aproxy/a2a-proxy/recorder"
)

// Findings reads the stored conformance findings of a task: a subset of
// recorder.Reader.
type Findings interface {
	TaskFindings(ctx context.Context, taskID string) ([]recorder.Finding, error)
}

var _ Findings = recorder.Reader(nil)

// routeChecks serves GET /api/tasks/:taskId/checks when findings are kept.
func (s *Server) routeChecks(f Findings) {
	if f == nil {
		return
	}
	s.findings = f
	s.api.GET("/tasks/:taskId/checks", s.getChecks)
}

// getChecks serves GET /api/tasks/:taskId/checks: the findings of the
// task's exchanges, each with its rule's text, spec section and TCK ids.
func (s *Server) getChecks(c *gin.Context) {
	taskID := c.Param("taskId")
	fs, err := s.findings.TaskFindings(c.Request.Context(), taskID)
	if err != nil {
		_ = c.Error(err)
		return
	}
	c.JSON(http.StatusOK, checks.TaskChecks{TaskID: taskID, Checks: checks.Count(fs), Findings: checks.Describe(fs)})
}
