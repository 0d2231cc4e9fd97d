package forwarded

import (
	"net/netip"
	"strconv"
	"strings"
)

// ValidHost tells whether v is a plain host[:port] fit for the authority of
// a URL: a DNS name, an IPv4 address or a bracketed IPv6 one, with an
// optional port from 1 to 65535. Nothing else (no userinfo, path, space or
// empty port) gets through, so a URL built from it names that host only.
func ValidHost(v string) bool {
	host, port := v, ""
	if strings.HasPrefix(v, "[") {
		end := strings.IndexByte(v, ']')
		if end < 0 {
			return false
		}
		host, port = v[1:end], v[end+1:]
		if port != "" && port[0] != ':' {
			return false
		}
		a, err := netip.ParseAddr(host)
		if err != nil || !a.Is6() || a.Zone() != "" {
			return false
		}
	} else {
		if i := strings.IndexByte(v, ':'); i >= 0 {
			host, port = v[:i], v[i:]
		}
		if !validName(host) {
			return false
		}
	}
	if port == "" {
		return true
	}
	return validPort(port[1:])
}

func validPort(p string) bool {
	if p == "" || len(p) > 5 || strings.TrimLeft(p, "0123456789") != "" {
		return false
	}
	n, err := strconv.Atoi(p)
	return err == nil && n >= 1 && n <= 65535
}

// validName accepts DNS names (and so IPv4 addresses): dot-separated labels
// of letters, digits, '-' and '_' (container names have them), at most 63
// bytes each and 253 in all, with an optional final dot.
func validName(h string) bool {
	h = strings.TrimSuffix(h, ".")
	if h == "" || len(h) > 253 {
		return false
	}
	for label := range strings.SplitSeq(h, ".") {
		if label == "" || len(label) > 63 {
			return false
		}
		for _, c := range []byte(label) {
			if !('a' <= c && c <= 'z' || 'A' <= c && c <= 'Z' || '0' <= c && c <= '9' || c == '-' || c == '_') {
				return false
			}
		}
	}
	return true
}
