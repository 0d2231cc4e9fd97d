package console

import (
	"bytes"
	"encoding/json"
	"testing"
	"time"

	"github.com/a2aproxy/a2a-proxy/recorder"
)

func TestTask(t *testing.T) {
	streamEnd := start.Add(1520 * time.Millisecond)
	cancelEnd := start.Add(1503 * time.Millisecond)
	detail := &recorder.TaskDetail{
		Task: recorder.TaskSummary{
			TaskID: "3f2a", ContextID: "c7d1", Agent: "builtin", State: "canceled",
			FirstSeen: start.Add(2 * time.Millisecond), LastSeen: streamEnd,
			EventCount: 6, ExchangeCount: 2, TraceID: "4bf92f3577b34da6a3ce929d0e0e4736",
		},
		Exchanges: []recorder.ExchangeDoc{
			{
				ID: "ex-stream", Method: "message/stream", ProtocolVersion: "0.3", Binding: "jsonrpc",
				Status: 200, StartedAt: start, EndedAt: &streamEnd, DurationMs: 1520, Outcome: "completed",
				EventCount: 5, DroppedEvents: 1,
			},
			{
				ID: "ex-cancel", Method: "tasks/cancel", ProtocolVersion: "0.3", Binding: "jsonrpc",
				Status: 200, StartedAt: start.Add(1500 * time.Millisecond), EndedAt: &cancelEnd, DurationMs: 3.2,
				Outcome: "completed", EventCount: 1, RecordingComplete: true,
			},
			{
				ID: "ex-get", Method: "tasks/get", Binding: "jsonrpc",
				StartedAt: start.Add(1510 * time.Millisecond), Outcome: "",
			},
		},
		Events: []recorder.EventDoc{
			{Seq: 0, ExchangeID: "ex-stream", OffsetMs: 2.1, Kind: "task", State: "submitted", TaskID: "3f2a", ContextID: "c7d1",
				Data: json.RawMessage(tutorialStream[0])},
			{Seq: 1, ExchangeID: "ex-stream", OffsetMs: 2.4, Kind: "status-update", State: "working",
				Data: json.RawMessage(tutorialStream[1])},
			{Seq: 2, ExchangeID: "ex-stream", OffsetMs: 2.6, Kind: "status-update", State: "working",
				Data: json.RawMessage(tutorialStream[2])},
			{Seq: 3, ExchangeID: "ex-stream", OffsetMs: 1003, Kind: "artifact-update",
				Data: json.RawMessage(tutorialStream[4])},
			{Seq: 0, ExchangeID: "ex-cancel", OffsetMs: 2.9, Kind: "task", State: "canceled",
				Data: json.RawMessage(`{"jsonrpc":"2.0","id":"2","result":{"kind":"task","id":"3f2a","contextId":"c7d1","status":{"state":"canceled"}}}`)},
			{Seq: 4, ExchangeID: "ex-stream", OffsetMs: 1504, Kind: "status-update", State: "canceled", Final: true,
				Data: json.RawMessage(`{"jsonrpc":"2.0","id":"1","result":{"kind":"status-update","taskId":"3f2a","contextId":"c7d1","final":true,"status":{"state":"canceled","message":{"kind":"message","role":"agent","messageId":"m9","parts":[{"kind":"text","text":"❌ Task was cancelled"}]}}}}`)},
			{Seq: 5, ExchangeID: "ex-stream", OffsetMs: 1519, Flag: recorder.FlagIncomplete,
				Data: json.RawMessage(`"data: {\"jsonrpc\""`)},
			{Seq: 0, ExchangeID: "ex-gone", OffsetMs: 1, Kind: "error",
				Data: json.RawMessage(`{"jsonrpc":"2.0","id":"3","error":{"code":-32001,"message":"Task not found"}}`)},
		},
	}
	var out bytes.Buffer
	if err := Task(&out, detail); err != nil {
		t.Fatal(err)
	}
	checkGolden(t, "task", out.Bytes())
}
