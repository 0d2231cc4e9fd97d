package diff

// MaxAlignCells bounds the alignment's cost: two recordings whose differing
// middles (after their common start and end) hold n and m events are
// aligned by a longest common subsequence in O(n*m) time and memory while
// n*m is at most this (4M cells, 8 MB); beyond it events are paired by
// position and kind, and Result.Approximate is set.
const MaxAlignCells = 4 << 20

// pair is an aligned pair of event positions; -1 marks a missing side.
type pair struct{ a, b int }

// align pairs the events of a and b: events equal in content (same
// signature) along a longest common subsequence, so that one inserted event
// leaves the rest aligned; then, in each gap between those, events of the
// same key in order.
func align(a, b []prepared) (pairs []pair, approximate bool) {
	lo := 0
	for lo < len(a) && lo < len(b) && a[lo].sig == b[lo].sig {
		pairs = append(pairs, pair{lo, lo})
		lo++
	}
	ha, hb := len(a), len(b)
	var tail []pair
	for ha > lo && hb > lo && a[ha-1].sig == b[hb-1].sig {
		ha, hb = ha-1, hb-1
		tail = append(tail, pair{ha, hb})
	}
	n, m := ha-lo, hb-lo
	if n > 0 && m > 0 && n*m > MaxAlignCells {
		approximate = true
		pairs = pairGap(pairs, a, b, span(lo, ha), span(lo, hb))
	} else {
		pairs = alignLCS(pairs, a, b, lo, ha, hb)
	}
	for i := len(tail) - 1; i >= 0; i-- {
		pairs = append(pairs, tail[i])
	}
	return pairs, approximate
}

func span(from, to int) []int {
	s := make([]int, 0, to-from)
	for i := from; i < to; i++ {
		s = append(s, i)
	}
	return s
}

// alignLCS aligns a[lo:ha] and b[lo:hb] on their longest common
// subsequence of signatures and pairs the events in the gaps.
func alignLCS(pairs []pair, a, b []prepared, lo, ha, hb int) []pair {
	n, m := ha-lo, hb-lo
	w := m + 1
	// l[i*w+j] is the LCS length of a[lo+i:ha] and b[lo+j:hb]; it fits
	// uint16 because it is at most min(n, m), and min(n, m)^2 <= MaxAlignCells.
	l := make([]uint16, (n+1)*w)
	for i := n - 1; i >= 0; i-- {
		for j := m - 1; j >= 0; j-- {
			if a[lo+i].sig == b[lo+j].sig {
				l[i*w+j] = l[(i+1)*w+j+1] + 1
			} else {
				l[i*w+j] = max(l[(i+1)*w+j], l[i*w+j+1])
			}
		}
	}
	var gapA, gapB []int
	i, j := 0, 0
	for i < n || j < m {
		switch {
		case i < n && j < m && a[lo+i].sig == b[lo+j].sig:
			pairs = pairGap(pairs, a, b, gapA, gapB)
			gapA, gapB = gapA[:0], gapB[:0]
			pairs = append(pairs, pair{lo + i, lo + j})
			i, j = i+1, j+1
		case j == m || (i < n && l[(i+1)*w+j] >= l[i*w+j+1]):
			gapA = append(gapA, lo+i)
			i++
		default:
			gapB = append(gapB, lo+j)
			j++
		}
	}
	return pairGap(pairs, a, b, gapA, gapB)
}

// pairGap pairs the events of one gap (positions in a and b): first those
// of one signature (an event moved within the gap), then the rest of the same key in
// order, as changed; what is left is removed or added.
func pairGap(pairs []pair, a, b []prepared, gapA, gapB []int) []pair {
	if len(gapA) == 0 || len(gapB) == 0 {
		for _, i := range gapA {
			pairs = append(pairs, pair{i, -1})
		}
		for _, j := range gapB {
			pairs = append(pairs, pair{-1, j})
		}
		return pairs
	}
	usedB := make([]bool, len(gapB))
	pairedA := make([]bool, len(gapA))
	bySig := make(map[uint64][]int) // positions in gapB
	for k, j := range gapB {
		bySig[b[j].sig] = append(bySig[b[j].sig], k)
	}
	for k, i := range gapA {
		if q := bySig[a[i].sig]; len(q) > 0 {
			pairs = append(pairs, pair{i, gapB[q[0]]})
			bySig[a[i].sig] = q[1:]
			usedB[q[0]], pairedA[k] = true, true
		}
	}
	byKey := make(map[string][]int)
	for k, j := range gapB {
		if !usedB[k] {
			byKey[b[j].key] = append(byKey[b[j].key], k)
		}
	}
	for k, i := range gapA {
		if pairedA[k] {
			continue
		}
		if q := byKey[a[i].key]; len(q) > 0 {
			pairs = append(pairs, pair{i, gapB[q[0]]})
			byKey[a[i].key] = q[1:]
			usedB[q[0]] = true
		} else {
			pairs = append(pairs, pair{i, -1})
		}
	}
	for k, j := range gapB {
		if !usedB[k] {
			pairs = append(pairs, pair{-1, j})
		}
	}
	return pairs
}
