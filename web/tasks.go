package web

import (
	"fmt"
	"net/http"
	"strconv"

	"github.com/gin-gonic/gin"

	"github.com/a2aproxy/a2a-proxy/recorder"
)

// listTasks serves GET /api/tasks?agent=&state=&status=&outcome=&open=&contextId=&q=&checks=&limit=&cursor=.
func (s *Server) listTasks(c *gin.Context) {
	f, err := parseTaskFilter(c)
	if err != nil {
		_ = c.Error(err)
		return
	}
	page, err := s.store.ListTasks(c.Request.Context(), f)
	if err != nil {
		_ = c.Error(err)
		return
	}
	c.JSON(http.StatusOK, page)
}

// parseTaskFilter reads the filter of the API and of the tasks page from
// the query string.
func parseTaskFilter(c *gin.Context) (recorder.TaskFilter, error) {
	limit, err := parseLimit(c.Query("limit"))
	if err != nil {
		return recorder.TaskFilter{}, err
	}
	open, err := parseOpen(c.Query("open"))
	if err != nil {
		return recorder.TaskFilter{}, err
	}
	return recorder.TaskFilter{
		Agent:     c.Query("agent"),
		State:     c.Query("state"),
		Status:    c.Query("status"),
		Outcome:   c.Query("outcome"),
		Open:      open,
		ContextID: c.Query("contextId"),
		Query:     c.Query("q"),
		Checks:    c.Query("checks"),
		Limit:     limit,
		Cursor:    c.Query("cursor"),
	}, nil
}

// parseOpen reads the open parameter: absent matches every task.
func parseOpen(s string) (*bool, error) {
	if s == "" {
		return nil, nil
	}
	open, err := strconv.ParseBool(s)
	if err != nil {
		return nil, fmt.Errorf("%w: open must be true or false, got %q", ErrBadRequest, s)
	}
	return &open, nil
}

// parseLimit reads the limit parameter: absent means the store's default,
// more than the store's maximum means the maximum.
func parseLimit(s string) (int, error) {
	if s == "" {
		return 0, nil
	}
	n, err := strconv.Atoi(s)
	if err != nil || n < 1 {
		return 0, fmt.Errorf("%w: limit must be a positive integer, got %q", ErrBadRequest, s)
	}
	return n, nil
}

// getTask serves GET /api/tasks/:taskId.
func (s *Server) getTask(c *gin.Context) {
	detail, err := s.store.GetTask(c.Request.Context(), c.Param("taskId"))
	if err != nil {
		_ = c.Error(err)
		return
	}
	c.JSON(http.StatusOK, detail)
}

// getContext serves GET /api/contexts/:contextId.
func (s *Server) getContext(c *gin.Context) {
	detail, err := s.store.GetContext(c.Request.Context(), c.Param("contextId"))
	if err != nil {
		_ = c.Error(err)
		return
	}
	c.JSON(http.StatusOK, detail)
}
