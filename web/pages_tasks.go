package web

import (
	"net/http"
	"net/url"
	"slices"
	"strconv"

	"github.com/gin-gonic/gin"

	"github.com/a2aproxy/a2a-proxy/recorder"
)

// tasksView is the data of the tasks page.
type tasksView struct {
	Filter   recorder.TaskFilter // as the URL gives it
	Filtered bool                // some filter is set
	Agents   []string            // choices for the agent filter
	Statuses []string            // choices for the status filter
	Outcomes []string            // choices for the last outcome filter
	Open     string              // the open filter: "true", "false" or ""
	Tasks    []recorder.TaskSummary
	Newest   string // the first page, "" when on it
	Older    string // the next page, "" when there is none
	Live     bool
}

// tasksPage serves GET /?agent=&status=&outcome=&open=&contextId=&q=&cursor= (and state=): the tasks,
// newest first, one page at a time.
func (s *Server) tasksPage(c *gin.Context) {
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
	v := tasksView{
		Filter:   f,
		Filtered: f.Agent != "" || f.State != "" || f.Status != "" || f.Outcome != "" || f.Open != nil || f.ContextID != "" || f.Query != "" || f.Checks != "",
		Agents:   s.agentNames(f.Agent),
		Statuses: statuses,
		Outcomes: outcomes,
		Open:     openParam(f.Open),
		Tasks:    page.Tasks,
		Live:     s.ui.feed != nil,
	}
	if f.Cursor != "" {
		v.Newest = tasksURL(f, "")
	}
	if page.NextCursor != "" {
		v.Older = tasksURL(f, page.NextCursor)
	}
	s.render(c, http.StatusOK, "tasks", "Tasks", v)
}

// agentNames are the configured agents, and the one filtered on when it is
// no longer configured.
func (s *Server) agentNames(current string) []string {
	var names []string
	if s.ui.agents != nil {
		names = s.ui.agents.AgentNames()
	}
	if current != "" && !slices.Contains(names, current) {
		names = append(names, current)
	}
	return names
}

// tasksURL is the tasks page with filter f at cursor, without empty
// parameters.
func tasksURL(f recorder.TaskFilter, cursor string) string {
	q := url.Values{}
	for _, p := range [][2]string{{"agent", f.Agent}, {"state", f.State}, {"status", f.Status}, {"outcome", f.Outcome},
		{"open", openParam(f.Open)}, {"contextId", f.ContextID}, {"q", f.Query}, {"checks", f.Checks}, {"cursor", cursor}} {
		if p[1] != "" {
			q.Set(p[0], p[1])
		}
	}
	if f.Limit > 0 {
		q.Set("limit", strconv.Itoa(f.Limit))
	}
	if len(q) == 0 {
		return "/"
	}
	return "/?" + q.Encode()
}

// openParam is the open filter as the URL spells it.
func openParam(open *bool) string {
	if open == nil {
		return ""
	}
	return strconv.FormatBool(*open)
}

// contextView is the data of the context page.
type contextView struct {
	ContextID string
	Tasks     []recorder.TaskSummary // oldest first
	Live      bool
}

// contextPage serves GET /contexts/:contextId: the tasks of a context in
// the order they started.
func (s *Server) contextPage(c *gin.Context) {
	detail, err := s.store.GetContext(c.Request.Context(), c.Param("contextId"))
	if err != nil {
		_ = c.Error(err)
		return
	}
	v := contextView{ContextID: detail.ContextID, Tasks: detail.Tasks, Live: s.ui.feed != nil}
	s.render(c, http.StatusOK, "context", "Context "+detail.ContextID, v)
}
