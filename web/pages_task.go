package web

import (
	"net/http"

	"github.com/gin-gonic/gin"
)

// taskPage serves GET /tasks/:taskId: the task, its event timeline and its
// exchanges, with the replay controls.
func (s *Server) taskPage(c *gin.Context) {
	detail, err := s.store.GetTask(c.Request.Context(), c.Param("taskId"))
	if err != nil {
		_ = c.Error(err)
		return
	}
	v := newTaskView(detail, s.ui, s.routes(), s.requestOrigin(c.Request))
	v.Compare = s.recordings != nil
	if s.findings != nil {
		fs, err := s.findings.TaskFindings(c.Request.Context(), detail.Task.TaskID)
		if err != nil {
			_ = c.Error(err)
			return
		}
		v.addFindings(fs)
	}
	if v.Replay != nil {
		v.Replay.TokenRequired = s.auth != nil
	}
	s.render(c, http.StatusOK, "task", "Task "+detail.Task.TaskID, v)
}
