package main

import (
	"context"
	"encoding/json"
	"io"
	"net/http"
	"strings"
	"testing"
	"time"

	"github.com/a2aproject/a2a-go/a2a"
	"github.com/a2aproject/a2a-go/a2aclient"
	"github.com/a2aproject/a2a-go/a2aclient/agentcard"

	"github.com/a2aproxy/a2a-proxy/internal/a2awire"
	"github.com/a2aproxy/a2a-proxy/internal/nodepeer"
	"github.com/a2aproxy/a2a-proxy/recorder"
)

func TestBootsOnEphemeralPortsWithTempDatabase(t *testing.T) {
	s := startServer(t)
	resp, err := http.Get(s.DataURL() + "/healthz")
	if err != nil || resp.StatusCode != http.StatusOK {
		t.Fatalf("healthz: %v %v", resp, err)
	}
	resp.Body.Close()
	resp, err = http.Get(s.DataURL() + "/.well-known/agent-card.json")
	if err != nil {
		t.Fatal(err)
	}
	defer resp.Body.Close()
	var card struct {
		Name string `json:"name"`
		URL  string `json:"url"`
	}
	if err := json.NewDecoder(resp.Body).Decode(&card); err != nil {
		t.Fatal(err)
	}
	if card.URL != s.DataURL()+"/" || card.Name == "" {
		t.Fatalf("built-in agent's card through the proxy: %+v, want url %s/", card, s.DataURL())
	}
}

// The tutorial's flow with the a2a-go v0.3.3 client: discover the built-in
// agent through the proxy, stream a message, and find every event recorded
// exactly as the client received it.
func TestA2AGoClientThroughProxy(t *testing.T) {
	s := startServer(t)
	ctx, cancel := context.WithTimeout(context.Background(), 30*time.Second)
	defer cancel()
	tap := &wiretap{}
	card, err := agentcard.NewResolver(tap.client()).Resolve(ctx, s.DataURL())
	if err != nil {
		t.Fatal(err)
	}
	client, err := a2aclient.NewFromCard(ctx, card, a2aclient.WithJSONRPCTransport(tap.client()))
	if err != nil {
		t.Fatal(err)
	}
	defer client.Destroy()

	var received []a2a.Event
	msg := &a2a.MessageSendParams{Message: a2a.NewMessage(a2a.MessageRoleUser, a2a.TextPart{Text: "Process my data"})}
	for ev, err := range client.SendStreamingMessage(ctx, msg) {
		if err != nil {
			t.Fatalf("stream: %v", err)
		}
		received = append(received, ev)
	}
	task, ok := received[0].(*a2a.Task)
	if !ok || len(received) != 8 {
		t.Fatalf("received %d events, first %T; want 8 starting with the task", len(received), received[0])
	}
	assertAllOn(t, s.DataURL(), tap.urls)

	detail := recordedTask(t, s, string(task.ID))
	ex, evs := streamEvents(t, detail)
	if ex.Outcome != recorder.OutcomeCompleted || ex.Method != "message/stream" || ex.ProtocolVersion != "0.3" || ex.Agent != "builtin" {
		t.Errorf("exchange %+v", ex)
	}
	if len(evs) != len(received) {
		t.Fatalf("recorded %d events, client received %d", len(evs), len(received))
	}
	if got, want := joinRaw(evs), tap.streams[0].String(); got != want {
		t.Fatalf("recorded bytes differ from what the client received:\nrecorded %q\nreceived %q", got, want)
	}
	for i, ev := range received {
		data, _ := json.Marshal(ev)
		want := summarizeWire(t, `{"jsonrpc":"2.0","id":1,"result":`+string(data)+`}`)
		if got := summarizeRecorded(t, evs)[i]; got != want {
			t.Errorf("event %d: recorded %+v, client decoded %+v", i, got, want)
		}
	}
	if detail.Task.State != "completed" || detail.Task.EventCount != 8 || detail.Task.Agent != "builtin" {
		t.Errorf("task summary %+v", detail.Task)
	}
}

// @a2a-js/sdk 1.3.0 on both ends, through the proxy: a v1.0 server with and
// without v0.3 compatibility, and the SDK's v1.0 JSON-RPC and REST clients
// and its legacy v0.3 transport.
func TestJSPeersThroughProxy(t *testing.T) {
	nodepeer.Require(t)
	for _, legacy := range []bool{false, true} {
		agentURL := nodepeer.StartServer(t, nodepeer.ServerOptions{Legacy: legacy, StepDelay: 5 * time.Millisecond})
		s := startServer(t, func(c *ServeConfig) { c.Agents = []string{"js=" + agentURL} })
		transports := []string{nodepeer.TransportJSONRPC, nodepeer.TransportREST}
		if legacy {
			transports = append(transports, nodepeer.TransportLegacy)
		}
		for _, transport := range transports {
			for _, base := range []string{s.DataURL() + "/", s.DataURL() + "/agents/js/"} {
				name := map[bool]string{false: "v1.0 server", true: "v1.0+v0.3 server"}[legacy] + "/" + transport + "/" + strings.TrimPrefix(base, s.DataURL())
				t.Run(name, func(t *testing.T) {
					res := nodepeer.RunClient(context.Background(), t, nodepeer.ClientOptions{URL: base, Text: "hello " + transport, Transport: transport})
					if !res.Done {
						t.Fatalf("client failed: %s\n%s", res.Err, res.Stderr)
					}
					assertAllOn(t, s.DataURL(), res.FetchURLs())
					got := res.SummarizeAll(t)
					if len(got) != 6 || got[0].Kind != "task" {
						t.Fatalf("client received %+v", got)
					}
					_, evs := streamEvents(t, recordedTask(t, s, got[0].TaskID))
					if len(evs) != len(got) {
						t.Fatalf("recorded %d events, client received %d", len(evs), len(got))
					}
					for i, ev := range evs {
						want := summary{got[i].Kind, got[i].TaskID, a2awire.NormalizeState(got[i].State)}
						if ev.Kind == "artifact-update" {
							want.state = ""
						}
						if rec := (summary{ev.Kind, ev.TaskID, ev.State}); rec != want {
							t.Errorf("event %d: recorded %+v, client received %+v", i, rec, want)
						}
					}
				})
			}
		}
	}
}

// The SDK's v0.3 client against the built-in (a2a-go) agent, through the proxy.
func TestJSLegacyClientAgainstBuiltinAgent(t *testing.T) {
	nodepeer.Require(t)
	s := startServer(t)
	res := nodepeer.RunClient(context.Background(), t, nodepeer.ClientOptions{URL: s.DataURL() + "/agents/builtin/", Text: "Process my data", Transport: nodepeer.TransportLegacy})
	if !res.Done {
		t.Fatalf("client failed: %s\n%s", res.Err, res.Stderr)
	}
	assertAllOn(t, s.DataURL(), res.FetchURLs())
	got := res.SummarizeAll(t)
	_, evs := streamEvents(t, recordedTask(t, s, got[0].TaskID))
	if len(got) != 8 || len(evs) != 8 {
		t.Fatalf("client received %d events, recorded %d; want 8", len(got), len(evs))
	}
}

// An agent that dies mid-stream: the client sees the stream break, and the
// recording keeps what was received and says how it ended.
func TestAgentDiesMidStream(t *testing.T) {
	nodepeer.Require(t)
	agentURL := nodepeer.StartServer(t, nodepeer.ServerOptions{StepDelay: 5 * time.Millisecond})
	s := startServer(t, func(c *ServeConfig) { c.Agents = []string{"js=" + agentURL} })
	res := nodepeer.RunClient(context.Background(), t, nodepeer.ClientOptions{URL: s.DataURL() + "/", Text: "die"})
	if res.Done || res.Err == "" {
		t.Fatalf("client took a cut stream for a finished one: %+v", res)
	}
	got := res.SummarizeAll(t)
	if len(got) == 0 {
		t.Fatal("client received nothing before the cut")
	}
	ex, evs := streamEvents(t, recordedTask(t, s, got[0].TaskID))
	if ex.Outcome != recorder.OutcomeUpstreamError || ex.Error == "" {
		t.Errorf("exchange outcome %q (%q), want upstream_error", ex.Outcome, ex.Error)
	}
	if len(evs) != len(got) {
		t.Errorf("recorded %d events, client received %d", len(evs), len(got))
	}
}

func TestUnaryAndRESTAreRecorded(t *testing.T) {
	s := startServer(t)
	body := `{"jsonrpc":"2.0","id":"u1","method":"message/send","params":{"message":{"kind":"message","role":"user","messageId":"m","parts":[{"kind":"text","text":"unary"}]}}}`
	resp, err := http.Post(s.DataURL()+"/agents/builtin/", "application/json", strings.NewReader(body))
	if err != nil {
		t.Fatal(err)
	}
	raw, _ := io.ReadAll(resp.Body)
	resp.Body.Close()
	ev, err := a2awire.ParseEvent(raw)
	if err != nil || ev.Kind != "task" || ev.State != "completed" {
		t.Fatalf("message/send answered %s (%v)", raw, err)
	}
	detail := recordedTask(t, s, ev.TaskID)
	if len(detail.Exchanges) != 1 || detail.Exchanges[0].Method != "message/send" || detail.Exchanges[0].Streaming {
		t.Fatalf("exchanges %+v", detail.Exchanges)
	}
	if len(detail.Events) != 1 || string(detail.Events[0].Raw) != string(raw) {
		t.Fatalf("the unary response is not recorded as one event, byte for byte")
	}

	// tasks/get on the same task joins the task's exchanges.
	get := `{"jsonrpc":"2.0","id":2,"method":"tasks/get","params":{"id":"` + ev.TaskID + `"}}`
	resp, err = http.Post(s.DataURL(), "application/json", strings.NewReader(get))
	if err != nil {
		t.Fatal(err)
	}
	resp.Body.Close()
	if detail := recordedTask(t, s, ev.TaskID); detail.Task.ExchangeCount != 2 {
		t.Errorf("exchange count %d after tasks/get, want 2", detail.Task.ExchangeCount)
	}
}
