package diff

import (
	"bufio"
	"cmp"
	"fmt"
	"io"
	"strings"
	"time"
)

// WriteText writes the result for a terminal: a summary line, then each
// difference (changed, removed, added, moved, timing, each in recording
// order), with "-" for A's values and "+" for B's, as diff does.
func (r Result) WriteText(w io.Writer) error {
	bw := bufio.NewWriter(w)
	nameA, nameB := cmp.Or(r.A.Name, "a"), cmp.Or(r.B.Name, "b")
	fmt.Fprintf(bw, "--- a: %s (%s)\n+++ b: %s (%s)\n", nameA, plural(r.A.Events, "event"), nameB, plural(r.B.Events, "event"))
	if r.Equal {
		fmt.Fprintf(bw, "equal: %s\n", plural(r.Same, "event"))
	} else {
		fmt.Fprintf(bw, "%s\n", r.summary())
	}
	if r.Approximate {
		fmt.Fprintf(bw, "note: too many events to align; paired by position and kind\n")
	}
	for _, c := range r.Changed {
		fmt.Fprintf(bw, "\nchanged %s -> %s: %s\n", label("a", c.A), label("b", c.B), plural(len(c.Diffs), "difference"))
		for _, d := range c.Diffs {
			fmt.Fprintf(bw, "  %s\n", d.Path)
			if d.Old != "" {
				fmt.Fprintf(bw, "  - %s\n", d.Old)
			}
			if d.New != "" {
				fmt.Fprintf(bw, "  + %s\n", d.New)
			}
		}
	}
	for _, e := range r.Removed {
		fmt.Fprintf(bw, "\nremoved %s\n  - %s\n", label("a", e), e.Preview)
	}
	for _, e := range r.Added {
		fmt.Fprintf(bw, "\nadded %s\n  + %s\n", label("b", e), e.Preview)
	}
	for _, m := range r.Moved {
		fmt.Fprintf(bw, "\nmoved %s -> %s\n", label("a", m.A), label("b", m.B))
	}
	for _, t := range r.Timing {
		fmt.Fprintf(bw, "\ntiming %s -> %s: %s -> %s (x%.2f)\n", label("a", t.A), label("b", t.B),
			t.A.Offset.Round(time.Microsecond), t.B.Offset.Round(time.Microsecond), t.Ratio)
	}
	return bw.Flush()
}

// summary counts what differs, like git diff --stat's last line.
func (r Result) summary() string {
	parts := []string{fmt.Sprintf("%d same", r.Same)}
	for _, c := range []struct {
		n    int
		what string
	}{
		{len(r.Changed), "changed"}, {len(r.Removed), "removed"}, {len(r.Added), "added"},
		{len(r.Moved), "moved"}, {len(r.Timing), "timing"},
	} {
		if c.n > 0 {
			parts = append(parts, fmt.Sprintf("%d %s", c.n, c.what))
		}
	}
	return "different: " + strings.Join(parts, ", ")
}

// label names an event: side and position, kind, and exchange when known.
func label(side string, e EventRef) string {
	s := fmt.Sprintf("%s#%d", side, e.Index)
	if e.Kind != "" {
		s += " " + e.Kind
	}
	if e.Exchange != "" {
		s += " (" + e.Exchange + ")"
	}
	return s
}

func plural(n int, what string) string {
	if n == 1 {
		return "1 " + what
	}
	return fmt.Sprintf("%d %ss", n, what)
}
