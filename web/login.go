package web

import (
	"net/http"
	"strings"

	"github.com/gin-gonic/gin"
)

// loginView is the data of the login form.
type loginView struct {
	Next       string // where to go once logged in
	Wrong      bool   // the last attempt had the wrong token
	RetryAfter int    // seconds: too many wrong tokens from this address
}

// routeLogin adds the login form. Logging in and out are POSTs, refused when
// they come from another site (http.CrossOriginProtection); with the
// session cookie's SameSite=Strict that is all the CSRF protection a form
// holding no other state needs.
func (s *Server) routeLogin() {
	csrf := http.NewCrossOriginProtection()
	guard := func(c *gin.Context) {
		if err := csrf.Check(c.Request); err != nil {
			c.String(http.StatusForbidden, "cross-origin request refused")
			c.Abort()
		}
	}
	s.engine.GET("/login", s.loginForm)
	s.engine.POST("/login", guard, s.login)
	s.engine.POST("/logout", guard, s.logout)
}

// loginForm serves GET /login?next=.
func (s *Server) loginForm(c *gin.Context) {
	next := localPath(c.Query("next"))
	if s.auth == nil || s.auth.allows(c.Request) {
		c.Redirect(http.StatusSeeOther, next)
		return
	}
	s.render(c, http.StatusOK, "login", "Log in", loginView{Next: next})
}

// login serves POST /login: the token and where to go next.
func (s *Server) login(c *gin.Context) {
	next := localPath(c.PostForm("next"))
	if s.auth == nil {
		c.Redirect(http.StatusSeeOther, next)
		return
	}
	switch v, wait := s.auth.checkToken(c.Request, c.PostForm("token")); v {
	case refused:
		s.render(c, http.StatusUnauthorized, "login", "Log in", loginView{Next: next, Wrong: true})
		return
	case limited:
		s.render(c, http.StatusTooManyRequests, "login", "Log in", loginView{Next: next, RetryAfter: setRetryAfter(c, wait)})
		return
	}
	s.auth.startSession(c)
	c.Redirect(http.StatusSeeOther, next)
}

// logout serves POST /logout.
func (s *Server) logout(c *gin.Context) {
	if s.auth != nil {
		s.auth.endSession(c)
	}
	c.Redirect(http.StatusSeeOther, "/login")
}

// localPath returns next if it is a path on this site, else "/": a login
// link must not send the browser elsewhere afterwards.
func localPath(next string) string {
	if !strings.HasPrefix(next, "/") || strings.HasPrefix(next, "//") || strings.ContainsAny(next, `\`+"\r\n\t") {
		return "/"
	}
	return next
}
