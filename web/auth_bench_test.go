package web

import (
	"net/http/httptest"
	"testing"

	"github.com/a2aproxy/a2a-proxy/internal/forwarded"
)

// What the token check costs a valid request: a session cookie touches only
// the sessions map; a bearer token also takes and refunds a limiter slot.
func BenchmarkAuthCheck(b *testing.B) {
	a := newAuth("s3cret", forwarded.Trust{})
	for _, tt := range []struct{ name, header, value string }{
		{"session", "Cookie", sessionCookie + "=" + a.sessions.start()},
		{"bearer", "Authorization", "Bearer s3cret"},
	} {
		b.Run(tt.name, func(b *testing.B) {
			r := httptest.NewRequest("GET", "/api/tasks", nil)
			r.Header.Set(tt.header, tt.value)
			b.ReportAllocs()
			for b.Loop() {
				if v, _ := a.check(r); v != allowed {
					b.Fatal("refused")
				}
			}
		})
	}
}
