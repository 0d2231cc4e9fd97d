package web

import (
	"errors"
	"net/http"

	"github.com/gin-gonic/gin"
)

// diffPage serves GET /diff?a=&b=&strict=&ignore=&timing=: the two tasks'
// recordings side by side, aligned event by event, with what changed. With
// no tasks yet, or options that do not parse, it shows the form (and why).
func (s *Server) diffPage(c *gin.Context) {
	dq, err := parseDiffQuery(c.Request.URL.Query())
	v := diffView{Query: dq}
	status := http.StatusOK
	switch {
	case err != nil:
		v.Error, status = err.Error(), http.StatusBadRequest
	case dq.A == "" || dq.B == "":
		// The form only.
	default:
		res, a, b, err := s.compare(c.Request.Context(), dq)
		if errors.Is(err, ErrBadRequest) {
			v.Error, status = err.Error(), http.StatusBadRequest
			break
		}
		if err != nil {
			_ = c.Error(err) // 404 for an unknown task
			return
		}
		v.Result, v.Rows = &res, newDiffRows(&res, a, b)
	}
	s.render(c, status, "diff", "Compare tasks", v)
}
