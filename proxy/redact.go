package proxy

import (
	"net/http"
	"strings"
)

// Redacted replaces the value of every credential header before it is stored.
const Redacted = "[REDACTED]"

var credentialHeaders = map[string]bool{
	"Authorization":        true,
	"Proxy-Authorization":  true,
	"Cookie":               true,
	"Set-Cookie":           true,
	"X-Api-Key":            true,
	"Api-Key":              true,
	"X-Auth-Token":         true,
	"X-Amz-Security-Token": true,
}

// credentialWords catch the long tail of vendor headers ("X-Goog-Api-Key",
// "X-Session-Token", "X-Client-Secret").
var credentialWords = []string{"token", "secret", "password", "api-key", "apikey", "credential", "signature", "session"}

// IsCredentialHeader reports whether a header's value must not be stored.
func IsCredentialHeader(name string) bool {
	name = http.CanonicalHeaderKey(name)
	if credentialHeaders[name] {
		return true
	}
	lower := strings.ToLower(name)
	for _, w := range credentialWords {
		if strings.Contains(lower, w) {
			return true
		}
	}
	return false
}

// RedactHeaders returns a copy of h with credential values replaced.
func RedactHeaders(h http.Header) http.Header {
	out := make(http.Header, len(h))
	for k, v := range h {
		if IsCredentialHeader(k) {
			masked := make([]string, len(v))
			for i := range masked {
				masked[i] = Redacted
			}
			out[k] = masked
			continue
		}
		out[k] = append([]string(nil), v...)
	}
	return out
}
