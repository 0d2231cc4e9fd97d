package diff

import (
	"fmt"
	"testing"
	"time"
)

// stream returns n status updates; tag makes their texts differ between
// recordings.
func stream(n int, tag string) Recording {
	rec := Recording{Events: make([]Event, n)}
	for i := range rec.Events {
		rec.Events[i] = Event{Seq: i, Kind: "status-update", Data: fmt.Appendf(nil,
			`{"jsonrpc":"2.0","id":1,"result":{"kind":"status-update","taskId":"t","status":{"state":"working","message":{"parts":[{"text":"step %d%s"}]}}}}`, i, tag)}
	}
	return rec
}

// Pins the alignment's cost bound: long recordings that differ everywhere
// are aligned exactly up to MaxAlignCells and by position beyond it
// (Approximate), each in well under the bound; a long recording with one
// inserted event costs no alignment at all (common start and end) and is
// still one added event.
func TestBigInputsStayFast(t *testing.T) {
	const bound = 20 * time.Second // generous: -race on a shared 2-core machine
	const side = 2048              // side*side == MaxAlignCells: the largest exact square
	for _, tc := range []struct {
		name        string
		a, b        Recording
		approximate bool
		changed     int
		added       int
	}{
		{"at the cap", stream(side, "a"), stream(side, "b"), false, side, 0},
		{"over the cap", stream(20000, "a"), stream(20001, "b"), true, 20000, 1},
		{"one insertion", stream(20000, ""), insert(stream(20000, ""), 10000, stream(1, "new").Events[0]), false, 0, 1},
	} {
		t.Run(tc.name, func(t *testing.T) {
			start := time.Now()
			res := Compare(tc.a, tc.b, Options{})
			if took := time.Since(start); took > bound {
				t.Errorf("took %v", took)
			}
			if res.Approximate != tc.approximate || len(res.Changed) != tc.changed || len(res.Added) != tc.added || len(res.Removed) != 0 {
				t.Fatalf("approximate %v, %d changed, %d added, %d removed", res.Approximate, len(res.Changed), len(res.Added), len(res.Removed))
			}
		})
	}
}

func BenchmarkCompare(b *testing.B) {
	for _, n := range []int{100, 1000, 2000} {
		same, other := stream(n, ""), stream(n, "x")
		b.Run(fmt.Sprintf("equal/%d", n), func(b *testing.B) {
			b.ReportAllocs()
			for b.Loop() {
				Compare(same, same, Options{})
			}
		})
		b.Run(fmt.Sprintf("all-changed/%d", n), func(b *testing.B) {
			b.ReportAllocs()
			for b.Loop() {
				Compare(same, other, Options{})
			}
		})
	}
}
