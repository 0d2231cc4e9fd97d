package urlpath

import (
	"errors"
	"net/url"
	"strings"
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
		{"*", 0, "*", nil},
		{"%2E", 0, "", ErrEscapes},
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

// FuzzResolve pins Resolve's promise for any path: what it returns has no
// dot segment left and keeps the prefix it was told to keep.
func FuzzResolve(f *testing.F) {
	for _, seed := range []string{"/agents/py/../x", "/agents/py/a/%2e%2E/b", "/a/.%2e%2f..", "/%252e/./x/", `/a\..`} {
		f.Add(seed)
	}
	f.Fuzz(func(t *testing.T, path string) {
		const prefix = "/agents/py"
		for _, in := range []string{path, prefix + path} {
			keep := 0
			if strings.HasPrefix(in, prefix+"/") {
				keep = 2
			}
			got, err := Resolve(in, keep)
			if err != nil {
				continue
			}
			if HasDots(got) || hasDecodedDots(got) {
				t.Fatalf("Resolve(%q, %d) = %q: a dot segment is left", in, keep, got)
			}
			if keep == 2 && !strings.HasPrefix(got, prefix+"/") {
				t.Fatalf("Resolve(%q, 2) = %q: out of %s", in, got, prefix)
			}
		}
	})
}

// hasDecodedDots is a second opinion on HasDots: it decodes the whole path
// once, as a server would, and splits it on '/', '\\' and ';'.
func hasDecodedDots(escaped string) bool {
	decoded, err := url.PathUnescape(escaped)
	if err != nil {
		decoded = escaped
	}
	for _, seg := range strings.FieldsFunc(decoded, func(r rune) bool { return r == '/' || r == '\\' || r == ';' }) {
		if seg == "." || seg == ".." {
			return true
		}
	}
	return false
}
