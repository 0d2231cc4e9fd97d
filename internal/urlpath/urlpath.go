// Package urlpath resolves the dot segments of escaped request paths, so that
// a path cannot name one place to the router and another to the server behind.
package urlpath

import (
	"errors"
	"strings"
)

var (
	// ErrAmbiguous is a dot segment glued to something a server may take for
	// a separator: an encoded slash, a backslash or a ';' parameter
	// ("..%2f", "a%5c..", "..;x"). Whether it climbs depends on the server.
	ErrAmbiguous = errors.New("dot segment next to an encoded slash, a backslash or a ';'")
	// ErrEscapes is a ".." that climbs out of the kept prefix, or a dot
	// segment inside it.
	ErrEscapes = errors.New("path climbs out of its prefix")
)

// Resolve removes the dot segments of escaped, an escaped URL path
// (r.URL.EscapedPath()), as RFC 3986 section 5.2.4 does, taking "%2e" in
// any case for ".". The first keep segments are a prefix the path must stay
// under: a ".." that would remove one of them, or a dot segment among them,
// is ErrEscapes. The segments left are kept as they were escaped; "%252e" is
// a literal "%2e", not a dot. A path without dot segments is returned as it
// is, without allocating.
func Resolve(escaped string, keep int) (string, error) {
	if !hasDots(escaped) {
		return escaped, nil
	}
	if !strings.HasPrefix(escaped, "/") { // not a request path: nothing to resolve against
		return "", ErrEscapes
	}
	segs := strings.Split(escaped[1:], "/")
	out := make([]string, 0, len(segs))
	for i, seg := range segs {
		k := kindOf(seg)
		last := i == len(segs)-1
		switch {
		case k == ambiguous:
			return "", ErrAmbiguous
		case k != plain && i < keep:
			return "", ErrEscapes
		case k == plain:
			out = append(out, seg)
			continue
		case k == dotdot:
			if len(out) <= keep {
				return "", ErrEscapes
			}
			out = out[:len(out)-1]
		}
		if last { // "a/." and "a/.." resolve to "a/"
			out = append(out, "")
		}
	}
	return "/" + strings.Join(out, "/"), nil
}

type kind int

const (
	plain kind = iota
	dot
	dotdot
	ambiguous
)

// HasDots tells whether escaped has a dot segment, encoded or not, or a
// segment that Resolve finds ambiguous.
func HasDots(escaped string) bool { return hasDots(escaped) }

func hasDots(escaped string) bool {
	for rest := escaped; ; {
		seg, tail, more := strings.Cut(rest, "/")
		if kindOf(seg) != plain {
			return true
		}
		if !more {
			return false
		}
		rest = tail
	}
}

// kindOf tells a segment's kind. It splits the segment into parts on what
// some servers take for separators (an encoded slash, a backslash, a ';'):
// a dot part among others makes it ambiguous.
func kindOf(seg string) kind {
	parts, dotParts := 1, 0
	dots, other := 0, false // of the current part
	endPart := func() {
		if !other && (dots == 1 || dots == 2) {
			dotParts++
		}
	}
	for i := 0; i < len(seg); i++ {
		c := seg[i]
		if c == '%' && i+2 < len(seg) && isHex(seg[i+1]) && isHex(seg[i+2]) {
			c = decoded(seg[i+1], seg[i+2])
			i += 2
		}
		switch c {
		case '.':
			dots++
		case '/', '\\', ';':
			endPart()
			parts++
			dots, other = 0, false
		default:
			other = true
		}
	}
	endPart()
	switch {
	case dotParts == 0:
		return plain
	case parts > 1:
		return ambiguous
	case dots == 1:
		return dot
	default:
		return dotdot
	}
}

// decoded is the character %hl stands for when it matters here: a dot or a
// separator; 0 otherwise.
func decoded(h, l byte) byte {
	l |= 0x20 // lower case
	switch {
	case h == '2' && l == 'e':
		return '.'
	case h == '2' && l == 'f':
		return '/'
	case h == '5' && l == 'c':
		return '\\'
	case h == '3' && l == 'b':
		return ';'
	}
	return 0
}

func isHex(c byte) bool {
	return '0' <= c && c <= '9' || 'a' <= c|0x20 && c|0x20 <= 'f'
}
