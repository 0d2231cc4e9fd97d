package replay

import (
	"testing"

	"github.com/a2aproxy/a2a-proxy/internal/a2awire"
)

func TestFoldSendResult(t *testing.T) {
	for _, tc := range []struct {
		name, version string
		events        []string
		want          string
	}{
		{"v0.3 message alone", a2awire.V03, []string{
			`{"jsonrpc":"2.0","id":1,"result":{"kind":"message","role":"agent","messageId":"m","parts":[{"kind":"text","text":"hi"}]}}`,
		}, `{"kind":"message","role":"agent","messageId":"m","parts":[{"kind":"text","text":"hi"}]}`},
		{"v1.0 message alone", a2awire.V10, []string{
			"data: " + `{"jsonrpc":"2.0","id":1,"result":{"message":{"role":"ROLE_AGENT","messageId":"m","parts":[{"text":"hi"}]}}}` + "\n\n",
		}, `{"message":{"role":"ROLE_AGENT","messageId":"m","parts":[{"text":"hi"}]}}`},
		{"v0.3 updates without a snapshot; an artifact replaced", a2awire.V03, []string{
			"data: " + `{"jsonrpc":"2.0","id":1,"result":{"kind":"artifact-update","taskId":"t","contextId":"c","artifact":{"artifactId":"a","parts":[{"kind":"text","text":"old"}]}}}` + "\n\n",
			"data: " + `{"jsonrpc":"2.0","id":1,"result":{"kind":"artifact-update","taskId":"t","contextId":"c","artifact":{"artifactId":"a","parts":[{"kind":"text","text":"new"}]}}}` + "\n\n",
			"data: " + `{"jsonrpc":"2.0","id":1,"result":{"kind":"status-update","taskId":"t","contextId":"c","status":{"state":"completed"},"final":true}}` + "\n\n",
			"data: " + `{"jsonrpc":"2.0","id":1,"error":{"code":-32603,"message":"ignored"}}` + "\n\n",
		}, `{"artifacts":[{"artifactId":"a","parts":[{"kind":"text","text":"new"}]}],"contextId":"c","id":"t","kind":"task","status":{"state":"completed"}}`},
		{"v1.0 task wrapped", a2awire.V10, []string{
			"data: " + `{"jsonrpc":"2.0","id":1,"result":{"task":{"id":"t","contextId":"c","status":{"state":"TASK_STATE_SUBMITTED"}}}}` + "\n\n",
			"data: " + `{"jsonrpc":"2.0","id":1,"result":{"statusUpdate":{"taskId":"t","contextId":"c","status":{"state":"TASK_STATE_COMPLETED"}}}}` + "\n\n",
		}, `{"task":{"contextId":"c","id":"t","status":{"state":"TASK_STATE_COMPLETED"}}}`},
	} {
		t.Run(tc.name, func(t *testing.T) {
			fold := newTaskFold(tc.version)
			for _, ev := range tc.events {
				fold.add([]byte(ev))
			}
			got, ok := fold.sendResult()
			if !ok || string(got) != tc.want {
				t.Errorf("got %s (%v)\nwant %s", got, ok, tc.want)
			}
		})
	}
	if _, ok := newTaskFold(a2awire.V03).sendResult(); ok {
		t.Error("an empty fold has a result")
	}
}
