package a2awire

import (
	"encoding/json"
	"net/http"
	"reflect"
	"strings"
	"testing"
	"unicode/utf8"
)

func TestParseEvent(t *testing.T) {
	tests := []struct {
		name string
		doc  string
		want Event
	}{
		{"v0.3 task", `{"jsonrpc":"2.0","id":7,"result":{"kind":"task","id":"T","contextId":"C","status":{"state":"submitted"},"history":[]}}`,
			Event{Fields: Fields{Kind: KindTask, TaskID: "T", ContextID: "C", State: "submitted"}}},
		{"v0.3 working with text", `{"jsonrpc":"2.0","id":7,"result":{"kind":"status-update","taskId":"T","contextId":"C","status":{"state":"working","message":{"kind":"message","role":"agent","parts":[{"kind":"text","text":"hi"}],"messageId":"m"}},"final":false}}`,
			Event{Fields: Fields{Kind: KindStatusUpdate, TaskID: "T", ContextID: "C", State: "working", Text: "hi"}, MessageID: "m"}},
		{"v0.3 final", `{"jsonrpc":"2.0","id":7,"result":{"kind":"status-update","taskId":"T","contextId":"C","status":{"state":"completed"},"final":true}}`,
			Event{Fields: Fields{Kind: KindStatusUpdate, TaskID: "T", ContextID: "C", State: "completed", Final: true}}},
		{"v0.3 artifact", `{"jsonrpc":"2.0","id":"x","result":{"kind":"artifact-update","taskId":"T","contextId":"C","artifact":{"artifactId":"A","name":"processing_result","parts":[{"kind":"text","text":"done"}]},"lastChunk":true}}`,
			Event{Fields: Fields{Kind: KindArtifactUpdate, TaskID: "T", ContextID: "C", ArtifactID: "A", Text: "done"}}},
		{"v0.3 message", `{"jsonrpc":"2.0","id":1,"result":{"kind":"message","role":"agent","messageId":"m","contextId":"C","parts":[{"kind":"text","text":"a"},{"kind":"data","data":{}},{"kind":"text","text":"b"}]}}`,
			Event{Fields: Fields{Kind: KindMessage, ContextID: "C", Text: "a\nb"}, MessageID: "m"}},
		{"v1.0 task", `{"jsonrpc":"2.0","id":1,"result":{"task":{"id":"T","contextId":"C","status":{"state":"TASK_STATE_SUBMITTED"}}}}`,
			Event{Fields: Fields{Kind: KindTask, TaskID: "T", ContextID: "C", State: "submitted"}}},
		{"v1.0 status", `{"jsonrpc":"2.0","id":1,"result":{"statusUpdate":{"taskId":"T","contextId":"C","status":{"state":"TASK_STATE_INPUT_REQUIRED","message":{"role":"ROLE_AGENT","parts":[{"text":"more?"}]}}}}}`,
			Event{Fields: Fields{Kind: KindStatusUpdate, TaskID: "T", ContextID: "C", State: "input-required", Text: "more?"}}},
		{"v1.0 artifact", `{"jsonrpc":"2.0","id":1,"result":{"artifactUpdate":{"taskId":"T","contextId":"C","artifact":{"artifactId":"A","parts":[{"text":"x"}]},"lastChunk":true}}}`,
			Event{Fields: Fields{Kind: KindArtifactUpdate, TaskID: "T", ContextID: "C", ArtifactID: "A", Text: "x"}}},
		{"v1.0 message", `{"jsonrpc":"2.0","id":1,"result":{"message":{"role":"ROLE_AGENT","messageId":"m","taskId":"T","parts":[{"text":"x"}]}}}`,
			Event{Fields: Fields{Kind: KindMessage, TaskID: "T", Text: "x"}, MessageID: "m"}},
		{"REST v1.0 bare wrapper", `{"statusUpdate":{"taskId":"T","contextId":"C","status":{"state":"TASK_STATE_CANCELED"}}}`,
			Event{Fields: Fields{Kind: KindStatusUpdate, TaskID: "T", ContextID: "C", State: "canceled"}}},
		{"REST v0.3 wrapper keeps final", `{"statusUpdate":{"taskId":"T","contextId":"C","status":{"state":"TASK_STATE_COMPLETED"},"final":true}}`,
			Event{Fields: Fields{Kind: KindStatusUpdate, TaskID: "T", ContextID: "C", State: "completed", Final: true}}},
		{"REST bare task (GetTask)", `{"id":"T","contextId":"C","status":{"state":"TASK_STATE_WORKING"}}`,
			Event{Fields: Fields{Kind: KindTask, TaskID: "T", ContextID: "C", State: "working"}}},
		{"JSON-RPC error", `{"jsonrpc":"2.0","id":3,"error":{"code":-32001,"message":"Task not found"}}`,
			Event{Fields: Fields{Kind: KindError}, ErrorCode: -32001, ErrorMessage: "Task not found"}},
		{"unknown shape", `{"hello":"world"}`, Event{}},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			got, err := ParseEvent([]byte(tt.doc))
			if err != nil {
				t.Fatal(err)
			}
			got.RPCID = nil
			if !reflect.DeepEqual(got, tt.want) {
				t.Errorf("got  %+v\nwant %+v", got, tt.want)
			}
		})
	}
	if _, err := ParseEvent([]byte("not json")); err == nil {
		t.Error("non-JSON data parsed without error")
	}
}

func TestParseRequest(t *testing.T) {
	v1 := http.Header{}
	v1.Set(HeaderVersion, "1.0")
	tests := []struct {
		name         string
		method, path string
		header       http.Header
		body         string
		want         Request
		wantRPCID    string
	}{
		{"v0.3 stream", "POST", "/", nil,
			`{"jsonrpc":"2.0","id":1,"method":"message/stream","params":{"message":{"kind":"message","role":"user","messageId":"m1","contextId":"C","parts":[{"kind":"text","text":"Process my data"}]}}}`,
			Request{Method: "message/stream", Version: V03, Binding: BindingJSONRPC, Streaming: true, ContextID: "C", MessageID: "m1", Text: "Process my data"}, "1"},
		{"v1.0 stream", "POST", "/", v1,
			`{"jsonrpc":"2.0","id":"a","method":"SendStreamingMessage","params":{"message":{"role":"ROLE_USER","messageId":"m1","taskId":"T","parts":[{"text":"hi"}]}}}`,
			Request{Method: "SendStreamingMessage", Version: V10, Binding: BindingJSONRPC, Streaming: true, TaskID: "T", MessageID: "m1", Text: "hi"}, `"a"`},
		{"v0.3 tasks/get", "POST", "/", nil, `{"jsonrpc":"2.0","id":2,"method":"tasks/get","params":{"id":"T"}}`,
			Request{Method: "tasks/get", Version: V03, Binding: BindingJSONRPC, TaskID: "T"}, "2"},
		{"v0.3 resubscribe", "POST", "/", nil, `{"jsonrpc":"2.0","id":2,"method":"tasks/resubscribe","params":{"id":"T"}}`,
			Request{Method: "tasks/resubscribe", Version: V03, Binding: BindingJSONRPC, Streaming: true, TaskID: "T"}, "2"},
		{"v1.0 push config", "POST", "/", v1, `{"jsonrpc":"2.0","id":2,"method":"GetTaskPushNotificationConfig","params":{"taskId":"T","id":"cfg"}}`,
			Request{Method: "GetTaskPushNotificationConfig", Version: V10, Binding: BindingJSONRPC, TaskID: "cfg"}, "2"},
		{"unknown method follows header", "POST", "/", v1, `{"jsonrpc":"2.0","id":2,"method":"Custom"}`,
			Request{Method: "Custom", Version: V10, Binding: BindingJSONRPC}, "2"},
		{"REST v0.3 stream", "POST", "/v1/message:stream", nil, `{"message":{"messageId":"m","parts":[{"text":"x"}]}}`,
			Request{Method: "SendStreamingMessage", Version: V03, Binding: BindingREST, Streaming: true, MessageID: "m", Text: "x"}, ""},
		{"REST v1.0 subscribe under tenant", "GET", "/agents/a/acme/tasks/T%201:subscribe", v1, "",
			Request{Method: "SubscribeToTask", Version: V10, Binding: BindingREST, Streaming: true, TaskID: "T 1"}, ""},
		{"REST get task", "GET", "/v1/tasks/T?historyLength=2", nil, "",
			Request{Method: "GetTask", Version: V03, Binding: BindingREST, TaskID: "T"}, ""},
		{"REST cancel", "POST", "/tasks/T:cancel", v1, "{}",
			Request{Method: "CancelTask", Version: V10, Binding: BindingREST, TaskID: "T"}, ""},
		{"REST list tasks", "GET", "/tasks", v1, "",
			Request{Method: "ListTasks", Version: V10, Binding: BindingREST}, ""},
		{"REST push config", "DELETE", "/v1/tasks/T/pushNotificationConfigs/c", nil, "",
			Request{Method: "DeleteTaskPushNotificationConfig", Version: V03, Binding: BindingREST, TaskID: "T"}, ""},
		{"REST extended card", "GET", "/extendedAgentCard", v1, "",
			Request{Method: "GetExtendedAgentCard", Version: V10, Binding: BindingREST}, ""},
		{"card fetch is no A2A call", "GET", "/.well-known/agent-card.json", nil, "", Request{}, ""},
		{"malformed JSON body", "POST", "/", nil, `{"jsonrpc":`, Request{}, ""},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			h := tt.header
			if h == nil {
				h = http.Header{}
			}
			got := ParseRequest(tt.method, tt.path, h, []byte(tt.body))
			if string(got.RPCID) != tt.wantRPCID {
				t.Errorf("RPCID %s, want %s", got.RPCID, tt.wantRPCID)
			}
			got.RPCID = nil
			if !reflect.DeepEqual(got, tt.want) {
				t.Errorf("got  %+v\nwant %+v", got, tt.want)
			}
		})
	}
}

func TestStates(t *testing.T) {
	for in, want := range map[string]string{
		"TASK_STATE_INPUT_REQUIRED": "input-required", "TASK_STATE_CANCELLED": "canceled",
		"TASK_STATE_UNSPECIFIED": "unknown", "working": "working", "": "",
	} {
		if got := NormalizeState(in); got != want {
			t.Errorf("NormalizeState(%q) = %q, want %q", in, got, want)
		}
	}
	if got := V1State("auth-required"); got != "TASK_STATE_AUTH_REQUIRED" {
		t.Errorf("V1State = %q", got)
	}
	if V1Method("tasks/resubscribe") != "SubscribeToTask" || V1Method("Custom") != "Custom" {
		t.Error("V1Method")
	}
}

// FuzzParseEventMatchesStdlib holds ParseEvent's fast decoder to what
// encoding/json reads from the same document.
func FuzzParseEventMatchesStdlib(f *testing.F) {
	for _, seed := range []string{
		`{"jsonrpc":"2.0","id":7,"result":{"kind":"status-update","taskId":"T","contextId":"C","status":{"state":"working","message":{"parts":[{"kind":"text","text":"hi"}]}},"final":false}}`,
		`{"statusUpdate":{"taskId":"T","status":{"state":"TASK_STATE_CANCELED"}}}`,
		`{"id":"T","contextId":"C","status":{"state":"TASK_STATE_WORKING"}}`,
		`{"jsonrpc":"2.0","id":3,"error":{"code":-32001,"message":"Task not found"}}`,
		`{"artifactUpdate":{"artifact":{"artifactId":"A","parts":[{"text":"\u00e9\ud83d\ude00"}]}}}`,
		`{"kind":1}`, `[]`, `{"id":null}`,
	} {
		f.Add([]byte(seed))
	}
	f.Fuzz(func(t *testing.T, doc []byte) {
		fast, fastErr := ParseEvent(doc)
		std, stdErr := parseEvent(doc, json.Unmarshal)
		if !utf8.Valid(doc) {
			t.Skip() // encoding/json turns bad UTF-8 into U+FFFD, the fast decoder keeps the bytes; raw bytes are stored as received either way
		}
		if hasMiscasedKey(doc) {
			t.Skip() // encoding/json matches keys case-insensitively; A2A's keys are exact, as the fast decoder reads them
		}
		if (fastErr == nil) != (stdErr == nil) {
			t.Skip() // the decoders reject odd input at different points; both pass the bytes on
		}
		if fastErr == nil && !reflect.DeepEqual(fast, std) {
			t.Fatalf("%s:\nfast %+v\nstd  %+v", doc, fast, std)
		}
	})
}

// fieldNames are the JSON keys ParseEvent reads.
var fieldNames = strings.Fields("jsonrpc id result error code message kind taskId contextId messageId parts content " +
	"status state final artifact artifactId text task statusUpdate artifactUpdate")

// hasMiscasedKey reports whether doc has a key that differs from one of
// fieldNames only in case.
func hasMiscasedKey(doc []byte) bool {
	var v any
	if json.Unmarshal(doc, &v) != nil {
		return false
	}
	var walk func(any) bool
	walk = func(v any) bool {
		switch v := v.(type) {
		case map[string]any:
			for k, child := range v {
				for _, name := range fieldNames {
					if k != name && strings.EqualFold(k, name) {
						return true
					}
				}
				if walk(child) {
					return true
				}
			}
		case []any:
			for _, child := range v {
				if walk(child) {
					return true
				}
			}
		}
		return false
	}
	return walk(v)
}
