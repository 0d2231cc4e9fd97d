package a2awire

import (
	"bytes"
	"encoding/json"
	"slices"
	"strconv"
)

// Node is one value of a JSON document met by Walk.
type Node struct {
	Path  string // "$", "$.result.status.state", "$.result.history[0]"
	Key   string // the member name that holds the value; "" for the root and array elements
	Depth int    // 0 for the root
	Value any    // as encoding/json decodes it with UseNumber: map[string]any, []any, string, json.Number, bool or nil
}

// Walk decodes doc and visits its values depth first, a parent before its
// children and object members in name order (so results are stable); visit
// returns false to skip a value's children. Values deeper than maxDepth are
// not visited and at most maxNodes are, so hostile documents cost bounded
// work; complete is false when either bound cut the walk short. It fails
// only when doc is not JSON.
func Walk(doc []byte, maxDepth, maxNodes int, visit func(Node) bool) (complete bool, err error) {
	dec := json.NewDecoder(bytes.NewReader(doc))
	dec.UseNumber()
	var root any
	if err := dec.Decode(&root); err != nil {
		return false, err
	}
	w := walker{maxDepth: maxDepth, left: maxNodes, visit: visit, complete: true}
	w.walk(Node{Path: "$", Value: root})
	return w.complete, nil
}

type walker struct {
	maxDepth int
	left     int
	visit    func(Node) bool
	complete bool
}

func (w *walker) walk(n Node) {
	if w.left <= 0 || n.Depth > w.maxDepth {
		w.complete = false
		return
	}
	w.left--
	if !w.visit(n) {
		return
	}
	switch v := n.Value.(type) {
	case map[string]any:
		keys := make([]string, 0, len(v))
		for k := range v {
			keys = append(keys, k)
		}
		slices.Sort(keys)
		for _, k := range keys {
			w.walk(Node{Path: n.Path + memberPath(k), Key: k, Depth: n.Depth + 1, Value: v[k]})
		}
	case []any:
		for i, e := range v {
			w.walk(Node{Path: n.Path + "[" + strconv.Itoa(i) + "]", Depth: n.Depth + 1, Value: e})
		}
	}
}

// memberPath writes a member step as ".name", or as `["name"]` when the name
// is not a plain identifier.
func memberPath(k string) string {
	for i := 0; i < len(k); i++ {
		c := k[i]
		if !(c == '_' || c >= 'a' && c <= 'z' || c >= 'A' && c <= 'Z' || i > 0 && c >= '0' && c <= '9') {
			return "[" + strconv.Quote(k) + "]"
		}
	}
	if k == "" {
		return `[""]`
	}
	return "." + k
}
