package web

import (
	"slices"
	"strconv"
	"time"

	"github.com/a2aproxy/a2a-proxy/diff"
)

// diffView is the data of the diff page.
type diffView struct {
	Query  diffQuery
	Error  string       // what is wrong with the query, shown above the form
	Result *diff.Result // nil until two tasks are compared
	Rows   []diffRow
}

// diffRow is one line of the side-by-side table: an aligned pair, or an
// event of one side only.
type diffRow struct {
	Status string // same, changed, added, removed, moved
	A, B   *diffCell
	Diffs  []diff.ValueDiff // of a changed pair
	Note   string           // where a moved event went, or came from; a timing difference
}

// diffCell is one event in a column.
type diffCell struct {
	diff.EventRef
	JSON string // the event's data, indented
}

// newDiffRows lays the result out side by side in recording order. The
// result lists only what differs: the events it leaves out of A and of B
// are the equal pairs, in order (the alignment pairs events in order, moves
// aside).
func newDiffRows(res *diff.Result, a, b diff.Recording) []diffRow {
	cell := func(rec diff.Recording, i int) *diffCell {
		ev := &rec.Events[i]
		return &diffCell{
			EventRef: diff.EventRef{Index: i, Seq: ev.Seq, Kind: ev.Kind, Exchange: ev.Exchange, Offset: ev.Offset},
			JSON:     documentText(ev.Data),
		}
	}
	type pair struct {
		a, b int
		row  diffRow
	}
	listedA, listedB := make(map[int]bool), make(map[int]bool)
	var pairs []pair
	for _, c := range res.Changed {
		listedA[c.A.Index], listedB[c.B.Index] = true, true
		pairs = append(pairs, pair{c.A.Index, c.B.Index, diffRow{Status: "changed", Diffs: c.Diffs}})
	}
	// Events of one side only, with the row each makes.
	onlyA, onlyB := make(map[int]diffRow), make(map[int]diffRow)
	for _, e := range res.Removed {
		listedA[e.Index] = true
		onlyA[e.Index] = diffRow{Status: "removed"}
	}
	for _, e := range res.Added {
		listedB[e.Index] = true
		onlyB[e.Index] = diffRow{Status: "added"}
	}
	for _, m := range res.Moved {
		listedA[m.A.Index], listedB[m.B.Index] = true, true
		onlyA[m.A.Index] = diffRow{Status: "moved", Note: "moved to b#" + strconv.Itoa(m.B.Index)}
		onlyB[m.B.Index] = diffRow{Status: "moved", Note: "moved from a#" + strconv.Itoa(m.A.Index)}
	}
	var sameA, sameB []int
	for i := range a.Events {
		if !listedA[i] {
			sameA = append(sameA, i)
		}
	}
	for j := range b.Events {
		if !listedB[j] {
			sameB = append(sameB, j)
		}
	}
	for k := range min(len(sameA), len(sameB)) {
		pairs = append(pairs, pair{sameA[k], sameB[k], diffRow{Status: "same"}})
	}
	slices.SortFunc(pairs, func(x, y pair) int { return x.a - y.a })
	timing := make(map[int]diff.TimingDiff)
	for _, t := range res.Timing {
		timing[t.A.Index] = t
	}

	var rows []diffRow
	nextA, nextB := 0, 0
	flush := func(untilA, untilB int) {
		for ; nextA < untilA; nextA++ {
			if row, ok := onlyA[nextA]; ok {
				row.A = cell(a, nextA)
				rows = append(rows, row)
			}
		}
		for ; nextB < untilB; nextB++ {
			if row, ok := onlyB[nextB]; ok {
				row.B = cell(b, nextB)
				rows = append(rows, row)
			}
		}
	}
	for _, p := range pairs {
		flush(p.a, p.b)
		row := p.row
		row.A, row.B = cell(a, p.a), cell(b, p.b)
		if t, ok := timing[p.a]; ok {
			row.Note = "timing: " + formatDuration(t.A.Offset.Round(time.Microsecond)) + " → " + formatDuration(t.B.Offset.Round(time.Microsecond))
		}
		rows = append(rows, row)
		nextA, nextB = max(nextA, p.a+1), max(nextB, p.b+1)
	}
	flush(len(a.Events), len(b.Events))
	return rows
}
