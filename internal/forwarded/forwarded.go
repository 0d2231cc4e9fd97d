// Package forwarded tells the scheme and host a client used to reach this
// server: the request's own, unless a reverse proxy in front says otherwise
// with X-Forwarded-Proto and X-Forwarded-Host. Agent cards and replay cards
// name URLs clients must be able to call, so they are built from it.
package forwarded

import (
	"net/http"
	"strings"
)

// Origin returns the scheme ("http" or "https") and host of r as the client
// sent it.
func Origin(r *http.Request) (scheme, host string) {
	scheme = "http"
	if r.TLS != nil {
		scheme = "https"
	}
	if v := first(r.Header.Get("X-Forwarded-Proto")); v == "http" || v == "https" {
		scheme = v
	}
	host = r.Host
	if v := first(r.Header.Get("X-Forwarded-Host")); v != "" {
		host = v
	}
	return scheme, host
}

// first is the first of a comma-separated list of values, as a chain of
// proxies appends them.
func first(v string) string {
	v, _, _ = strings.Cut(v, ",")
	return strings.TrimSpace(v)
}
