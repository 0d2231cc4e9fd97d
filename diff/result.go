package diff

import "time"

// Result is what Compare found. Lists are never nil (an API client gets []),
// and each is in recording order.
type Result struct {
	// Equal is true when no list below has an entry.
	Equal bool `json:"equal"`
	A     Side `json:"a"`
	B     Side `json:"b"`
	// Same counts the paired events whose content is equal.
	Same int `json:"same"`
	// Added are events of B paired with none of A, in B's order.
	Added []EventRef `json:"added"`
	// Removed are events of A paired with none of B, in A's order.
	Removed []EventRef `json:"removed"`
	// Moved are equal events found at another place in the order.
	Moved []EventMove `json:"moved"`
	// Changed are paired events whose content differs, in A's order.
	Changed []EventChange `json:"changed"`
	// Timing are paired events whose offsets differ beyond Options.Timing.
	Timing []TimingDiff `json:"timing"`
	// Approximate is set when the recordings were too long to align
	// (MaxAlignCells) and their events were paired by position and kind.
	Approximate bool `json:"approximate,omitempty"`
}

// Side describes one of the compared recordings.
type Side struct {
	Name   string `json:"name,omitempty"`
	Events int    `json:"events"`
}

// EventRef points at one event of a recording.
type EventRef struct {
	// Index is the event's position in Recording.Events, from 0.
	Index    int           `json:"index"`
	Seq      int           `json:"seq"`
	Kind     string        `json:"kind,omitempty"`
	Exchange string        `json:"exchange,omitempty"`
	Offset   time.Duration `json:"offsetNs"`
	// Preview is the start of the event's data on one line, for added and
	// removed events only.
	Preview string `json:"preview,omitempty"`
}

// EventMove is an event found in both recordings, at different places.
type EventMove struct {
	A EventRef `json:"a"`
	B EventRef `json:"b"`
}

// EventChange is a pair of events whose content differs.
type EventChange struct {
	A     EventRef    `json:"a"`
	B     EventRef    `json:"b"`
	Diffs []ValueDiff `json:"diffs"`
}

// ValueDiff is one difference inside a pair of events.
type ValueDiff struct {
	// Path names the value, in the syntax Options.Ignore takes; "$" is the
	// whole event (for events that are not JSON, their text).
	Path string `json:"path"`
	// Old and New are the values in A and B as compact JSON text (ignored
	// members left out), or "" where the value does not exist.
	Old string `json:"old,omitempty"`
	New string `json:"new,omitempty"`
}

// TimingDiff is a pair of events whose offsets differ beyond the factor.
type TimingDiff struct {
	A EventRef `json:"a"`
	B EventRef `json:"b"`
	// Ratio is B's offset over A's (each at least MinTimingOffset).
	Ratio float64 `json:"ratio"`
}
