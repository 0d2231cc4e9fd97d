package diff_test

import (
	"os"

	"github.com/a2aproxy/a2a-proxy/diff"
)

// Two runs of a JSON-RPC stream: the ids differ, which is ignored by
// default, and the agent's answer changed.
func ExampleCompare() {
	run := func(id, answer string) diff.Recording {
		return diff.Recording{Name: id, Events: []diff.Event{
			{Kind: "task", Data: []byte(`{"jsonrpc":"2.0","id":1,"result":{"kind":"task","id":"` + id + `","contextId":"c-` + id + `","status":{"state":"working"}}}`)},
			{Seq: 1, Kind: "status-update", Data: []byte(`{"jsonrpc":"2.0","id":1,"result":{"kind":"status-update","taskId":"` + id + `","status":{"state":"completed","message":{"role":"agent","parts":[{"kind":"text","text":"` + answer + `"}]}},"final":true}}`)},
		}}
	}
	res := diff.Compare(run("task-1", "4"), run("task-2", "5"), diff.Options{})
	_ = res.WriteText(os.Stdout)
	// Output:
	// --- a: task-1 (2 events)
	// +++ b: task-2 (2 events)
	// different: 1 same, 1 changed
	//
	// changed a#1 status-update -> b#1 status-update: 1 difference
	//   $.result.status.message.parts[0].text
	//   - "4"
	//   + "5"
}
