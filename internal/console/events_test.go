package console

import (
	"bytes"
	"errors"
	"iter"
	"testing"

	"github.com/a2aproxy/a2a-proxy/internal/streamclient"
)

// tutorialStream is the builtin agent's answer as a2a-go sends it (v0.3).
var tutorialStream = []string{
	`{"jsonrpc":"2.0","id":"1","result":{"kind":"task","id":"3f2a","contextId":"c7d1","status":{"state":"submitted"}}}`,
	`{"jsonrpc":"2.0","id":"1","result":{"kind":"status-update","taskId":"3f2a","contextId":"c7d1","final":false,"status":{"state":"working"}}}`,
	`{"jsonrpc":"2.0","id":"1","result":{"kind":"status-update","taskId":"3f2a","contextId":"c7d1","final":false,"status":{"state":"working","message":{"kind":"message","role":"agent","messageId":"m1","parts":[{"kind":"text","text":"🚀 Initializing... (1/4)"}]}}}}`,
	`{"jsonrpc":"2.0","id":"1","result":{"kind":"status-update","taskId":"3f2a","contextId":"c7d1","final":false,"status":{"state":"working","message":{"kind":"message","role":"agent","messageId":"m2","parts":[{"kind":"text","text":"📊 Processing your request... (2/4)"}]}}}}`,
	`{"jsonrpc":"2.0","id":"1","result":{"kind":"artifact-update","taskId":"3f2a","contextId":"c7d1","artifact":{"artifactId":"a1","name":"processing_result","parts":[{"kind":"text","text":"✅ Completed processing: 'Process my data'\n\nProcessed at: 12.5"}]},"lastChunk":true}}`,
	`{"jsonrpc":"2.0","id":"1","result":{"kind":"status-update","taskId":"3f2a","contextId":"c7d1","final":true,"status":{"state":"completed"}}}`,
}

// v1Stream is a v1.0 answer: wrapper objects, no final flag, a plain message.
var v1Stream = []string{
	`{"jsonrpc":"2.0","id":1,"result":{"task":{"id":"t9","contextId":"c9","status":{"state":"TASK_STATE_WORKING"}}}}`,
	`{"jsonrpc":"2.0","id":1,"result":{"statusUpdate":{"taskId":"t9","contextId":"c9","status":{"state":"TASK_STATE_INPUT_REQUIRED","message":{"role":"ROLE_AGENT","parts":[{"text":"Which city?"}]}}}}}`,
	`{"jsonrpc":"2.0","id":1,"result":{"message":{"role":"ROLE_AGENT","messageId":"m","parts":[{"text":"Hello"}]}}}`,
}

// oddStream has an agent error, a document printed over several lines and
// data that is not JSON.
var oddStream = []string{
	"{\n  \"kind\": \"status-update\",\n  \"taskId\": \"t1\",\n  \"status\": {\"state\": \"working\"}\n}",
	`not json`,
	`{"jsonrpc":"2.0","id":1,"error":{"code":-32001,"message":"Task not found"}}`,
}

func events(docs []string) iter.Seq2[streamclient.Event, error] {
	return func(yield func(streamclient.Event, error) bool) {
		for _, doc := range docs {
			if !yield(streamclient.DecodeEvent(doc), nil) {
				return
			}
		}
	}
}

func TestPrintEvents(t *testing.T) {
	streams := map[string][]string{"tutorial": tutorialStream, "v1": v1Stream, "odd": oddStream}
	formats := map[string]Format{"pretty": Pretty, "json": JSON}
	for streamName, docs := range streams {
		for formatName, format := range formats {
			name := "events_" + streamName + "_" + formatName
			t.Run(name, func(t *testing.T) {
				var out bytes.Buffer
				err := PrintEvents(&out, events(docs), format)
				var rpcErr *streamclient.RPCError
				if wantAgentErr := streamName == "odd"; wantAgentErr != errors.As(err, &rpcErr) {
					t.Errorf("PrintEvents returned %v; want an agent error: %v", err, wantAgentErr)
				}
				checkGolden(t, name, out.Bytes())
			})
		}
	}
}

func TestPrintEventsReturnsStreamError(t *testing.T) {
	broken := errors.New("read stream: connection reset")
	stream := func(yield func(streamclient.Event, error) bool) {
		if yield(streamclient.DecodeEvent(tutorialStream[0]), nil) {
			yield(streamclient.Event{}, broken)
		}
	}
	var out bytes.Buffer
	if err := PrintEvents(&out, stream, Pretty); !errors.Is(err, broken) {
		t.Errorf("got %v, want %v", err, broken)
	}
	if want := "📋 Task created: 3f2a (context: c7d1)\n"; out.String() != want {
		t.Errorf("printed %q, want %q (and no stream end)", out.String(), want)
	}
}
