package replay_test

import (
	"bytes"
	"context"
	"encoding/json"
	"fmt"
	"io"
	"net/http"
	"net/http/httptest"
	"strings"
	"testing"
	"time"

	"github.com/a2aproxy/a2a-proxy/internal/a2awire"
	"github.com/a2aproxy/a2a-proxy/recorder"
	"github.com/a2aproxy/a2a-proxy/replay"
)

var t0 = time.Date(2025, 6, 1, 12, 0, 0, 0, time.UTC)

// session is a recorded stream: the task, two artifact chunks and the end,
// 10ms apart, as a2a-go (v0.3) or @a2a-js/sdk (v1.0) frame them.
func session(version, taskID, text string) *recorder.Recording {
	v1 := version == a2awire.V10
	method, rpcID, userMsg := "message/stream", `"req-1"`, `{"kind":"message","role":"user","messageId":"m-user","parts":[{"kind":"text","text":%q}]}`
	if v1 {
		method, rpcID, userMsg = "SendStreamingMessage", `1`, `{"role":"ROLE_USER","messageId":"m-user","parts":[{"text":%q}]}`
	}
	userMsg = fmt.Sprintf(userMsg, text)
	x := recorder.RecordedExchange{
		Exchange: recorder.Exchange{
			ID: "ex-" + taskID, Agent: "echo", Method: method, ProtocolVersion: version,
			Binding: a2awire.BindingJSONRPC, HTTPMethod: http.MethodPost, Path: "/",
			RequestBody: []byte(`{"jsonrpc":"2.0","id":` + rpcID + `,"method":"` + method + `","params":{"message":` + userMsg + `}}`),
			RPCID:       rpcID, StartedAt: t0,
		},
		End: &recorder.ExchangeEnd{
			ExchangeID: "ex-" + taskID, Status: http.StatusOK, ContentType: "text/event-stream",
			Streaming: true, EndedAt: t0.Add(60 * time.Millisecond), Outcome: recorder.OutcomeCompleted, EventCount: 5,
		},
	}
	ids := fmt.Sprintf(`"taskId":%q,"contextId":"ctx-1"`, taskID)
	var results []string
	if v1 {
		results = []string{
			fmt.Sprintf(`{"task":{"id":%q,"contextId":"ctx-1","status":{"state":"TASK_STATE_SUBMITTED"},"history":[%s]}}`, taskID, userMsg),
			`{"statusUpdate":{` + ids + `,"status":{"state":"TASK_STATE_WORKING","message":{"role":"ROLE_AGENT","messageId":"m1","parts":[{"text":"working"}]}}}}`,
			`{"artifactUpdate":{` + ids + `,"artifact":{"artifactId":"a1","name":"result","parts":[{"text":"part 1"}]},"lastChunk":false}}`,
			`{"artifactUpdate":{` + ids + `,"artifact":{"artifactId":"a1","name":"result","parts":[{"text":"part 2"}]},"append":true,"lastChunk":true}}`,
			`{"statusUpdate":{` + ids + `,"status":{"state":"TASK_STATE_COMPLETED"}}}`,
		}
	} else {
		results = []string{
			fmt.Sprintf(`{"kind":"task","id":%q,"contextId":"ctx-1","status":{"state":"submitted"},"history":[%s]}`, taskID, userMsg),
			`{"kind":"status-update",` + ids + `,"status":{"state":"working","message":{"kind":"message","role":"agent","messageId":"m1","parts":[{"kind":"text","text":"working"}]}},"final":false}`,
			`{"kind":"artifact-update",` + ids + `,"artifact":{"artifactId":"a1","name":"result","parts":[{"kind":"text","text":"part 1"}]},"lastChunk":false}`,
			`{"kind":"artifact-update",` + ids + `,"artifact":{"artifactId":"a1","name":"result","parts":[{"kind":"text","text":"part 2"}]},"append":true,"lastChunk":true}`,
			`{"kind":"status-update",` + ids + `,"status":{"state":"completed"},"final":true}`,
		}
	}
	rec := &recorder.Recording{
		Task:      recorder.RecordedTask{TaskID: taskID, ContextID: "ctx-1", Agent: "echo", State: "completed"},
		Exchanges: []recorder.RecordedExchange{x},
	}
	for i, result := range results {
		block := "data: {\"jsonrpc\":\"2.0\",\"id\":" + rpcID + ",\"result\":" + result + "}\n\n"
		if !v1 {
			block = fmt.Sprintf("id: sse-%d\n", i) + block // a2a-go's random event ids
		}
		offset := time.Duration(i+1) * 10 * time.Millisecond
		rec.Events = append(rec.Events, recorder.Event{
			ExchangeID: x.ID, Agent: "echo", Seq: i, Offset: offset, At: t0.Add(offset), Raw: []byte(block), Fields: a2awire.Fields{TaskID: taskID},
		})
	}
	return rec
}

// recordedBytes is the recorded stream with the JSON-RPC id replaced.
func recordedBytes(rec *recorder.Recording, from, to int, oldID, newID string) string {
	var b strings.Builder
	for _, ev := range rec.Events[from:to] {
		b.WriteString(strings.Replace(string(ev.Raw), `"id":`+oldID+`,`, `"id":`+newID+`,`, 1))
	}
	return b.String()
}

func startAgent(t testing.TB, opts replay.AgentOptions) *httptest.Server {
	t.Helper()
	agent, err := replay.NewAgent(opts)
	if err != nil {
		t.Fatal(err)
	}
	srv := httptest.NewServer(agent)
	t.Cleanup(srv.Close)
	return srv
}

// rpc posts a JSON-RPC request and returns the whole response body, and the
// error that ended reading it (nil for a clean end).
func rpc(t *testing.T, ctx context.Context, url, method, id, params string) (string, error) {
	t.Helper()
	body := `{"jsonrpc":"2.0","id":` + id + `,"method":"` + method + `","params":` + params + `}`
	req, err := http.NewRequestWithContext(ctx, http.MethodPost, url, strings.NewReader(body))
	if err != nil {
		t.Fatal(err)
	}
	req.Header.Set("Content-Type", "application/json")
	resp, err := http.DefaultClient.Do(req)
	if err != nil {
		t.Fatalf("POST %s: %v", method, err)
	}
	defer resp.Body.Close()
	if resp.StatusCode != http.StatusOK {
		t.Fatalf("POST %s: %s", method, resp.Status)
	}
	got, err := io.ReadAll(resp.Body)
	return string(got), err
}

func messageParams(version, text string) string {
	if version == a2awire.V10 {
		return fmt.Sprintf(`{"message":{"role":"ROLE_USER","messageId":"m2","parts":[{"text":%q}]}}`, text)
	}
	return fmt.Sprintf(`{"message":{"kind":"message","role":"user","messageId":"m2","parts":[{"kind":"text","text":%q}]}}`, text)
}

// result decodes the result of a unary JSON-RPC response, failing on an error.
func result(t *testing.T, body string, id string) map[string]any {
	t.Helper()
	var resp struct {
		ID     json.RawMessage `json:"id"`
		Result map[string]any  `json:"result"`
		Error  any             `json:"error"`
	}
	if err := json.Unmarshal([]byte(body), &resp); err != nil || resp.Error != nil || string(resp.ID) != id {
		t.Fatalf("response %s (%v), want a result with id %s", body, err, id)
	}
	return resp.Result
}

// events splits an SSE body into its blocks.
func events(body string) []string {
	var blocks []string
	var s a2awire.Splitter
	s.Split([]byte(body), func(b []byte, _ int64) { blocks = append(blocks, string(b)) })
	return blocks
}

func compact(t *testing.T, doc string) string {
	t.Helper()
	var b bytes.Buffer
	if err := json.Compact(&b, []byte(doc)); err != nil {
		t.Fatalf("not JSON: %s", doc)
	}
	return b.String()
}
