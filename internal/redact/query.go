package redact

import (
	"mime"
	"net/url"
	"strings"
)

// URI returns a request URI (path and query) with the values of secret
// query parameters replaced by Marker; the rest of it is kept as sent.
func (r *Redactor) URI(uri string) string {
	path, query, ok := strings.Cut(uri, "?")
	if !ok {
		return uri
	}
	if q, changed := r.redactQuery(query); changed {
		return path + "?" + q
	}
	return uri
}

// URL returns u's string form with secret query values and any password
// replaced, for URLs shown outside the store (span attributes).
func (r *Redactor) URL(u *url.URL) string {
	c := *u
	if q, changed := r.redactQuery(c.RawQuery); changed {
		c.RawQuery = q
	}
	return c.Redacted()
}

// Body returns a request body with secrets redacted: JSON fields, or the
// values of secret form fields in an application/x-www-form-urlencoded body.
// Other bodies are returned as they are.
func (r *Redactor) Body(contentType string, body []byte) []byte {
	if mt, _, err := mime.ParseMediaType(contentType); err == nil && mt == "application/x-www-form-urlencoded" {
		if q, changed := r.redactQuery(string(body)); changed {
			return []byte(q)
		}
		return body
	}
	return r.JSON(body)
}

// redactQuery redacts the values of secret parameters of a raw query,
// keeping every name, separator and other value byte for byte.
func (r *Redactor) redactQuery(raw string) (string, bool) {
	if raw == "" {
		return raw, false
	}
	var b strings.Builder
	changed := false
	for i, pair := range strings.Split(raw, "&") {
		if i > 0 {
			b.WriteByte('&')
		}
		name, _, hasValue := strings.Cut(pair, "=")
		if hasValue {
			if unescaped, err := url.QueryUnescape(name); err == nil {
				name = unescaped
			}
			if r.QueryParam(name) {
				b.WriteString(pair[:strings.IndexByte(pair, '=')+1])
				b.WriteString(Marker)
				changed = true
				continue
			}
		}
		b.WriteString(pair)
	}
	if !changed {
		return raw, false
	}
	return b.String(), true
}
