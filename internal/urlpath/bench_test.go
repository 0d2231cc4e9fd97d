package urlpath

import "testing"

// BenchmarkResolve measures what every proxied request pays: a path without
// dot segments, the common case, and one with.
func BenchmarkResolve(b *testing.B) {
	for _, path := range []string{"/agents/py/", "/agents/py/.well-known/agent-card.json", "/agents/py/v1/tasks/a%2Fb:subscribe", "/agents/py/x/%2e%2e/y"} {
		b.Run(path, func(b *testing.B) {
			b.ReportAllocs()
			for b.Loop() {
				_, _ = Resolve(path, 2)
			}
		})
	}
}
