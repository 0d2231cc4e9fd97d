package web

import (
	"encoding/json"
	"net/http"

	"github.com/a2aproxy/a2a-proxy/internal/urlpath"
)

// refuseDotSegments answers 400 for a path with a "." or ".." segment,
// encoded ("%2e") or glued to an encoded slash, before routing: the router
// matches paths as they come, so "/replay/../api/tasks" would reach a replay
// agent for task "..". Browsers resolve dot segments before sending; only a
// hand-made request has one.
func refuseDotSegments(next http.Handler) http.Handler {
	return http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		if !urlpath.HasDots(r.URL.EscapedPath()) {
			next.ServeHTTP(w, r)
			return
		}
		body, _ := json.Marshal(errorDocument{Error: errorBody{Code: CodeBadRequest,
			Message: `the path has a "." or ".." segment`}})
		h := w.Header()
		setSecurityHeaders(h)
		h.Set("Content-Type", "application/json; charset=utf-8")
		w.WriteHeader(http.StatusBadRequest)
		_, _ = w.Write(body)
	})
}
