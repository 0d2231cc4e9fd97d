package web

import (
	"crypto/sha256"
	"crypto/subtle"
	"net/http"
	"net/url"
	"strconv"
	"strings"
	"time"

	"github.com/gin-gonic/gin"

	"github.com/a2aproxy/a2a-proxy/internal/forwarded"
)

// sessionCookie holds a browser's session id (web/sessions.go): random, so
// the token never sits in the browser, and revoked server-side at logout.
const sessionCookie = "a2a_proxy_session"

// auth checks the admin token. A request carries it as
// "Authorization: Bearer <token>" (API clients) or holds the session cookie
// the login form sets (browsers). The cookie is HttpOnly and
// SameSite=Strict, and nothing changes state on a GET, which together keep
// cross-site requests from using it.
//
// Wrong tokens, at the login form or as a bearer token, are counted per
// client address (failureLimiter). While an address is over the limit,
// every token it sends is refused with 429 before it is checked, the right
// one too: answering a right token differently would let a guesser go on
// guessing. A valid session cookie still passes, so a browser that logged
// in before is not locked out by a guesser behind the same address.
type auth struct {
	tokenDigest [sha256.Size]byte
	sessions    *sessions
	limits      *failureLimiter
	trust       forwarded.Trust // whose X-Forwarded-Proto says the request came over https
}

// verdict is what auth makes of a request's credentials.
type verdict int

const (
	allowed verdict = iota
	refused         // none, or wrong ones
	limited         // a token from an address over the limit
)

// newAuth returns nil when token is empty: the admin plane is open.
func newAuth(token string, trust forwarded.Trust) *auth {
	if token == "" {
		return nil
	}
	return &auth{
		tokenDigest: sha256.Sum256([]byte(token)),
		sessions:    newSessions(time.Now),
		limits:      newFailureLimiter(time.Now),
		trust:       trust,
	}
}

// tokenMatches compares digests, so the time taken does not depend on how
// much of the token a guess got right, nor on its length.
func (a *auth) tokenMatches(token string) bool {
	got := sha256.Sum256([]byte(token))
	return subtle.ConstantTimeCompare(got[:], a.tokenDigest[:]) == 1
}

// checkToken checks a token r presents, counting it against r's address if
// it is wrong; over the limit, it is not checked at all.
func (a *auth) checkToken(r *http.Request, token string) (verdict, time.Duration) {
	addr := clientAddr(r)
	wait, ok := a.limits.take(addr)
	if !ok {
		return limited, wait
	}
	if !a.tokenMatches(token) {
		return refused, 0
	}
	a.limits.refund(addr)
	return allowed, 0
}

// check judges r's credentials: a live session cookie first (it never
// counts as a failure: a stale one after logout or restart is no guess, and
// a forged one cannot be guessed), then a bearer token.
func (a *auth) check(r *http.Request) (verdict, time.Duration) {
	if c, err := r.Cookie(sessionCookie); err == nil && a.sessions.valid(c.Value) {
		return allowed, 0
	}
	if scheme, token, ok := strings.Cut(r.Header.Get("Authorization"), " "); ok && strings.EqualFold(scheme, "Bearer") {
		return a.checkToken(r, token)
	}
	return refused, 0
}

// allows reports whether r carries the token or a live session cookie.
func (a *auth) allows(r *http.Request) bool {
	v, _ := a.check(r)
	return v == allowed
}

// requireAPI refuses requests without the token with the API's JSON 401,
// or 429 from an address over the limit.
func (a *auth) requireAPI(c *gin.Context) {
	a.require(c, func() {
		_ = c.Error(errUnauthorized)
		c.Abort()
	})
}

// requirePage sends browsers without the token to the login form, which
// brings them back afterwards.
func (a *auth) requirePage(c *gin.Context) {
	a.require(c, func() {
		c.Redirect(http.StatusSeeOther, "/login?next="+url.QueryEscape(c.Request.URL.RequestURI()))
		c.Abort()
	})
}

func (a *auth) require(c *gin.Context, refuse func()) {
	switch v, wait := a.check(c.Request); v {
	case refused:
		refuse()
	case limited:
		setRetryAfter(c, wait)
		_ = c.Error(errRateLimited)
		c.Abort()
	}
}

// setRetryAfter tells a limited client how many whole seconds to wait, at
// least 1, and returns them.
func setRetryAfter(c *gin.Context, wait time.Duration) int {
	seconds := int(max(1, (wait+time.Second-1)/time.Second))
	c.Header("Retry-After", strconv.Itoa(seconds))
	return seconds
}

// startSession gives a browser that sent the token a new session.
func (a *auth) startSession(c *gin.Context) {
	http.SetCookie(c.Writer, a.cookie(a.sessions.start(), 0, c.Request))
}

// endSession revokes the browser's session, so that a copy of the cookie
// no longer works either, and removes the cookie.
func (a *auth) endSession(c *gin.Context) {
	if old, err := c.Request.Cookie(sessionCookie); err == nil {
		a.sessions.end(old.Value)
	}
	http.SetCookie(c.Writer, a.cookie("", -1, c.Request))
}

func (a *auth) cookie(value string, maxAge int, r *http.Request) *http.Cookie {
	return &http.Cookie{
		Name:     sessionCookie,
		Value:    value,
		Path:     "/",
		MaxAge:   maxAge, // 0: until the browser closes; the server ends it after sessionTTL
		HttpOnly: true,
		Secure:   a.trust.Scheme(r) == "https",
		SameSite: http.SameSiteStrictMode,
	}
}
