package conformance

import (
	"strings"
	"testing"
)

// TestHostileInputBounded pins the bounds: a stream of more events than
// maxEvents, each breaking rules, a document nested far deeper than
// maxDepth, and one wider than maxNodes all finish with at most maxFindings.
func TestHostileInputBounded(t *testing.T) {
	docs := []string{t03("submitted")}
	for i := 0; i < maxEvents+500; i++ {
		docs = append(docs, strings.Replace(s03("working", true), `"contextId"`, `"context_id"`, 1))
	}
	fs := Check(stream("0.3", "jsonrpc", reqV03, docs...))
	if len(fs) != maxFindings {
		t.Errorf("%d findings, want the cap %d", len(fs), maxFindings)
	}

	deep := strings.Repeat(`{"a_b":`, 5000) + "1" + strings.Repeat("}", 5000)
	wide := `{"task":{"id":"T","contextId":"C","status":{"state":"TASK_STATE_SUBMITTED"},"history":[` +
		strings.TrimSuffix(strings.Repeat(`{"role":"user"},`, maxNodes), ",") + `]}}`
	fs = Check(stream("1.0", "rest", reqRST, deep, wide, s10("TASK_STATE_COMPLETED")))
	if len(fs) == 0 || len(fs) > maxFindings {
		t.Errorf("%d findings:%s", len(fs), describe(fs))
	}
}

// BenchmarkCheck measures one check of the built-in agent's usual stream:
// a task, five status updates, an artifact and the final status.
func BenchmarkCheck(b *testing.B) {
	docs := []string{t03("submitted")}
	for i := 0; i < 5; i++ {
		docs = append(docs, s03("working", false))
	}
	docs = append(docs, a03("A", false, true), s03("completed", true))
	ex := stream("0.3", "jsonrpc", reqV03, docs...)
	b.ReportAllocs()
	for b.Loop() {
		if fs := Check(ex); len(fs) != 0 {
			b.Fatal(describe(fs))
		}
	}
}
