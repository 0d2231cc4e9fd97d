package diff

import (
	"bytes"
	"encoding/json"
	"slices"
	"unicode/utf8"
)

// prepared is an event ready to align and compare.
type prepared struct {
	ev   *Event
	key  string // exchange and kind: only events of one key pair
	sig  uint64 // hash of key and content without volatile values
	doc  any    // normalized JSON document, when isJSON
	text string // the data, when it is not JSON
	json bool
}

// prepare normalizes and signs events. The signature always leaves out the
// default volatile values, even when Strict compares them: two runs differ
// in every id, and aligning on those would pair nothing, so one inserted
// event would shift every later one.
func prepare(evs []Event, r *rules) []prepared {
	out := make([]prepared, len(evs))
	loose := &rules{patterns: r.patterns}
	for i := range evs {
		ev := &evs[i]
		p := prepared{ev: ev, key: ev.Exchange + "\x00" + ev.Kind}
		h := newHasher()
		h.string(p.key)
		if r.matched(nil) { // "$" ignores whole events, even text
			p.json, p.doc = true, ignoredValue{}
			h.value(p.doc)
		} else if v, ok := decodeJSON(ev.Data); ok {
			p.json = true
			p.doc = r.normalize(v, nil, "")
			h.byte('j')
			if r.strict {
				h.value(loose.normalize(v, nil, ""))
			} else {
				h.value(p.doc)
			}
		} else {
			p.text = string(ev.Data)
			h.byte('x')
			h.string(p.text)
		}
		p.sig = uint64(h)
		out[i] = p
	}
	return out
}

// decodeJSON decodes data when it is exactly one JSON document.
func decodeJSON(data []byte) (any, bool) {
	if !json.Valid(data) {
		return nil, false
	}
	v, err := decode(data)
	return v, err == nil
}

// Compare aligns the events of a and b and reports what differs. Ignore
// paths that do not parse are skipped: see Options.Validate.
func Compare(a, b Recording, opts Options) Result {
	r := &rules{strict: opts.Strict, patterns: opts.patterns()}
	pa, pb := prepare(a.Events, r), prepare(b.Events, r)
	pairs, approximate := align(pa, pb)

	res := Result{
		A:           Side{Name: a.Name, Events: len(a.Events)},
		B:           Side{Name: b.Name, Events: len(b.Events)},
		Added:       []EventRef{},
		Removed:     []EventRef{},
		Moved:       []EventMove{},
		Changed:     []EventChange{},
		Timing:      []TimingDiff{},
		Approximate: approximate,
	}
	var removed, added []int
	for _, p := range pairs {
		switch {
		case p.b < 0:
			removed = append(removed, p.a)
		case p.a < 0:
			added = append(added, p.b)
		default:
			x, y := &pa[p.a], &pb[p.b]
			refA, refB := ref(p.a, x.ev), ref(p.b, y.ev)
			if diffs := compareEvents(x, y); len(diffs) > 0 {
				res.Changed = append(res.Changed, EventChange{A: refA, B: refB, Diffs: diffs})
			} else {
				res.Same++
			}
			if t, ok := timing(refA, refB, opts.Timing); ok {
				res.Timing = append(res.Timing, t)
			}
		}
	}
	slices.Sort(removed)
	slices.Sort(added)
	removed, added = findMoves(&res, pa, pb, removed, added)
	for _, i := range removed {
		res.Removed = append(res.Removed, previewRef(i, pa[i].ev))
	}
	for _, j := range added {
		res.Added = append(res.Added, previewRef(j, pb[j].ev))
	}
	slices.SortFunc(res.Changed, func(x, y EventChange) int { return x.A.Index - y.A.Index })
	slices.SortFunc(res.Timing, func(x, y TimingDiff) int { return x.A.Index - y.A.Index })
	res.Equal = len(res.Added)+len(res.Removed)+len(res.Moved)+len(res.Changed)+len(res.Timing) == 0
	return res
}

// findMoves turns a removed event and an added one with the same content
// into a move (the first such pairs, in order), and returns what is left.
func findMoves(res *Result, pa, pb []prepared, removed, added []int) (restRemoved, restAdded []int) {
	if len(removed) == 0 || len(added) == 0 {
		return removed, added
	}
	bySig := make(map[uint64][]int)
	for _, j := range added {
		bySig[pb[j].sig] = append(bySig[pb[j].sig], j)
	}
	moved := make(map[int]bool)
	for _, i := range removed {
		q := bySig[pa[i].sig]
		if len(q) == 0 || len(compareEvents(&pa[i], &pb[q[0]])) > 0 {
			restRemoved = append(restRemoved, i)
			continue
		}
		res.Moved = append(res.Moved, EventMove{A: ref(i, pa[i].ev), B: ref(q[0], pb[q[0]].ev)})
		moved[q[0]] = true
		bySig[pa[i].sig] = q[1:]
	}
	for _, j := range added {
		if !moved[j] {
			restAdded = append(restAdded, j)
		}
	}
	return restRemoved, restAdded
}

// compareEvents returns the differences between two events of one key.
func compareEvents(a, b *prepared) []ValueDiff {
	switch {
	case a.json && b.json:
		var d valueDiffer
		d.compare(a.doc, b.doc)
		return d.diffs
	case !a.json && !b.json:
		if a.text == b.text {
			return nil
		}
	}
	return []ValueDiff{{Path: "$", Old: wholeText(a), New: wholeText(b)}}
}

// wholeText is an event's data as JSON text: its normalized document, or
// its text as a JSON string.
func wholeText(p *prepared) string {
	if p.json {
		return jsonText(p.doc)
	}
	return string(quote(p.text))
}

func ref(i int, ev *Event) EventRef {
	return EventRef{Index: i, Seq: ev.Seq, Kind: ev.Kind, Exchange: ev.Exchange, Offset: ev.Offset}
}

// maxPreview bounds EventRef.Preview, in bytes.
const maxPreview = 200

func previewRef(i int, ev *Event) EventRef {
	r := ref(i, ev)
	r.Preview = preview(ev.Data)
	return r
}

// preview returns data on one line (compact JSON, or the text quoted), cut
// at maxPreview bytes on a rune boundary.
func preview(data []byte) string {
	var s string
	var buf bytes.Buffer
	if json.Valid(data) && json.Compact(&buf, data) == nil {
		s = buf.String()
	} else {
		s = string(quote(string(data)))
	}
	if len(s) <= maxPreview {
		return s
	}
	n := maxPreview
	for n > 0 && !utf8.RuneStart(s[n]) {
		n--
	}
	return s[:n] + "…"
}

// timing reports a pair whose offsets differ beyond factor (0: off).
func timing(a, b EventRef, factor float64) (TimingDiff, bool) {
	if factor == 0 {
		return TimingDiff{}, false
	}
	oa, ob := max(a.Offset, MinTimingOffset), max(b.Offset, MinTimingOffset)
	ratio := float64(ob) / float64(oa)
	if ratio > factor || ratio*factor < 1 {
		return TimingDiff{A: a, B: b, Ratio: ratio}, true
	}
	return TimingDiff{}, false
}
