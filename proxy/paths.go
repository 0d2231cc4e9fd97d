package proxy

import (
	"net/http"
	"net/url"
	"strings"

	"github.com/a2aproxy/a2a-proxy/internal/urlpath"
)

// insideAgent resolves the dot segments of r's path ("%2e" counts as "."),
// before routing, so that the agent gets the path the proxy routed. It
// answers 400 and returns nil for a path that would leave its agent: above
// /agents/{name}, or above "/" of the default agent, or from the default
// agent into a named one; and for a dot segment glued to an encoded slash,
// a backslash or a ';', which agents' servers resolve each in their own way.
// A path that stays inside is routed and forwarded resolved.
func (p *Proxy) insideAgent(w http.ResponseWriter, r *http.Request) *http.Request {
	escaped := r.URL.EscapedPath()
	keep := 0 // segments of the agent's prefix
	if namesAgent(escaped) {
		keep = 2
	}
	resolved, err := urlpath.Resolve(escaped, keep)
	if err == nil && keep == 0 && namesAgent(resolved) {
		err = urlpath.ErrEscapes
	}
	if err != nil {
		p.log.Debug("request path refused", "path", escaped, "err", err)
		writeJSONRPCError(w, http.StatusBadRequest, nil, codeInvalidRequest, "request path refused: "+err.Error())
		return nil
	}
	if resolved == escaped {
		return r
	}
	path, err := url.PathUnescape(resolved)
	if err != nil { // cannot happen: the server checked the escapes
		path = resolved
	}
	u := *r.URL
	u.Path, u.RawPath = path, resolved
	out := *r // shallow, as http.StripPrefix does
	out.URL = &u
	return &out
}

// namesAgent tells whether an escaped path is /agents/{name}/..., as the
// router, which matches unescaped paths, sees it.
func namesAgent(escaped string) bool {
	first, _, ok := strings.Cut(strings.TrimPrefix(escaped, "/"), "/")
	if !ok {
		return false
	}
	if first != "agents" && strings.Contains(first, "%") {
		first, _ = url.PathUnescape(first)
	}
	return first == "agents"
}

// belowPrefix is the escaped path below an agent's prefix ("/agents/NAME",
// or "" for the default agent). The prefix is skipped by segments, not
// bytes: gin routed on the decoded path, so the client may have escaped the
// prefix's letters (/agents/p%79/x).
func belowPrefix(escaped, prefix string) string {
	rest := escaped
	for range strings.Count(prefix, "/") {
		i := strings.IndexByte(rest[1:], '/')
		if i < 0 {
			return ""
		}
		rest = rest[1+i:]
	}
	return rest
}
