package web

import (
	"crypto/hmac"
	"crypto/sha256"
	"crypto/subtle"
	"encoding/base64"
	"net/http"
	"net/url"
	"strings"

	"github.com/gin-gonic/gin"
)

// sessionCookie holds the proof of a login: a value derived from the token,
// so that the token itself never sits in the browser.
const sessionCookie = "a2a_proxy_session"

// auth checks the admin token. A request carries it as
// "Authorization: Bearer <token>" (API clients) or as the session cookie the
// login form sets (browsers). The cookie is HttpOnly and SameSite=Strict, and
// nothing changes state on a GET, which together keep cross-site requests
// from using it.
type auth struct {
	tokenDigest [sha256.Size]byte
	session     string // the session cookie's value
}

// newAuth returns nil when token is empty: the admin plane is open.
func newAuth(token string) *auth {
	if token == "" {
		return nil
	}
	mac := hmac.New(sha256.New, []byte(token))
	mac.Write([]byte("a2a-proxy admin session v1"))
	return &auth{
		tokenDigest: sha256.Sum256([]byte(token)),
		session:     base64.RawURLEncoding.EncodeToString(mac.Sum(nil)),
	}
}

// tokenMatches compares digests, so the time taken does not depend on how
// much of the token a guess got right, nor on its length.
func (a *auth) tokenMatches(token string) bool {
	got := sha256.Sum256([]byte(token))
	return subtle.ConstantTimeCompare(got[:], a.tokenDigest[:]) == 1
}

// allows reports whether r carries the token or a valid session cookie.
func (a *auth) allows(r *http.Request) bool {
	if scheme, token, ok := strings.Cut(r.Header.Get("Authorization"), " "); ok && strings.EqualFold(scheme, "Bearer") {
		return a.tokenMatches(token)
	}
	c, err := r.Cookie(sessionCookie)
	return err == nil && subtle.ConstantTimeCompare([]byte(c.Value), []byte(a.session)) == 1
}

// requireAPI refuses requests without the token with the API's JSON 401.
func (a *auth) requireAPI(c *gin.Context) {
	if !a.allows(c.Request) {
		_ = c.Error(errUnauthorized)
		c.Abort()
	}
}

// requirePage sends browsers without the token to the login form, which
// brings them back afterwards.
func (a *auth) requirePage(c *gin.Context) {
	if !a.allows(c.Request) {
		c.Redirect(http.StatusSeeOther, "/login?next="+url.QueryEscape(c.Request.URL.RequestURI()))
		c.Abort()
	}
}

// startSession sets the session cookie on a browser that sent the token.
func (a *auth) startSession(c *gin.Context) {
	http.SetCookie(c.Writer, a.cookie(a.session, 0, c.Request))
}

// endSession removes the session cookie.
func (a *auth) endSession(c *gin.Context) {
	http.SetCookie(c.Writer, a.cookie("", -1, c.Request))
}

func (a *auth) cookie(value string, maxAge int, r *http.Request) *http.Cookie {
	return &http.Cookie{
		Name:     sessionCookie,
		Value:    value,
		Path:     "/",
		MaxAge:   maxAge, // 0: until the browser closes
		HttpOnly: true,
		Secure:   r.TLS != nil || r.Header.Get("X-Forwarded-Proto") == "https",
		SameSite: http.SameSiteStrictMode,
	}
}
