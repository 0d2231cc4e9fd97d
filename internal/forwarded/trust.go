package forwarded

import (
	"fmt"
	"net"
	"net/netip"
	"strings"
)

// Trust says whose X-Forwarded-* headers are believed: every peer's, or
// those of peers in a list of networks. The zero value believes no one.
type Trust struct {
	all  bool
	nets []netip.Prefix
}

// TrustAll believes every peer.
var TrustAll = Trust{all: true}

// ParseTrust reads a --trust-forwarded value: "" or "false" trusts no one;
// "true" or "all" every peer; otherwise a comma-separated list of networks
// (10.0.0.0/8) or addresses (127.0.0.1) whose peers are trusted.
func ParseTrust(s string) (Trust, error) {
	switch strings.ToLower(strings.TrimSpace(s)) {
	case "", "false", "none":
		return Trust{}, nil
	case "true", "all":
		return TrustAll, nil
	}
	var t Trust
	for item := range strings.SplitSeq(s, ",") {
		item = strings.TrimSpace(item)
		if item == "" {
			continue
		}
		if p, err := netip.ParsePrefix(item); err == nil {
			t.nets = append(t.nets, p.Masked())
			continue
		}
		a, err := netip.ParseAddr(item)
		if err != nil {
			return Trust{}, fmt.Errorf("%q is not a network like 10.0.0.0/8 nor an address", item)
		}
		t.nets = append(t.nets, netip.PrefixFrom(a, a.BitLen()))
	}
	return t, nil
}

// String is the value ParseTrust reads back.
func (t Trust) String() string {
	if t.all {
		return "all"
	}
	if len(t.nets) == 0 {
		return "false"
	}
	s := make([]string, len(t.nets))
	for i, p := range t.nets {
		s[i] = p.String()
	}
	return strings.Join(s, ",")
}

// Trusts tells whether a peer at remoteAddr (an http.Request's RemoteAddr,
// "ip:port") is believed.
func (t Trust) Trusts(remoteAddr string) bool {
	if t.all {
		return true
	}
	if len(t.nets) == 0 {
		return false
	}
	host, _, err := net.SplitHostPort(remoteAddr)
	if err != nil {
		host = remoteAddr
	}
	a, err := netip.ParseAddr(host)
	if err != nil {
		return false
	}
	a = a.Unmap().WithZone("") // an IPv4 peer on a dual-stack listener is ::ffff:a.b.c.d
	for _, p := range t.nets {
		if p.Contains(a) {
			return true
		}
	}
	return false
}
