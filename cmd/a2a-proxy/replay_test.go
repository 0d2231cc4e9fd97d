package main

import (
	"bytes"
	"context"
	"encoding/json"
	"io"
	"net/http"
	"path/filepath"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/a2aproject/a2a-go/a2a"
	"github.com/a2aproject/a2a-go/a2aclient"
	"github.com/a2aproject/a2a-go/a2aclient/agentcard"

	"github.com/a2aproxy/a2a-proxy/internal/a2awire"
	"github.com/a2aproxy/a2a-proxy/internal/nodepeer"
	"github.com/a2aproxy/a2a-proxy/recorder"
)

// rpcTap is an http.RoundTripper that keeps, for each JSON-RPC call a client
// makes, the id it sent and the bytes it got back.
type rpcTap struct {
	mu    sync.Mutex
	calls []*tappedCall
}

type tappedCall struct {
	id   string // the request's JSON-RPC id, as JSON
	body bytes.Buffer
}

func (tap *rpcTap) client() *http.Client { return &http.Client{Transport: tap} }

func (tap *rpcTap) RoundTrip(req *http.Request) (*http.Response, error) {
	var call *tappedCall
	if req.Body != nil {
		body, err := io.ReadAll(req.Body)
		if err != nil {
			return nil, err
		}
		req.Body = io.NopCloser(bytes.NewReader(body))
		var rpc struct {
			ID json.RawMessage `json:"id"`
		}
		if json.Unmarshal(body, &rpc) == nil && rpc.ID != nil {
			call = &tappedCall{id: string(rpc.ID)}
			tap.mu.Lock()
			tap.calls = append(tap.calls, call)
			tap.mu.Unlock()
		}
	}
	resp, err := http.DefaultTransport.RoundTrip(req)
	if err != nil || call == nil {
		return resp, err
	}
	resp.Body = struct {
		io.Reader
		io.Closer
	}{io.TeeReader(resp.Body, lockedWriter{&tap.mu, &call.body}), resp.Body}
	return resp, nil
}

// recordWithA2AGo streams text to the built-in agent through the proxy (by
// name: it need not be the default agent) with the a2a-go client, and
// returns the task's id.
func recordWithA2AGo(t *testing.T, s *Server, text string) string {
	t.Helper()
	events, err := streamWithA2AGo(t, s.DataURL()+"/agents/builtin/", http.DefaultClient, text)
	if err != nil || len(events) == 0 {
		t.Fatalf("record: %d events, %v", len(events), err)
	}
	return string(events[0].(*a2a.Task).ID)
}

// streamWithA2AGo discovers the agent at base with a2a-go v0.3.3 and streams
// text to it.
func streamWithA2AGo(t *testing.T, base string, client *http.Client, text string) ([]a2a.Event, error) {
	t.Helper()
	ctx, cancel := context.WithTimeout(context.Background(), 30*time.Second)
	defer cancel()
	card, err := agentcard.NewResolver(client).Resolve(ctx, base)
	if err != nil {
		t.Fatalf("resolve card at %s: %v", base, err)
	}
	a2aClient, err := a2aclient.NewFromCard(ctx, card, a2aclient.WithJSONRPCTransport(client))
	if err != nil {
		t.Fatal(err)
	}
	defer a2aClient.Destroy()
	var events []a2a.Event
	msg := &a2a.MessageSendParams{Message: a2a.NewMessage(a2a.MessageRoleUser, a2a.TextPart{Text: text})}
	for ev, err := range a2aClient.SendStreamingMessage(ctx, msg) {
		if err != nil {
			return events, err
		}
		events = append(events, ev)
	}
	return events, nil
}

// recordedStream returns the raw bytes of a task's recorded stream and the
// JSON-RPC id it was recorded under.
func recordedStream(t *testing.T, s *Server, taskID string) (raw, rpcID string) {
	t.Helper()
	detail := recordedTask(t, s, taskID)
	ex, evs := streamEvents(t, detail)
	return joinRaw(evs), ex.RPCID
}

// assertReplayed checks that a tapped call received the recorded stream,
// byte for byte, under the id of its own request.
func assertReplayed(t *testing.T, call *tappedCall, recorded, recordedID string) {
	t.Helper()
	if call.id == recordedID {
		t.Fatalf("the client's request id %s is the recorded one: the test proves nothing", call.id)
	}
	want := strings.ReplaceAll(recorded, `"id":`+recordedID+`,`, `"id":`+call.id+`,`)
	if got := call.body.String(); got != want {
		t.Errorf("the client received:\n%s\nthe recording under its id is:\n%s", got, want)
	}
}

// The a2a-go client, pointed at the replay of a task on the admin plane,
// receives the recorded stream under its own request id.
func TestA2AGoClientAgainstReplayAgent(t *testing.T) {
	s := startServer(t)
	taskID := recordWithA2AGo(t, s, "Process my data")
	recorded, recordedID := recordedStream(t, s, taskID)

	tap := &rpcTap{}
	base := s.AdminURL() + "/replay/" + taskID + "/?speed=0"
	events, err := streamWithA2AGo(t, base, tap.client(), "anything at all")
	if err != nil || len(events) != 8 {
		t.Fatalf("replay: %d events, %v; want the 8 recorded", len(events), err)
	}
	if len(tap.calls) != 1 {
		t.Fatalf("%d JSON-RPC calls, want 1", len(tap.calls))
	}
	assertReplayed(t, tap.calls[0], recorded, recordedID)
	if task, ok := events[0].(*a2a.Task); !ok || string(task.ID) != taskID {
		t.Errorf("first event %+v, want task %s", events[0], taskID)
	}
}

// @a2a-js/sdk's v1.0 client against the replay of a v1.0 recording, and its
// v0.3 client against the replay of the built-in (a2a-go) agent.
func TestJSClientsAgainstReplayAgent(t *testing.T) {
	nodepeer.Require(t)
	agentURL := nodepeer.StartServer(t, nodepeer.ServerOptions{StepDelay: 5 * time.Millisecond})
	s := startServer(t, func(c *ServeConfig) { c.Agents = []string{"js=" + agentURL} })
	v1Task := recordWithJS(t, s.DataURL()+"/agents/js/", nodepeer.TransportJSONRPC, "hello v1")
	v03Task := recordWithA2AGo(t, s, "Process my data")

	for _, tc := range []struct{ name, taskID, transport string }{
		{"v1.0", v1Task, nodepeer.TransportJSONRPC},
		{"v0.3", v03Task, nodepeer.TransportLegacy},
	} {
		t.Run(tc.name, func(t *testing.T) {
			res := nodepeer.RunClient(context.Background(), t, nodepeer.ClientOptions{
				URL: s.AdminURL() + "/replay/" + tc.taskID + "/", Text: "not what was recorded",
				Transport: tc.transport, Format: nodepeer.FormatWire,
			})
			if !res.Done {
				t.Fatalf("client failed: %s\n%s", res.Err, res.Stderr)
			}
			assertSameEvents(t, res, recordedTask(t, s, tc.taskID))
		})
	}
}

// recordWithJS streams text with @a2a-js/sdk's client through the proxy and
// returns the task's id.
func recordWithJS(t *testing.T, base, transport, text string) string {
	t.Helper()
	res := nodepeer.RunClient(context.Background(), t, nodepeer.ClientOptions{URL: base, Text: text, Transport: transport})
	if !res.Done {
		t.Fatalf("record: %s\n%s", res.Err, res.Stderr)
	}
	return res.SummarizeAll(t)[0].TaskID
}

// assertSameEvents checks that a JS client received the recorded stream's
// events: the SDK validates each response's id against its request's, so
// getting them at all means they came under its own id.
func assertSameEvents(t *testing.T, res nodepeer.ClientResult, detail *recorder.TaskDetail) {
	t.Helper()
	got := res.SummarizeAll(t)
	_, recorded := streamEvents(t, detail)
	if len(got) != len(recorded) {
		t.Fatalf("client received %d events, the recording has %d", len(got), len(recorded))
	}
	for i, ev := range recorded {
		want, err := nodepeer.Summarize(resultOf(t, ev))
		if err != nil {
			t.Fatal(err)
		}
		if got[i].Kind != ev.Kind || got[i].TaskID != ev.TaskID || got[i].Text != want.Text || got[i].ArtifactName != want.ArtifactName ||
			a2awire.NormalizeState(got[i].State) != ev.State {
			t.Errorf("event %d: client received %+v, recorded %+v", i, got[i], want)
		}
	}
}

// resultOf returns the v1.0-shaped event a recorded JSON-RPC event carries,
// as client.mjs prints it in the wire format.
func resultOf(t *testing.T, ev recorder.EventDoc) json.RawMessage {
	t.Helper()
	var env struct {
		Result map[string]json.RawMessage `json:"result"`
	}
	if err := json.Unmarshal(ev.Data, &env); err != nil {
		t.Fatalf("recorded event %s: %v", ev.Data, err)
	}
	if _, v1 := env.Result["kind"]; !v1 {
		doc, _ := json.Marshal(env.Result)
		return doc
	}
	// A v0.3 event: wrap it as the SDK's v1.0 StreamResponse.
	member := map[string]string{"task": "task", "status-update": "statusUpdate", "artifact-update": "artifactUpdate", "message": "message"}[ev.Kind]
	body, _ := json.Marshal(env.Result)
	doc, _ := json.Marshal(map[string]json.RawMessage{member: body})
	return doc
}

// Fixture mode: export files served by `a2a-proxy replay serve --from`, each
// request matched by method and text; real clients of both versions get the
// recorded events, and an unknown text gets an error quoting it.
func TestFixtureServer(t *testing.T) {
	nodepeer.Require(t)
	agentURL := nodepeer.StartServer(t, nodepeer.ServerOptions{StepDelay: 5 * time.Millisecond})
	s := startServer(t, func(c *ServeConfig) { c.Agents = []string{"js=" + agentURL} })
	v03Task := recordWithA2AGo(t, s, "Process my data")
	otherTask := recordWithA2AGo(t, s, "Something else")
	v1Task := recordWithJS(t, s.DataURL()+"/agents/js/", nodepeer.TransportJSONRPC, "hello v1")
	dir := t.TempDir()
	var files []string
	for _, taskID := range []string{v03Task, otherTask, v1Task} {
		files = append(files, exportToFile(t, s.Config.DB, taskID, dir))
	}
	fixtures := startReplayServer(t, replayServeConfig{Fixtures: files})

	t.Run("a2a-go", func(t *testing.T) {
		recorded, recordedID := recordedStream(t, s, otherTask)
		tap := &rpcTap{}
		if _, err := streamWithA2AGo(t, fixtures.URL()+"/?speed=0", tap.client(), "Something else"); err != nil {
			t.Fatal(err)
		}
		assertReplayed(t, tap.calls[0], recorded, recordedID)
	})
	t.Run("js v0.3", func(t *testing.T) {
		res := nodepeer.RunClient(context.Background(), t, nodepeer.ClientOptions{
			URL: fixtures.URL() + "/", Text: "Process my data", Transport: nodepeer.TransportLegacy, Format: nodepeer.FormatWire,
		})
		if !res.Done {
			t.Fatalf("client failed: %s\n%s", res.Err, res.Stderr)
		}
		assertSameEvents(t, res, recordedTask(t, s, v03Task))
	})
	t.Run("js v1.0", func(t *testing.T) {
		res := nodepeer.RunClient(context.Background(), t, nodepeer.ClientOptions{
			URL: fixtures.URL() + "/", Text: "hello v1", Transport: nodepeer.TransportJSONRPC, Format: nodepeer.FormatWire,
		})
		if !res.Done {
			t.Fatalf("client failed: %s\n%s", res.Err, res.Stderr)
		}
		assertSameEvents(t, res, recordedTask(t, s, v1Task))
	})
	t.Run("unmatched", func(t *testing.T) {
		_, err := streamWithA2AGo(t, fixtures.URL()+"/", http.DefaultClient, "never recorded")
		if err == nil || !strings.Contains(err.Error(), `"never recorded"`) {
			t.Errorf("err = %v, want an error quoting the text", err)
		}
		res := nodepeer.RunClient(context.Background(), t, nodepeer.ClientOptions{
			URL: fixtures.URL() + "/", Text: "never recorded either", Transport: nodepeer.TransportJSONRPC,
		})
		if res.Done || !strings.Contains(res.Err, `never recorded either`) {
			t.Errorf("js client: %q, want an error quoting the text", res.Err)
		}
	})
}

func exportToFile(t *testing.T, db, taskID, dir string) string {
	t.Helper()
	path := filepath.Join(dir, taskID+".ndjson")
	var stderr bytes.Buffer
	if code := run(context.Background(), []string{"export", taskID, "--db", db, "-o", path}, io.Discard, &stderr); code != 0 {
		t.Fatalf("export %s: exit %d: %s", taskID, code, stderr.String())
	}
	return path
}

func startReplayServer(t *testing.T, cfg replayServeConfig) *replayServer {
	t.Helper()
	cfg.Listen, cfg.LogLevel = "127.0.0.1:0", "warn"
	srv := &replayServer{Config: cfg, Stderr: testLog{t}}
	if err := srv.Start(context.Background()); err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { srv.Shutdown() })
	return srv
}

// `a2a-proxy replay serve TASK_ID` serves one task from the database.
func TestReplayServeTask(t *testing.T) {
	s := startServer(t)
	taskID := recordWithA2AGo(t, s, "Process my data")
	recorded, recordedID := recordedStream(t, s, taskID)
	if err := s.Store().Flush(context.Background()); err != nil {
		t.Fatal(err)
	}
	agent := startReplayServer(t, replayServeConfig{DB: s.Config.DB, TaskID: taskID})
	tap := &rpcTap{}
	if _, err := streamWithA2AGo(t, agent.URL()+"/?speed=0", tap.client(), "hi"); err != nil {
		t.Fatal(err)
	}
	assertReplayed(t, tap.calls[0], recorded, recordedID)

	var stderr bytes.Buffer
	code := run(context.Background(), []string{"replay", "serve", "--db", s.Config.DB, "--listen", "127.0.0.1:0", "no-such-task"}, io.Discard, &stderr)
	if code != 1 || !strings.Contains(stderr.String(), `no task "no-such-task"`) {
		t.Errorf("unknown task: exit %d, %q", code, stderr.String())
	}
}

// `a2a-proxy replay TASK_ID` prints the events as send prints a live stream.
func TestReplayCommandPrintsLikeSend(t *testing.T) {
	s := startServer(t)
	taskID := recordWithA2AGo(t, s, "Process my data")
	recordedTask(t, s, taskID) // flushed

	var live, replayed, stderr bytes.Buffer
	if code := run(context.Background(), []string{"send", s.DataURL(), "Process my data"}, &live, &stderr); code != 0 {
		t.Fatalf("send: exit %d: %s", code, stderr.String())
	}
	if code := run(context.Background(), []string{"replay", "--speed", "0", "--db", s.Config.DB, taskID}, &replayed, &stderr); code != 0 {
		t.Fatalf("replay: exit %d: %s", code, stderr.String())
	}
	// The same lines but for the ids and the processing time.
	normalize := func(s string) []string {
		var lines []string
		for _, line := range strings.Split(s, "\n") {
			if strings.HasPrefix(line, "📋 Task created") || strings.Contains(line, "Processed at") {
				continue
			}
			lines = append(lines, line)
		}
		return lines
	}
	if got, want := normalize(replayed.String()), normalize(live.String()); strings.Join(got, "\n") != strings.Join(want, "\n") {
		t.Errorf("replay printed:\n%s\nsend printed:\n%s", replayed.String(), live.String())
	}
	if !strings.Contains(replayed.String(), "📋 Task created: "+taskID) {
		t.Errorf("replay output lacks the task: %s", replayed.String())
	}

	stderr.Reset()
	if code := run(context.Background(), []string{"replay", "--db", s.Config.DB, "nope"}, io.Discard, &stderr); code != 1 || !strings.Contains(stderr.String(), `no task "nope"`) {
		t.Errorf("unknown task: exit %d, %q", code, stderr.String())
	}
	stderr.Reset()
	if code := run(context.Background(), []string{"replay", "--db", filepath.Join(t.TempDir(), "none.db"), "x"}, io.Discard, &stderr); code != 1 {
		t.Errorf("missing database: exit %d, %q", code, stderr.String())
	}
}
