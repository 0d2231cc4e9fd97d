package a2awire

import (
	"slices"
	"testing"
)

// TestParseFrame pins what a frame tells apart: absent and wrong members,
// a null result, integer codes only.
func TestParseFrame(t *testing.T) {
	f, err := ParseFrame([]byte(`{"jsonrpc":"2.0","id":1,"result":null,"error":{"code":-32602,"message":"bad","data":[]}}`))
	if err != nil {
		t.Fatal(err)
	}
	if f.Version() != "2.0" || string(f.ID) != "1" || f.Result == nil || f.Error == nil ||
		!f.ErrorCodeOK || f.ErrorCode != -32602 || !f.ErrorMessageOK || string(f.ErrorData) != "[]" {
		t.Errorf("%+v", f)
	}
	f, _ = ParseFrame([]byte(`{"id":1,"error":{"code":1.5}}`))
	if f.IsJSONRPC() || f.ErrorCodeOK || f.ErrorMessageOK || f.Result != nil {
		t.Errorf("%+v", f)
	}
	if _, err := ParseFrame([]byte(`[1]`)); err == nil {
		t.Error("an array parsed as a frame")
	}
	if !SameJSON([]byte(` "a" `), []byte(`"a"`)) || SameJSON([]byte(`1`), []byte(`"1"`)) {
		t.Error("SameJSON")
	}
}

// TestWalk pins the walk order (members by name), paths, and both bounds.
func TestWalk(t *testing.T) {
	var paths []string
	complete, err := Walk([]byte(`{"b":[1,{"x y":2}],"a":{"c":3}}`), 10, 100, func(n Node) bool {
		paths = append(paths, n.Path)
		return n.Key != "a" // skip a's children
	})
	want := []string{"$", "$.a", "$.b", "$.b[0]", "$.b[1]", `$.b[1]["x y"]`}
	if err != nil || !complete || !slices.Equal(paths, want) {
		t.Errorf("paths %v complete %v err %v, want %v", paths, complete, err, want)
	}
	n := 0
	complete, _ = Walk([]byte(`[[[[1]]]]`), 2, 100, func(Node) bool { n++; return true })
	if complete || n != 3 {
		t.Errorf("depth bound: %d nodes, complete %v", n, complete)
	}
	n = 0
	complete, _ = Walk([]byte(`[1,2,3,4,5]`), 10, 3, func(Node) bool { n++; return true })
	if complete || n != 3 {
		t.Errorf("node bound: %d nodes, complete %v", n, complete)
	}
}

// TestParseDetail pins the flags read from both versions' shapes.
func TestParseDetail(t *testing.T) {
	tests := []struct {
		doc  string
		want Detail
	}{
		{`{"jsonrpc":"2.0","id":1,"result":{"kind":"artifact-update","append":true,"lastChunk":true}}`, Detail{Append: true, LastChunk: true}},
		{`{"artifactUpdate":{"append":true}}`, Detail{Append: true}},
		{`{"jsonrpc":"2.0","id":1,"result":{"kind":"status-update","final":false}}`, Detail{HasFinal: true}},
		{`{"statusUpdate":{"status":{}}}`, Detail{}},
		{`{"task":{"artifacts":[{"artifactId":"A"},{"artifactId":""}]}}`, Detail{Artifacts: []string{"A"}}},
		{`nope`, Detail{}},
	}
	for _, tt := range tests {
		if got := ParseDetail([]byte(tt.doc)); got.HasFinal != tt.want.HasFinal || got.Append != tt.want.Append ||
			got.LastChunk != tt.want.LastChunk || !slices.Equal(got.Artifacts, tt.want.Artifacts) {
			t.Errorf("%s: %+v, want %+v", tt.doc, got, tt.want)
		}
	}
}
