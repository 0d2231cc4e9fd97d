package web

import (
	"bytes"
	"embed"
	"html/template"
	"io/fs"
	"net/http"
	"net/url"
	"path"
	"strings"
	"time"

	"github.com/gin-gonic/gin"
)

// assets are the UI's templates and static files, built into the binary.
//
//go:embed templates static
var assets embed.FS

// contentSecurityPolicy allows scripts and styles from this origin only, and
// no inline ones: recorded payloads are untrusted, and even one that slipped
// past the templates' escaping could not run.
const contentSecurityPolicy = "default-src 'self'; script-src 'self'; style-src 'self'; " +
	"img-src 'self' data:; object-src 'none'; base-uri 'none'; frame-ancestors 'none'; form-action 'self'"

// securityHeaders go on every admin response, the API's included.
func securityHeaders(c *gin.Context) {
	setSecurityHeaders(c.Writer.Header())
	c.Next()
}

func setSecurityHeaders(h http.Header) {
	h.Set("Content-Security-Policy", contentSecurityPolicy)
	h.Set("X-Content-Type-Options", "nosniff")
	h.Set("X-Frame-Options", "DENY")
	h.Set("Referrer-Policy", "no-referrer") // task URLs stay off Jaeger's and agents' logs
}

// uiOptions are the Options the pages need.
type uiOptions struct {
	feed      *Feed
	agents    Directory
	proxyURL  *url.URL
	jaegerURL string
	heartbeat time.Duration
}

func newUIOptions(opts Options) uiOptions {
	ui := uiOptions{
		feed:      opts.Feed,
		agents:    opts.Agents,
		proxyURL:  opts.ProxyURL,
		jaegerURL: strings.TrimSuffix(opts.JaegerURL, "/"),
		heartbeat: opts.LiveHeartbeat,
	}
	if ui.heartbeat <= 0 {
		ui.heartbeat = 15 * time.Second
	}
	if ui.agents != nil && ui.proxyURL == nil {
		panic("web: Options.Agents needs Options.ProxyURL") // a wiring mistake, caught by any test
	}
	return ui
}

// routeUI adds the pages and their static files.
func (s *Server) routeUI() {
	s.engine.GET("/static/*file", serveStatic)
	pages := s.engine.Group("/", s.renderPageErrors)
	if s.auth != nil {
		pages.Use(s.auth.requirePage)
	}
	pages.GET("/", s.tasksPage)
	pages.GET("/tasks/:taskId", s.taskPage)
	pages.GET("/contexts/:contextId", s.contextPage)
	pages.GET("/agents", s.agentsPage)
	if s.recordings != nil {
		pages.GET("/diff", s.diffPage)
	}
}

// pages holds each page's template set: the layout, the partials and the
// page, parsed once.
var pages = parsePages()

func parsePages() map[string]*template.Template {
	base := template.Must(template.New("").Funcs(templateFuncs).
		ParseFS(assets, "templates/layout.html", "templates/partials/*.html"))
	files, err := fs.Glob(assets, "templates/pages/*.html")
	if err != nil {
		panic(err)
	}
	sets := make(map[string]*template.Template, len(files))
	for _, file := range files {
		set := template.Must(template.Must(base.Clone()).ParseFS(assets, file))
		sets[strings.TrimSuffix(path.Base(file), ".html")] = set
	}
	return sets
}

// layoutData is what templates/layout.html renders around a page's view.
type layoutData struct {
	Title  string
	Page   string      // the page's template name, for the navigation
	Logout bool        // the visitor holds a session: offer to log out
	Loss   *lossBanner // recent recorder losses; nil: none (or the login page)
	View   any
}

// render answers with a page. It renders into memory first so that a
// template error becomes a clean 500, not half a page.
func (s *Server) render(c *gin.Context, status int, page, title string, view any) {
	var buf bytes.Buffer
	data := layoutData{Title: title, Page: page, Logout: s.auth != nil && page != "login", View: view}
	if page != "login" { // the visitor may not be allowed to know
		data.Loss = s.recentLoss()
	}
	if err := pages[page].ExecuteTemplate(&buf, "layout", data); err != nil {
		s.log.Error("render page", "page", page, "err", err)
		c.String(http.StatusInternalServerError, "internal error")
		return
	}
	c.Header("Cache-Control", "no-store") // pages show recorded payloads
	c.Data(status, "text/html; charset=utf-8", buf.Bytes())
}

// errorView is the data of the error page.
type errorView struct {
	Status  int
	Message string
}

// renderPageErrors answers a page whose handler recorded an error with
// c.Error, writing nothing, with the error page.
func (s *Server) renderPageErrors(c *gin.Context) {
	c.Next()
	err := c.Errors.Last()
	if err == nil || c.Writer.Written() || c.Request.Context().Err() != nil {
		return
	}
	status, _, message := s.classify(c, err.Err)
	s.render(c, status, "error", http.StatusText(status), errorView{Status: status, Message: message})
}

// requestOrigin is the scheme and host the browser used to reach this page.
func (s *Server) requestOrigin(r *http.Request) string {
	scheme, host := s.trust.Origin(r)
	return scheme + "://" + host
}

// routeSet says which optional routes the admin plane serves, so that pages
// link only to what exists.
type routeSet struct {
	export bool // GET /api/tasks/:taskId/export
	replay bool // GET /api/tasks/:taskId/replay
}

// routes follows routeReplay: both are there when recordings are.
func (s *Server) routes() routeSet {
	return routeSet{export: s.recordings != nil, replay: s.recordings != nil}
}
