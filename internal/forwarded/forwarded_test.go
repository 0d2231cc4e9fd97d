package forwarded

import (
	"context"
	"crypto/tls"
	"net"
	"net/http"
	"net/http/httptest"
	"testing"
)

// TestOrigin pins which scheme and host a card is built from: the request's
// own unless a trusted peer forwards valid ones.
func TestOrigin(t *testing.T) {
	trusted, err := ParseTrust("10.0.0.0/8, 127.0.0.1")
	if err != nil {
		t.Fatal(err)
	}
	tests := []struct {
		name                 string
		trust                Trust
		peer                 string
		tls                  bool
		proto, fwdHost       string
		wantScheme, wantHost string
	}{
		{"direct", Trust{}, "", false, "", "", "http", "proxy:8080"},
		{"direct TLS", Trust{}, "", true, "", "", "https", "proxy:8080"},
		{"behind a proxy", TrustAll, "", false, "https, http", "public.example, inner", "https", "public.example"},
		{"bogus scheme ignored", TrustAll, "", false, "gopher", "", "http", "proxy:8080"},
		{"untrusted by default", Trust{}, "", false, "https", "evil.example", "http", "proxy:8080"},
		{"trusted network", trusted, "10.1.2.3:4444", false, "https", "public.example", "https", "public.example"},
		{"trusted address", trusted, "127.0.0.1:4444", false, "HTTPS", "public.example:8443", "https", "public.example:8443"},
		{"peer outside the networks", trusted, "192.0.2.1:4444", false, "https", "evil.example", "http", "proxy:8080"},
		{"mapped IPv4 peer", trusted, "[::ffff:10.0.0.1]:4444", false, "", "public.example", "http", "public.example"},
		{"host with a path", TrustAll, "", false, "", "evil.example/x", "http", "proxy:8080"},
		{"host with a space", TrustAll, "", false, "", "a b", "http", "proxy:8080"},
		{"host with userinfo", TrustAll, "", false, "", "user@host", "http", "proxy:8080"},
		{"port out of range", TrustAll, "", false, "", "host:99999", "http", "proxy:8080"},
		{"javascript scheme", TrustAll, "", false, "javascript", "", "http", "proxy:8080"},
		{"IPv6 host", TrustAll, "", false, "", "[2001:db8::1]:443", "http", "[2001:db8::1]:443"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			r := httptest.NewRequest("GET", "http://proxy:8080/x", nil)
			if tt.peer != "" {
				r.RemoteAddr = tt.peer
			}
			if tt.tls {
				r.TLS = &tls.ConnectionState{}
			}
			if tt.proto != "" {
				r.Header.Set("X-Forwarded-Proto", tt.proto)
			}
			if tt.fwdHost != "" {
				r.Header.Set("X-Forwarded-Host", tt.fwdHost)
			}
			if scheme, host := tt.trust.Origin(r); scheme != tt.wantScheme || host != tt.wantHost {
				t.Errorf("Origin = %s %s, want %s %s", scheme, host, tt.wantScheme, tt.wantHost)
			}
		})
	}
}

// TestOriginBadHost pins that a Host header unfit for a URL is replaced by
// the listener's address the request came in on.
func TestOriginBadHost(t *testing.T) {
	for _, host := range []string{"user@evil.example", "evil.example:99999", "a;b", ""} {
		r := httptest.NewRequest("GET", "http://proxy/x", nil)
		r.Host = host
		local := &net.TCPAddr{IP: net.IPv4(127, 0, 0, 1), Port: 8080}
		r = r.WithContext(context.WithValue(r.Context(), http.LocalAddrContextKey, local))
		if _, got := (Trust{}).Origin(r); got != "127.0.0.1:8080" {
			t.Errorf("Host %q: Origin host = %q, want the listener's 127.0.0.1:8080", host, got)
		}
	}
}

func TestValidHost(t *testing.T) {
	for v, want := range map[string]bool{
		"example.com": true, "example.com:8080": true, "10.0.0.1:1": true, "[::1]:8080": true,
		"[::1]": true, "my_agent": true, "example.com.": true,
		"": false, "example.com:": false, "example.com:0": false, "example.com:65536": false,
		"a b": false, "a/b": false, "user@host": false, "::1": false, "[::1]x": false,
		"[fe80::1%25eth0]": false, "[10.0.0.1]": false, "a..b": false, "host:+80": false,
		"exa\x00mple": false, "h:1:2": false,
	} {
		if got := ValidHost(v); got != want {
			t.Errorf("ValidHost(%q) = %v, want %v", v, got, want)
		}
	}
}

func TestParseTrust(t *testing.T) {
	for in, want := range map[string]string{
		"": "false", "false": "false", "true": "all", "ALL": "all",
		"10.0.0.0/8,127.0.0.1": "10.0.0.0/8,127.0.0.1/32", "10.1.2.3/8": "10.0.0.0/8", "::1": "::1/128",
	} {
		tr, err := ParseTrust(in)
		if err != nil || tr.String() != want {
			t.Errorf("ParseTrust(%q) = %v, %v; want %s", in, tr, err, want)
		}
	}
	for _, bad := range []string{"yes", "10.0.0.0/33", "example.com"} {
		if _, err := ParseTrust(bad); err == nil {
			t.Errorf("ParseTrust(%q) succeeded, want an error", bad)
		}
	}
}
