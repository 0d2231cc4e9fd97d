// Package forwarded tells the scheme and host a client used to reach this
// server: the request's own, unless a reverse proxy the operator trusts says
// otherwise with X-Forwarded-Proto and X-Forwarded-Host. Agent cards and
// replay cards name URLs clients must be able to call, so they are built
// from it; anyone can send those headers, so they count only from a trusted
// peer, and only when they hold a plain scheme and host[:port].
package forwarded

import (
	"net"
	"net/http"
	"strings"
)

// Origin returns the scheme ("http" or "https") and host[:port] of r as the
// client sent it. X-Forwarded-Proto and X-Forwarded-Host are believed only
// when t trusts r's TCP peer, and each only if it is valid. A Host header
// that is not a valid host[:port] is replaced by the address the request
// came in on, so that a card never names a URL shaped by the client.
func (t Trust) Origin(r *http.Request) (scheme, host string) {
	scheme = "http"
	if r.TLS != nil {
		scheme = "https"
	}
	host = r.Host
	if !ValidHost(host) {
		host = localAddr(r)
	}
	if !t.Trusts(r.RemoteAddr) {
		return scheme, host
	}
	if v := strings.ToLower(first(r.Header.Get("X-Forwarded-Proto"))); v == "http" || v == "https" {
		scheme = v
	}
	if v := first(r.Header.Get("X-Forwarded-Host")); ValidHost(v) {
		host = v
	}
	return scheme, host
}

// Scheme is the scheme of Origin: "https" when the client's connection was
// TLS, or a trusted proxy says it was.
func (t Trust) Scheme(r *http.Request) string {
	scheme, _ := t.Origin(r)
	return scheme
}

// first is the first of a comma-separated list of values, as a chain of
// proxies appends them: the one the client reached.
func first(v string) string {
	v, _, _ = strings.Cut(v, ",")
	return strings.TrimSpace(v)
}

// localAddr is the address of the listener r came in on, or "localhost"
// for a request that came from no listener (tests).
func localAddr(r *http.Request) string {
	if a, ok := r.Context().Value(http.LocalAddrContextKey).(net.Addr); ok {
		return a.String()
	}
	return "localhost"
}
