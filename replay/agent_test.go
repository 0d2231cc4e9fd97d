package replay_test

import (
	"context"
	"encoding/json"
	"errors"
	"io"
	"net/http"
	"strings"
	"testing"
	"time"

	"github.com/a2aproxy/a2a-proxy/internal/a2awire"
	"github.com/a2aproxy/a2a-proxy/recorder"
	"github.com/a2aproxy/a2a-proxy/replay"
)

func getCard(t *testing.T, url, version string) map[string]any {
	t.Helper()
	req, _ := http.NewRequest(http.MethodGet, url, nil)
	if version != "" {
		req.Header.Set(a2awire.HeaderVersion, version)
	}
	resp, err := http.DefaultClient.Do(req)
	if err != nil {
		t.Fatal(err)
	}
	defer resp.Body.Close()
	var card map[string]any
	if err := json.NewDecoder(resp.Body).Decode(&card); err != nil || resp.StatusCode != http.StatusOK {
		t.Fatalf("GET %s: %s (%v)", url, resp.Status, err)
	}
	return card
}

func TestCardNamesTheReplayAgentWithItsQuery(t *testing.T) {
	srv := startAgent(t, replay.AgentOptions{Recordings: []*recorder.Recording{session(a2awire.V03, "task-1", "hi")}, Prefix: "/replay/task-1"})
	card := getCard(t, srv.URL+"/replay/task-1/.well-known/agent-card.json?speed=10&cut=2", "")
	if card["url"] != srv.URL+"/replay/task-1/?speed=10&cut=2" || card["preferredTransport"] != "JSONRPC" ||
		card["protocolVersion"] != "0.3.0" || card["capabilities"].(map[string]any)["streaming"] != true {
		t.Errorf("v0.3 card %v", card)
	}
	if _, ok := card["supportedInterfaces"]; ok {
		t.Error("a v0.3 replay lists supportedInterfaces: @a2a-js/sdk would take it for a v1.0 card")
	}

	srv = startAgent(t, replay.AgentOptions{Recordings: []*recorder.Recording{session(a2awire.V10, "task-1", "hi")}})
	card = getCard(t, srv.URL+"/.well-known/agent-card.json", "1.0")
	want := []any{map[string]any{"url": srv.URL + "/", "protocolBinding": "JSONRPC", "protocolVersion": "1.0"}}
	if got, _ := json.Marshal(card["supportedInterfaces"]); string(got) != mustJSON(want) {
		t.Errorf("v1.0 card interfaces %s, want %s", got, mustJSON(want))
	}
}

func mustJSON(v any) string {
	b, _ := json.Marshal(v)
	return string(b)
}

// The recorded stream, byte for byte, under the new request's id.
func TestStreamIsTheRecordingUnderTheNewID(t *testing.T) {
	for _, tc := range []struct{ version, method, oldID, newID string }{
		{a2awire.V03, "message/stream", `"req-1"`, `"client-7"`},
		{a2awire.V10, "SendStreamingMessage", `1`, `42`},
	} {
		t.Run(tc.version, func(t *testing.T) {
			rec := session(tc.version, "task-1", "hi")
			srv := startAgent(t, replay.AgentOptions{Recordings: []*recorder.Recording{rec}})
			got, err := rpc(t, context.Background(), srv.URL+"/?speed=0", tc.method, tc.newID, messageParams(tc.version, "something else"))
			if err != nil {
				t.Fatal(err)
			}
			if want := recordedBytes(rec, 0, 5, tc.oldID, tc.newID); got != want {
				t.Errorf("stream:\n%s\nwant:\n%s", got, want)
			}
		})
	}
}

func TestSendAndGetAnswerWithTheFinalTask(t *testing.T) {
	for _, tc := range []struct{ version, send, get, state, text string }{
		{a2awire.V03, "message/send", "tasks/get", "completed", `{"kind":"text","text":"part 1"},{"kind":"text","text":"part 2"}`},
		{a2awire.V10, "SendMessage", "GetTask", "TASK_STATE_COMPLETED", `{"text":"part 1"},{"text":"part 2"}`},
	} {
		t.Run(tc.version, func(t *testing.T) {
			srv := startAgent(t, replay.AgentOptions{Recordings: []*recorder.Recording{session(tc.version, "task-1", "hi")}})
			body, err := rpc(t, context.Background(), srv.URL+"/?speed=0", tc.send, `"s"`, messageParams(tc.version, "hi"))
			if err != nil {
				t.Fatal(err)
			}
			sent := result(t, body, `"s"`)
			if tc.version == a2awire.V10 {
				sent = sent["task"].(map[string]any) // SendMessageResponse
			}
			body, err = rpc(t, context.Background(), srv.URL, tc.get, `"g"`, `{"id":"task-1"}`)
			if err != nil {
				t.Fatal(err)
			}
			got := result(t, body, `"g"`)
			for name, task := range map[string]map[string]any{"send": sent, "get": got} {
				if task["id"] != "task-1" || task["status"].(map[string]any)["state"] != tc.state {
					t.Errorf("%s: task %v", name, task)
				}
				artifacts, _ := json.Marshal(task["artifacts"])
				if !strings.Contains(string(artifacts), tc.text) {
					t.Errorf("%s: artifacts %s, want the two chunks appended", name, artifacts)
				}
				if (task["kind"] == "task") != (tc.version == a2awire.V03) {
					t.Errorf("%s: kind %v in a %s task", name, task["kind"], tc.version)
				}
			}
		})
	}
}

// A recorded message/send is answered with its recorded body.
func TestSendAnswersWithTheRecordedBody(t *testing.T) {
	rec := session(a2awire.V03, "task-1", "hi")
	x := &rec.Exchanges[0]
	x.Method, x.RPCID = "message/send", `"u1"`
	x.RequestBody = []byte(strings.Replace(string(x.RequestBody), "message/stream", "message/send", 1))
	x.End.Streaming, x.End.ContentType = false, "application/json"
	body := `{"jsonrpc":"2.0","id":"u1","result":{"kind":"task","id":"task-1","status":{"state":"completed"}}}`
	rec.Events = []recorder.Event{{ExchangeID: x.ID, Offset: 5 * time.Millisecond, Raw: []byte(body), Fields: a2awire.Fields{TaskID: "task-1"}}}
	srv := startAgent(t, replay.AgentOptions{Recordings: []*recorder.Recording{rec}})
	got, err := rpc(t, context.Background(), srv.URL, "message/send", `7`, messageParams(a2awire.V03, "hi"))
	if err != nil {
		t.Fatal(err)
	}
	if want := strings.Replace(body, `"u1"`, `7`, 1); got != want {
		t.Errorf("got %s, want %s", got, want)
	}
}

// An agent that died mid-stream dies mid-stream in the replay too.
func TestReplayCutsWhereTheRecordingBrokeOff(t *testing.T) {
	rec := session(a2awire.V03, "task-1", "hi")
	rec.Exchanges[0].End.Outcome = recorder.OutcomeUpstreamError
	rec.Events = rec.Events[:2]
	srv := startAgent(t, replay.AgentOptions{Recordings: []*recorder.Recording{rec}})
	got, err := rpc(t, context.Background(), srv.URL+"/?speed=0", "message/stream", `"n"`, messageParams(a2awire.V03, "hi"))
	if !errors.Is(err, io.ErrUnexpectedEOF) {
		t.Errorf("err = %v, want the connection cut (unexpected EOF)", err)
	}
	if want := recordedBytes(rec, 0, 2, `"req-1"`, `"n"`); got != want {
		t.Errorf("before the cut: %q, want %q", got, want)
	}
}

// A cut stream, then a resubscribe: v0.3 gets the rest, v1.0 the task as it
// stands and then the rest.
func TestCutThenResubscribe(t *testing.T) {
	for _, tc := range []struct{ version, stream, resubscribe, oldID string }{
		{a2awire.V03, "message/stream", "tasks/resubscribe", `"req-1"`},
		{a2awire.V10, "SendStreamingMessage", "SubscribeToTask", `1`},
	} {
		t.Run(tc.version, func(t *testing.T) {
			rec := session(tc.version, "task-1", "hi")
			srv := startAgent(t, replay.AgentOptions{Recordings: []*recorder.Recording{rec}})
			got, err := rpc(t, context.Background(), srv.URL+"/?speed=0&cut=2", tc.stream, `"a"`, messageParams(tc.version, "hi"))
			if !errors.Is(err, io.ErrUnexpectedEOF) || got != recordedBytes(rec, 0, 2, tc.oldID, `"a"`) {
				t.Fatalf("cut stream %q (err %v), want events 0 and 1 then a cut", got, err)
			}
			// The cut asked for applies to the first stream only.
			got, err = rpc(t, context.Background(), srv.URL+"/?speed=0&cut=2", tc.resubscribe, `"b"`, `{"id":"task-1"}`)
			if err != nil {
				t.Fatalf("resubscribe: %v", err)
			}
			rest := recordedBytes(rec, 2, 5, tc.oldID, `"b"`)
			if tc.version == a2awire.V03 {
				if got != rest {
					t.Errorf("resubscribe:\n%s\nwant:\n%s", got, rest)
				}
				return
			}
			blocks := events(got)
			if len(blocks) != 4 || strings.Join(blocks[1:], "") != rest {
				t.Fatalf("resubscribe: %q, want a snapshot then events 2 to 4", blocks)
			}
			var snapshot struct {
				ID     string `json:"id"`
				Result struct {
					Task struct {
						ID     string         `json:"id"`
						Status map[string]any `json:"status"`
					} `json:"task"`
				} `json:"result"`
			}
			data, _ := a2awire.SSEData([]byte(blocks[0]))
			if err := json.Unmarshal([]byte(data), &snapshot); err != nil || snapshot.ID != "b" ||
				snapshot.Result.Task.ID != "task-1" || snapshot.Result.Task.Status["state"] != "TASK_STATE_WORKING" {
				t.Errorf("snapshot %s (%v), want task-1 working under id b", data, err)
			}
		})
	}
}

// A stalled stream keeps the client waiting; when it gives up and
// resubscribes, it gets the events it did not have.
func TestStallThenResubscribe(t *testing.T) {
	rec := session(a2awire.V03, "task-1", "hi")
	srv := startAgent(t, replay.AgentOptions{Recordings: []*recorder.Recording{rec}})
	ctx, cancel := context.WithCancel(context.Background())
	defer cancel()
	body := `{"jsonrpc":"2.0","id":"a","method":"message/stream","params":` + messageParams(a2awire.V03, "hi") + `}`
	req, _ := http.NewRequestWithContext(ctx, http.MethodPost, srv.URL+"/?speed=0&stall=3", strings.NewReader(body))
	resp, err := http.DefaultClient.Do(req)
	if err != nil {
		t.Fatal(err)
	}
	defer resp.Body.Close()
	want := recordedBytes(rec, 0, 3, `"req-1"`, `"a"`)
	got := make([]byte, len(want))
	if _, err := io.ReadFull(resp.Body, got); err != nil || string(got) != want {
		t.Fatalf("before the stall: %q (%v), want %q", got, err, want)
	}
	cancel() // the client gives up waiting

	rest, err := rpc(t, context.Background(), srv.URL+"/?speed=0", "tasks/resubscribe", `"b"`, `{"id":"task-1"}`)
	if err != nil || rest != recordedBytes(rec, 3, 5, `"req-1"`, `"b"`) {
		t.Errorf("resubscribe: %q (%v), want events 3 and 4", rest, err)
	}
}

// A finished task: v0.3 answers a resubscribe as a2a-go does, v1.0 with the
// final task alone.
func TestResubscribeToAFinishedTask(t *testing.T) {
	srv := startAgent(t, replay.AgentOptions{Recordings: []*recorder.Recording{session(a2awire.V03, "task-1", "hi")}})
	got, err := rpc(t, context.Background(), srv.URL, "tasks/resubscribe", `"r"`, `{"id":"task-1"}`)
	if err != nil || !strings.Contains(got, `"code":-32001`) || len(events(got)) != 1 {
		t.Errorf("v0.3: %s (%v), want one error event -32001", got, err)
	}

	srv = startAgent(t, replay.AgentOptions{Recordings: []*recorder.Recording{session(a2awire.V10, "task-1", "hi")}})
	got, err = rpc(t, context.Background(), srv.URL, "SubscribeToTask", `"r"`, `{"id":"task-1"}`)
	if err != nil || len(events(got)) != 1 || !strings.Contains(got, `"TASK_STATE_COMPLETED"`) {
		t.Errorf("v1.0: %s (%v), want the completed task alone", got, err)
	}
}

// Fixtures: each message finds its recording by method and text; another
// text gets an error that quotes it.
func TestStrictMatchingByText(t *testing.T) {
	one, two := session(a2awire.V03, "task-1", "first"), session(a2awire.V03, "task-2", "second")
	srv := startAgent(t, replay.AgentOptions{Recordings: []*recorder.Recording{one, two}, Strict: true})
	got, err := rpc(t, context.Background(), srv.URL+"/?speed=0", "message/stream", `"x"`, messageParams(a2awire.V03, "second"))
	if err != nil || got != recordedBytes(two, 0, 5, `"req-1"`, `"x"`) {
		t.Errorf("second: %q (%v), want task-2's stream", got, err)
	}

	got, err = rpc(t, context.Background(), srv.URL+"/?speed=0", "message/stream", `"y"`, messageParams(a2awire.V03, "third"))
	if err != nil || len(events(got)) != 1 {
		t.Fatalf("unmatched: %q (%v), want one error event", got, err)
	}
	data, _ := a2awire.SSEData([]byte(events(got)[0]))
	want := `{"jsonrpc":"2.0","id":"y","error":{"code":-32000,"message":"no recording matches message/stream with text \"third\"","data":{"error":"no recording matches message/stream with text \"third\""}}}`
	if compact(t, data) != want {
		t.Errorf("unmatched:\n%s\nwant\n%s", data, want)
	}

	// The method counts too: a v1.0 request does not match a v0.3 recording.
	body, err := rpc(t, context.Background(), srv.URL, "SendMessage", `"z"`, messageParams(a2awire.V10, "first"))
	if err != nil || !strings.Contains(body, `"code":-32000`) || !strings.Contains(body, `SendMessage with text \"first\"`) {
		t.Errorf("v1.0 request: %s (%v)", body, err)
	}
}

func TestUnknownTasksAndMethods(t *testing.T) {
	srv := startAgent(t, replay.AgentOptions{Recordings: []*recorder.Recording{session(a2awire.V03, "task-1", "hi")}})
	for method, code := range map[string]string{"tasks/get": "-32001", "tasks/cancel": "-32601"} {
		body, err := rpc(t, context.Background(), srv.URL, method, `1`, `{"id":"nope"}`)
		if err != nil || !strings.Contains(body, `"code":`+code) {
			t.Errorf("%s: %s (%v), want code %s", method, body, err, code)
		}
	}
	body, err := rpc(t, context.Background(), srv.URL+"/?speed=fast", "message/stream", `1`, messageParams(a2awire.V03, "hi"))
	if err != nil || !strings.Contains(body, `"code":-32602`) || !strings.Contains(body, `speed \"fast\"`) {
		t.Errorf("bad speed: %s (%v)", body, err)
	}
}

func TestNewAgentWithoutJSONRPC(t *testing.T) {
	rec := session(a2awire.V10, "task-1", "hi")
	rec.Exchanges[0].Binding = a2awire.BindingREST
	rec.Exchanges[0].RequestBody = []byte(`{"message":{}}`)
	rec.Exchanges[0].Path = "/message:stream"
	if _, err := replay.NewAgent(replay.AgentOptions{Recordings: []*recorder.Recording{rec}}); !errors.Is(err, replay.ErrNothingToReplay) {
		t.Errorf("err = %v, want ErrNothingToReplay", err)
	}
}
