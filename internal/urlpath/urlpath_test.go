package urlpath

import (
	"errors"
	"testing"
)

// TestResolve pins how each spelling of a dot segment resolves: plain and
// %2e-encoded dots alike, ambiguous ones refused, double encoding literal.
func TestResolve(t *testing.T) {
	for _, tc := range []struct {
		in   string
		keep int
		want string
		err  error
	}{
		{"/", 0, "/", nil},
		{"/v1/message:stream", 0, "/v1/message:stream", nil},
		{"/.well-known/agent-card.json", 0, "/.well-known/agent-card.json", nil},
		{"/a%20b/c%2Fd", 0, "/a%20b/c%2Fd", nil},   // encoded space and slash, no dots
		{"/a..b/...", 0, "/a..b/...", nil},         // not dot segments
		{"/%252e%252e/x", 0, "/%252e%252e/x", nil}, // double encoding is a literal
		{"/a/./b", 0, "/a/b", nil},
		{"/a/b/../c", 0, "/a/c", nil},
		{"/a/%2e%2E/c", 0, "/c", nil},
		{"/a/.%2e/c", 0, "/c", nil},
		{"/a/%2e./c", 0, "/c", nil},
		{"/a/b/..", 0, "/a/", nil},
		{"/a/b/.", 0, "/a/b/", nil},
		{"/a//../b", 0, "/a/b", nil},
		{"/agents/py/x/../y", 2, "/agents/py/y", nil},
		{"/agents/py/x/..", 2, "/agents/py/", nil},
		{"/..", 0, "", ErrEscapes},
		{"/a/../..", 0, "", ErrEscapes},
		{"/agents/py/..", 2, "", ErrEscapes},
		{"/agents/py/../../etc/passwd", 2, "", ErrEscapes},
		{"/agents/py/x/../../q", 2, "", ErrEscapes},
		{"/agents/../x", 2, "", ErrEscapes}, // a dot segment in the prefix
		{"/agents/./py/x", 2, "", ErrEscapes},
		{"/a/..%2f..%2fetc", 0, "", ErrAmbiguous},
		{"/a/x%2F..", 0, "", ErrAmbiguous},
		{"/a/%2e%2e%2Fx", 0, "", ErrAmbiguous},
		{`/a/..\x`, 0, "", ErrAmbiguous},
		{"/a/x%5c..", 0, "", ErrAmbiguous},
		{"/a/..;jsessionid=1/x", 0, "", ErrAmbiguous},
		{"/a/.%3bx", 0, "", ErrAmbiguous},
	} {
		got, err := Resolve(tc.in, tc.keep)
		if got != tc.want || !errors.Is(err, tc.err) {
			t.Errorf("Resolve(%q, %d) = %q, %v; want %q, %v", tc.in, tc.keep, got, err, tc.want, tc.err)
		}
	}
}

// TestResolveCleanPathAllocatesNothing pins that the common case costs no
// allocation on every request.
func TestResolveCleanPathAllocatesNothing(t *testing.T) {
	allocs := testing.AllocsPerRun(100, func() {
		_, _ = Resolve("/agents/py/.well-known/agent-card.json", 2)
	})
	if allocs != 0 {
		t.Fatalf("Resolve of a clean path allocates %v times", allocs)
	}
}
