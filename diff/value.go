package diff

import (
	"bytes"
	"encoding/json"
	"math/big"
	"slices"
	"strconv"
	"time"
)

// timestamp is a string that parses as RFC 3339: by default two timestamps
// are equal whatever their values.
type timestamp string

// ignoredValue stands for an array element an ignore path names: it is equal
// to anything, and keeps the indices of the elements after it.
type ignoredValue struct{}

func (ignoredValue) MarshalJSON() ([]byte, error) { return []byte(`"<ignored>"`), nil }

// volatileKeys are the members whose values differ between two runs of the
// same interaction: the ids an agent mints, and timestamps.
var volatileKeys = map[string]bool{
	"taskId":           true,
	"contextId":        true,
	"messageId":        true,
	"artifactId":       true,
	"referenceTaskIds": true,
	"timestamp":        true,
}

// rules decide what is left out of a comparison.
type rules struct {
	strict   bool
	patterns []Pattern
}

// decode parses a JSON document keeping numbers exact.
func decode(data []byte) (any, error) {
	dec := json.NewDecoder(bytes.NewReader(data))
	dec.UseNumber()
	var v any
	err := dec.Decode(&v)
	return v, err
}

// normalize returns v without what the rules ignore: ignored members are
// dropped, ignored array elements become ignoredValue, and (unless strict)
// timestamps become timestamp. path is the path of v and is reused.
func (r *rules) normalize(v any, path []step, parentKey string) any {
	switch v := v.(type) {
	case map[string]any:
		out := make(map[string]any, len(v))
		for k, child := range v {
			p := append(path, member(k))
			if r.volatile(v, k, parentKey, len(path) == 0) || r.matched(p) {
				continue
			}
			out[k] = r.normalize(child, p, k)
		}
		return out
	case []any:
		out := make([]any, len(v))
		for i, child := range v {
			p := append(path, element(i))
			if r.matched(p) {
				out[i] = ignoredValue{}
				continue
			}
			out[i] = r.normalize(child, p, parentKey)
		}
		return out
	case string:
		if !r.strict && isTimestamp(v) {
			return timestamp(v)
		}
	}
	return v
}

func (r *rules) matched(path []step) bool {
	for _, p := range r.patterns {
		if p.match(path) {
			return true
		}
	}
	return false
}

// volatile tells the members of the default ignore list: volatileKeys
// anywhere, the id of a JSON-RPC object at the top, and the id of a task.
func (r *rules) volatile(obj map[string]any, key, parentKey string, top bool) bool {
	switch {
	case r.strict:
		return false
	case volatileKeys[key]:
		return true
	case key != "id":
		return false
	}
	if _, ok := obj["jsonrpc"]; ok && top {
		return true
	}
	return isTask(obj, parentKey)
}

// isTask tells a task object in either version: v0.3 marks it with kind,
// v1.0 wraps it in a "task" member, and a bare task (a REST body) has a
// context id and a status, which no other A2A object with an id has.
func isTask(obj map[string]any, parentKey string) bool {
	if parentKey == "task" || obj["kind"] == "task" {
		return true
	}
	_, ctx := obj["contextId"]
	_, status := obj["status"]
	return ctx && status
}

// isTimestamp tells a string that parses as RFC 3339; the shape is checked
// first so most strings cost no parse.
func isTimestamp(s string) bool {
	if len(s) < 20 || s[4] != '-' || s[7] != '-' || s[10] != 'T' {
		return false
	}
	_, err := time.Parse(time.RFC3339, s)
	return err == nil
}

// hasher is FNV-1a, 64 bits, fed without allocating.
type hasher uint64

func newHasher() hasher { return 14695981039346656037 }

func (h *hasher) byte(b byte) {
	*h ^= hasher(b)
	*h *= 1099511628211
}

func (h *hasher) int(n int) {
	for i := range 8 {
		h.byte(byte(uint64(n) >> (8 * i)))
	}
}

// string writes s with its length, so concatenations cannot collide.
func (h *hasher) string(s string) {
	h.int(len(s))
	for i := 0; i < len(s); i++ {
		h.byte(s[i])
	}
}

// value feeds a normalized value so that values compare equal exactly when
// they feed the same bytes (up to collisions, which the full comparison of
// paired events catches).
func (h *hasher) value(v any) {
	switch v := v.(type) {
	case nil:
		h.byte('n')
	case bool:
		if v {
			h.byte('t')
		} else {
			h.byte('f')
		}
	case json.Number:
		h.byte('d')
		h.string(canonicalNumber(v))
	case string:
		h.byte('s')
		h.string(v)
	case timestamp:
		h.byte('T')
	case ignoredValue:
		h.byte('I')
	case []any:
		h.byte('a')
		h.int(len(v))
		for _, e := range v {
			h.value(e)
		}
	case map[string]any:
		h.byte('o')
		keys := make([]string, 0, len(v))
		for k := range v {
			keys = append(keys, k)
		}
		slices.Sort(keys)
		h.int(len(keys))
		for _, k := range keys {
			h.string(k)
			h.value(v[k])
		}
	}
}

// canonicalNumber spells equal numbers alike ("1", "1.0" and "1e0").
func canonicalNumber(n json.Number) string {
	s := n.String()
	if _, err := strconv.ParseInt(s, 10, 64); err == nil {
		return s
	}
	if r, ok := new(big.Rat).SetString(s); ok {
		return r.RatString()
	}
	return s
}

func numbersEqual(a, b json.Number) bool {
	return a == b || canonicalNumber(a) == canonicalNumber(b)
}

// valueDiffer collects the differences between two normalized values.
type valueDiffer struct {
	path  []step
	diffs []ValueDiff
}

// absent marks a side where a member or element does not exist.
type absentValue struct{}

func (d *valueDiffer) compare(a, b any) {
	if _, ok := a.(ignoredValue); ok {
		return
	}
	if _, ok := b.(ignoredValue); ok {
		return
	}
	switch av := a.(type) {
	case map[string]any:
		bv, ok := b.(map[string]any)
		if !ok {
			d.report(a, b)
			return
		}
		d.compareObjects(av, bv)
	case []any:
		bv, ok := b.([]any)
		if !ok {
			d.report(a, b)
			return
		}
		d.compareArrays(av, bv)
	case json.Number:
		if bv, ok := b.(json.Number); !ok || !numbersEqual(av, bv) {
			d.report(a, b)
		}
	case timestamp:
		if _, ok := b.(timestamp); !ok {
			d.report(a, b)
		}
	default: // string, bool, nil: comparable
		if a != b {
			d.report(a, b)
		}
	}
}

func (d *valueDiffer) compareObjects(a, b map[string]any) {
	keys := make([]string, 0, len(a)+len(b))
	for k := range a {
		keys = append(keys, k)
	}
	for k := range b {
		if _, ok := a[k]; !ok {
			keys = append(keys, k)
		}
	}
	slices.Sort(keys)
	depth := len(d.path)
	for _, k := range keys {
		d.path = append(d.path[:depth], member(k))
		av, aok := a[k]
		bv, bok := b[k]
		switch {
		case !aok:
			d.report(absentValue{}, bv)
		case !bok:
			d.report(av, absentValue{})
		default:
			d.compare(av, bv)
		}
	}
	d.path = d.path[:depth]
}

// compareArrays compares elements by index: arrays in A2A events are parts
// and histories, whose order is meaningful.
func (d *valueDiffer) compareArrays(a, b []any) {
	depth := len(d.path)
	for i := range max(len(a), len(b)) {
		d.path = append(d.path[:depth], element(i))
		switch {
		case i >= len(a):
			d.report(absentValue{}, b[i])
		case i >= len(b):
			d.report(a[i], absentValue{})
		default:
			d.compare(a[i], b[i])
		}
	}
	d.path = d.path[:depth]
}

func (d *valueDiffer) report(a, b any) {
	d.diffs = append(d.diffs, ValueDiff{Path: formatPath(d.path), Old: jsonText(a), New: jsonText(b)})
}

// jsonText encodes a reported value; an absent one is "".
func jsonText(v any) string {
	if _, ok := v.(absentValue); ok {
		return ""
	}
	b, err := marshal(v)
	if err != nil { // only json.Number can fail, and decode made them valid
		return strconv.Quote(err.Error())
	}
	return string(b)
}

// marshal encodes v as compact JSON without HTML escaping: reports show
// "<b>" as it was sent.
func marshal(v any) ([]byte, error) {
	var buf bytes.Buffer
	enc := json.NewEncoder(&buf)
	enc.SetEscapeHTML(false)
	if err := enc.Encode(v); err != nil {
		return nil, err
	}
	return bytes.TrimSuffix(buf.Bytes(), []byte("\n")), nil
}
