package forwarded

import (
	"crypto/tls"
	"net/http/httptest"
	"testing"
)

func TestOrigin(t *testing.T) {
	tests := []struct {
		name                 string
		tls                  bool
		proto, fwdHost       string
		wantScheme, wantHost string
	}{
		{"direct", false, "", "", "http", "proxy:8080"},
		{"direct TLS", true, "", "", "https", "proxy:8080"},
		{"behind a proxy", false, "https, http", "public.example, inner", "https", "public.example"},
		{"bogus scheme ignored", false, "gopher", "", "http", "proxy:8080"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			r := httptest.NewRequest("GET", "http://proxy:8080/x", nil)
			if tt.tls {
				r.TLS = &tls.ConnectionState{}
			}
			if tt.proto != "" {
				r.Header.Set("X-Forwarded-Proto", tt.proto)
			}
			if tt.fwdHost != "" {
				r.Header.Set("X-Forwarded-Host", tt.fwdHost)
			}
			if scheme, host := Origin(r); scheme != tt.wantScheme || host != tt.wantHost {
				t.Errorf("Origin = %s %s, want %s %s", scheme, host, tt.wantScheme, tt.wantHost)
			}
		})
	}
}
