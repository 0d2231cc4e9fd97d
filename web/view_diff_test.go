package web

import (
	"strings"
	"testing"

	"github.com/a2aproxy/a2a-proxy/diff"
)

// Pins the side-by-side layout: every event of both recordings appears in
// exactly one row, in its recording's order, and removed, added and moved
// events get rows of their own on their side.
func TestDiffRows(t *testing.T) {
	rec := func(docs ...string) diff.Recording {
		var r diff.Recording
		for i, d := range docs {
			kind := "k"
			if d == "n" { // pairs with nothing of a
				kind = "other"
			}
			r.Events = append(r.Events, diff.Event{Seq: i, Kind: kind, Data: []byte(`{"v":"` + d + `"}`)})
		}
		return r
	}
	a := rec("p", "q", "r", "s", "t", "u")
	b := rec("p", "u", "q", "x", "s", "t", "n")
	res := diff.Compare(a, b, diff.Options{})
	rows := newDiffRows(&res, a, b)
	var got []string
	var seenA, seenB []int
	for _, r := range rows {
		s := r.Status + ":"
		if r.A != nil {
			s += "a" + r.A.JSON[strings.Index(r.A.JSON, `"v": "`)+6:][:1]
			seenA = append(seenA, r.A.Index)
		}
		if r.B != nil {
			s += "b" + r.B.JSON[strings.Index(r.B.JSON, `"v": "`)+6:][:1]
			seenB = append(seenB, r.B.Index)
		}
		got = append(got, s)
	}
	t.Logf("rows %v", got)
	for side, seen := range map[string][]int{"a": seenA, "b": seenB} {
		n := len(a.Events)
		if side == "b" {
			n = len(b.Events)
		}
		if len(seen) != n {
			t.Errorf("side %s: %d events in rows, want %d", side, len(seen), n)
		}
		for i := 1; i < len(seen); i++ {
			if seen[i] < seen[i-1] && side == "a" {
				t.Errorf("side a out of order: %v", seen)
			}
		}
	}
	joined := strings.Join(got, " ")
	for _, want := range []string{"same:apbp", "changed:arbx", "added:bn"} {
		if !strings.Contains(joined, want) {
			t.Errorf("rows %s lack %s", joined, want)
		}
	}
	if !strings.Contains(joined, "moved:au") || !strings.Contains(joined, "moved:bu") {
		t.Errorf("rows %s lack the move of u", joined)
	}
}
