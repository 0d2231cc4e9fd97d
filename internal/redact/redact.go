// Package redact removes secrets from what the proxy stores: credential
// headers, query parameters and JSON fields named like credentials. It never
// touches what is forwarded; callers pass it the copy they are about to keep.
//
// The rules (README "What is redacted"):
//   - A header is redacted when its name contains, case-insensitively, one of
//     headerWords (so X-Auth, X-My-Session, Set-Cookie), or a word added with
//     Rules.Headers.
//   - A JSON field or query parameter name is cut into words at
//     non-alphanumerics and camelCase humps ("clientSecret" -> client,
//     secret; "AWSAccessKeyId" -> aws, access, key, id). It is redacted when
//     a word contains one of anywhereWords, equals one of wholeWords, or is
//     the last word and equals one of lastWords or ends in "token"
//     (accessToken, x_api_key, csrftoken); or when the name or one of its
//     words equals a name added with Rules.Fields / Rules.Query. Whole words
//     keep "key", "token", "auth" and "sig" from hitting "keywords",
//     "monkey", "inputTokens" or "author"; "last word" keeps token counts
//     (totalTokenCount) and key ids. Query parameters also count "code"
//     (OAuth's authorization code); JSON fields do not, as JSON-RPC errors
//     carry a "code".
//   - A2A's own field names that match but hold no secret (allowedFields:
//     pageToken, tokenUrl, ...) are kept.
package redact

import (
	"bytes"
	"net/http"
	"strings"
)

// Marker replaces every redacted value.
const Marker = "[REDACTED]"

// headerWords are matched anywhere in a header name: vendor headers are many
// ("X-Goog-Api-Key", "X-Amz-Security-Token", "X-Session-Token").
var headerWords = []string{"auth", "token", "key", "secret", "password", "passwd", "session", "cookie", "signature", "credential"}

// anywhereWords are matched anywhere in a word of a field or parameter name:
// no ordinary word contains them.
var anywhereWords = []string{"secret", "password", "passwd", "credential", "signature", "cookie", "session"}

// wholeWords must be a whole word of the name: they occur inside ordinary
// words (author, design).
var wholeWords = []string{"auth", "authorization", "apikey", "accesskey", "privatekey", "sig", "pwd", "jwt"}

// lastWords must be the last word of the name: "apiKey" and "accessToken"
// hold secrets, "keyId", "tokenUrl" and "totalTokenCount" do not.
var lastWords = []string{"token", "key", "keys"}

// queryWords are wholeWords that only query parameters count.
var queryWords = []string{"code"}

// allowedFields are A2A field names that match the rules but name no secret:
// v1.0 pagination cursors and the URLs and scheme names of agent cards.
// Compared as the name's words joined ("page_token" and "pageToken" alike).
var allowedFields = []string{"pagetoken", "nextpagetoken", "tokenurl", "authorizationurl",
	"deviceauthorizationurl", "apikeysecurityscheme", "httpauthsecurityscheme"}

// Rules add names to the built-in ones. Matching is case-insensitive.
type Rules struct {
	Headers []string // matched anywhere in a header name
	Fields  []string // JSON fields: a whole name or one of its words
	Query   []string // query parameters: a whole name or one of its words
}

// Redactor applies the rules. It is safe for concurrent use.
type Redactor struct {
	headers []string
	fields  nameRule
	query   nameRule
	// scan are the lowercase strings one of which every redacted JSON field
	// name contains: a document without any needs no parse.
	scan  []string
	pairs [1 << 10]bool // the first two bytes of each of scan, by pairIndex
}

// New returns a Redactor with the built-in rules and extra.
func New(extra Rules) *Redactor {
	r := &Redactor{
		headers: append(lowered(headerWords), lowered(extra.Headers)...),
		fields:  newNameRule(extra.Fields, nil),
		query:   newNameRule(extra.Query, queryWords),
	}
	// "passw" stands for password and passwd, "auth" for authorization,
	// "key" for apikey and the like, "sig" for signature.
	r.scan = append([]string{"secret", "passw", "credential", "cookie", "session", "auth", "token", "key", "sig", "pwd", "jwt"},
		lowered(extra.Fields)...)
	for _, w := range r.scan {
		if len(w) < 2 {
			w += w // a one-byte word: let every pair that starts with it through
			for c := range 256 {
				r.pairs[pairIndex(w[0], byte(c))] = true
			}
		}
		r.pairs[pairIndex(w[0], w[1])] = true
	}
	return r
}

var defaultRedactor = New(Rules{})

// Default returns a Redactor with the built-in rules only.
func Default() *Redactor { return defaultRedactor }

// Header reports whether a header's value must not be stored.
func (r *Redactor) Header(name string) bool {
	lower := strings.ToLower(name)
	for _, w := range r.headers {
		if w != "" && strings.Contains(lower, w) {
			return true
		}
	}
	return false
}

// Headers returns a copy of h with the values of credential headers
// replaced by Marker.
func (r *Redactor) Headers(h http.Header) http.Header {
	if h == nil {
		return nil
	}
	out := make(http.Header, len(h))
	for k, v := range h {
		if r.Header(k) {
			masked := make([]string, len(v))
			for i := range masked {
				masked[i] = Marker
			}
			out[k] = masked
			continue
		}
		out[k] = append([]string(nil), v...)
	}
	return out
}

// Field reports whether a JSON field's value must not be stored.
func (r *Redactor) Field(name string) bool { return r.fields.match([]byte(name)) }

// QueryParam reports whether a query parameter's value must not be stored.
func (r *Redactor) QueryParam(name string) bool { return r.query.match([]byte(name)) }

// mayHold reports whether b may hold a JSON field whose value must not be
// stored. It gates the JSON parse, so it must never miss one; false alarms
// only cost a parse. It looks at keys alone: every key ends in a quote
// followed by a colon, and colons are few.
func (r *Redactor) mayHold(b []byte) bool {
	for i := 0; ; i++ {
		k := bytes.IndexByte(b[i:], ':')
		if k < 0 {
			return false
		}
		i += k
		q := i - 1
		for q >= 0 && (b[q] == ' ' || b[q] == '\t' || b[q] == '\n' || b[q] == '\r') {
			q--
		}
		if q < 0 || b[q] != '"' || escaped(b, q) {
			continue // no key, or a quote inside a string
		}
		open := bytes.LastIndexByte(b[:q], '"')
		if open < 0 {
			continue
		}
		if key := b[open+1 : q]; escaped(b, open) || bytes.IndexByte(key, '\\') >= 0 || r.keyMayMatch(key) {
			return true // a key with escapes may spell anything
		}
	}
}

// escaped reports whether b[i] is preceded by an odd number of backslashes.
func escaped(b []byte, i int) bool {
	n := 0
	for i--; i >= 0 && b[i] == '\\'; i-- {
		n++
	}
	return n%2 == 1
}

// keyMayMatch reports whether key contains one of the scan words.
func (r *Redactor) keyMayMatch(key []byte) bool {
	for i := 0; i+1 < len(key); i++ {
		if !r.pairs[pairIndex(key[i], key[i+1])] {
			continue
		}
		for _, w := range r.scan {
			if len(key)-i >= len(w) && hasPrefixFold(key[i:], w) {
				return true
			}
		}
	}
	return false
}

// pairIndex folds two bytes into 10 bits, ignoring ASCII case; other bytes
// collide with letters, which only lets more pairs through to the check.
func pairIndex(c0, c1 byte) int { return int(c0&0x1f)<<5 | int(c1&0x1f) }

// nameRule matches field or parameter names.
type nameRule struct {
	whole map[string]bool // lowercase words, and whole names added by the user
	last  map[string]bool
	allow map[string]bool
}

func newNameRule(extra, more []string) nameRule {
	n := nameRule{whole: make(map[string]bool), last: make(map[string]bool), allow: make(map[string]bool)}
	for _, w := range lastWords {
		n.last[w] = true
	}
	for _, w := range append(append(append([]string(nil), wholeWords...), more...), extra...) {
		if w != "" {
			n.whole[strings.ToLower(w)] = true
		}
	}
	for _, w := range allowedFields {
		n.allow[w] = true
	}
	return n
}

// maxName bounds the names matched without allocating; longer ones are
// lowered on the heap.
const maxName = 64

func (n nameRule) match(name []byte) bool {
	var lowBuf, joinBuf [maxName]byte
	lower := appendLower(lowBuf[:0], name)
	if n.whole[string(lower)] {
		return true
	}
	hit := false
	var last []byte
	joined := joinBuf[:0]
	eachWord(name, func(i, j int) {
		w := lower[i:j]
		joined, last = append(joined, w...), w
		if hit {
			return
		}
		hit = n.whole[string(w)]
		for _, a := range anywhereWords {
			hit = hit || bytes.Contains(w, []byte(a))
		}
	})
	hit = hit || n.last[string(last)] || bytes.HasSuffix(last, []byte("token"))
	return hit && !n.allow[string(joined)]
}

// eachWord calls fn with the bounds of each word of name: runs of letters
// and digits (bytes over 0x7f count as letters), cut before an upper-case
// letter that follows a lower-case one or a digit, and before the last of
// several upper-case letters when a lower-case one follows ("APIKey": API,
// Key).
func eachWord(name []byte, fn func(i, j int)) {
	start := -1
	for i, c := range name {
		if !isAlnum(c) {
			if start >= 0 {
				fn(start, i)
				start = -1
			}
			continue
		}
		if start < 0 {
			start = i
			continue
		}
		prev := name[i-1]
		if isUpper(c) && (isLower(prev) || isDigit(prev)) ||
			isUpper(c) && isUpper(prev) && i+1 < len(name) && isLower(name[i+1]) {
			fn(start, i)
			start = i
		}
	}
	if start >= 0 {
		fn(start, len(name))
	}
}

func lowered(words []string) []string {
	out := make([]string, 0, len(words))
	for _, w := range words {
		if w = strings.ToLower(strings.TrimSpace(w)); w != "" {
			out = append(out, w)
		}
	}
	return out
}

func appendLower(dst, b []byte) []byte {
	for _, c := range b {
		dst = append(dst, lowerByte(c))
	}
	return dst
}

// hasPrefixFold reports whether b starts with the lowercase ASCII word w,
// in any case.
func hasPrefixFold(b []byte, w string) bool {
	for i := 0; i < len(w); i++ {
		if lowerByte(b[i]) != w[i] {
			return false
		}
	}
	return true
}

func lowerByte(c byte) byte {
	if isUpper(c) {
		return c + 'a' - 'A'
	}
	return c
}

func isUpper(c byte) bool { return 'A' <= c && c <= 'Z' }
func isLower(c byte) bool { return 'a' <= c && c <= 'z' }
func isDigit(c byte) bool { return '0' <= c && c <= '9' }
func isAlnum(c byte) bool { return isUpper(c) || isLower(c) || isDigit(c) || c >= 0x80 }
