package builtinagent

import (
	"context"
	"fmt"
	"io"
	"log/slog"
	"net/http"
	"net/http/httptest"
	"regexp"
	"slices"
	"strings"
	"testing"
	"time"

	"github.com/a2aproject/a2a-go/a2a"
	"github.com/a2aproject/a2a-go/a2aclient"
	"github.com/a2aproject/a2a-go/a2aclient/agentcard"
)

// resultText is the artifact text for input "Process my data".
var resultText = regexp.MustCompile(`^✅ Completed processing: 'Process my data'\n\nProcessed at: \d+(\.\d+)?$`)

// startAgent serves the agent on a loopback port and returns its base URL.
func startAgent(t *testing.T, stepDelay time.Duration) string {
	t.Helper()
	srv := httptest.NewUnstartedServer(nil)
	url := "http://" + srv.Listener.Addr().String() + "/"
	srv.Config.Handler = NewHandler(Options{
		URL:       url,
		StepDelay: stepDelay,
		Logger:    slog.New(slog.DiscardHandler),
	})
	srv.Start()
	t.Cleanup(srv.Close)
	return url
}

func newClient(t *testing.T, ctx context.Context, baseURL string) *a2aclient.Client {
	t.Helper()
	card, err := agentcard.DefaultResolver.Resolve(ctx, baseURL)
	if err != nil {
		t.Fatalf("resolve card: %v", err)
	}
	client, err := a2aclient.NewFromCard(ctx, card)
	if err != nil {
		t.Fatalf("new client: %v", err)
	}
	t.Cleanup(func() { _ = client.Destroy() })
	return client
}

func userMessage(text string) *a2a.MessageSendParams {
	return &a2a.MessageSendParams{Message: a2a.NewMessage(a2a.MessageRoleUser, a2a.TextPart{Text: text})}
}

// describe reduces an event to what the tutorial's client shows of it.
func describe(event a2a.Event) string {
	switch ev := event.(type) {
	case *a2a.Task:
		return "task " + string(ev.Status.State)
	case *a2a.TaskStatusUpdateEvent:
		s := "status " + string(ev.Status.State)
		if ev.Status.Message != nil {
			s += ": " + messageText(ev.Status.Message.Parts)
		}
		if ev.Final {
			s += " (final)"
		}
		return s
	case *a2a.TaskArtifactUpdateEvent:
		return "artifact " + ev.Artifact.Name
	}
	return fmt.Sprintf("unexpected %T", event)
}

func messageText(parts a2a.ContentParts) string {
	var texts []string
	for _, p := range parts {
		if text, ok := p.(a2a.TextPart); ok {
			texts = append(texts, text.Text)
		}
	}
	return strings.Join(texts, "\n")
}

func TestStreamingMessage(t *testing.T) {
	ctx, cancel := context.WithTimeout(t.Context(), 10*time.Second)
	defer cancel()
	client := newClient(t, ctx, startAgent(t, time.Millisecond))

	var got []string
	var taskIDs, contextIDs []string
	var artifact *a2a.Artifact
	for event, err := range client.SendStreamingMessage(ctx, userMessage("Process my data")) {
		if err != nil {
			t.Fatalf("stream: %v", err)
		}
		got = append(got, describe(event))
		info := event.TaskInfo()
		taskIDs = append(taskIDs, string(info.TaskID))
		contextIDs = append(contextIDs, info.ContextID)
		if ev, ok := event.(*a2a.TaskArtifactUpdateEvent); ok {
			artifact = ev.Artifact
		}
	}

	want := []string{
		"task submitted",
		"status working",
		"status working: 🚀 Initializing... (1/4)",
		"status working: 📊 Processing your request... (2/4)",
		"status working: 🔍 Analyzing data... (3/4)",
		"status working: 📝 Generating response... (4/4)",
		"artifact processing_result",
		"status completed (final)",
	}
	if !slices.Equal(got, want) {
		t.Fatalf("events:\n got %q\nwant %q", got, want)
	}
	if taskIDs[0] == "" || contextIDs[0] == "" || len(slices.Compact(taskIDs)) != 1 || len(slices.Compact(contextIDs)) != 1 {
		t.Errorf("events do not share one task and context: tasks %q, contexts %q", taskIDs, contextIDs)
	}
	if text := messageText(artifact.Parts); !resultText.MatchString(text) {
		t.Errorf("artifact text %q does not match %v", text, resultText)
	}
}

func TestSendMessage(t *testing.T) {
	ctx, cancel := context.WithTimeout(t.Context(), 10*time.Second)
	defer cancel()
	client := newClient(t, ctx, startAgent(t, time.Millisecond))

	result, err := client.SendMessage(ctx, userMessage("Process my data"))
	if err != nil {
		t.Fatalf("send: %v", err)
	}
	task, ok := result.(*a2a.Task)
	if !ok {
		t.Fatalf("result is %T, want *a2a.Task", result)
	}
	if task.Status.State != a2a.TaskStateCompleted {
		t.Errorf("state %q, want completed", task.Status.State)
	}
	if len(task.Artifacts) != 1 || task.Artifacts[0].Name != "processing_result" {
		t.Fatalf("artifacts %+v, want one named processing_result", task.Artifacts)
	}
	if text := messageText(task.Artifacts[0].Parts); !resultText.MatchString(text) {
		t.Errorf("artifact text %q does not match %v", text, resultText)
	}
}

// TestCancelStopsRunningTask uses a step delay far longer than the test's
// deadline: the cancel call can only return in time if it interrupts the
// delay, because a2a-go answers it once Execute has returned.
func TestCancelStopsRunningTask(t *testing.T) {
	ctx, cancel := context.WithTimeout(t.Context(), 10*time.Second)
	defer cancel()
	client := newClient(t, ctx, startAgent(t, time.Minute))

	var got []string
	var canceled *a2a.Task
	for event, err := range client.SendStreamingMessage(ctx, userMessage("Process my data")) {
		if err != nil {
			t.Fatalf("stream: %v", err)
		}
		got = append(got, describe(event))
		if strings.Contains(got[len(got)-1], "(1/4)") {
			canceled, err = client.CancelTask(ctx, &a2a.TaskIDParams{ID: event.TaskInfo().TaskID})
			if err != nil {
				t.Fatalf("cancel: %v", err)
			}
		}
	}

	want := []string{
		"task submitted",
		"status working",
		"status working: 🚀 Initializing... (1/4)",
		"status canceled: ❌ Task was cancelled (final)",
	}
	if !slices.Equal(got, want) {
		t.Fatalf("events:\n got %q\nwant %q", got, want)
	}
	if canceled == nil || canceled.Status.State != a2a.TaskStateCanceled {
		t.Errorf("cancel answered %+v, want a canceled task", canceled)
	}
}

func TestCard(t *testing.T) {
	ctx, cancel := context.WithTimeout(t.Context(), 10*time.Second)
	defer cancel()
	baseURL := startAgent(t, time.Millisecond)

	for _, path := range []string{"/.well-known/agent-card.json", "/.well-known/agent.json"} {
		t.Run(path, func(t *testing.T) {
			card, err := agentcard.DefaultResolver.Resolve(ctx, baseURL, agentcard.WithPath(path))
			if err != nil {
				t.Fatalf("resolve: %v", err)
			}
			checks := []struct {
				field     string
				got, want any
			}{
				{"name", card.Name, "Basic Streaming Agent"},
				{"description", card.Description, "Demonstrates A2A streaming with real-time updates"},
				{"url", card.URL, baseURL},
				{"version", card.Version, "1.0.0"},
				{"protocolVersion", card.ProtocolVersion, "0.3.0"},
				{"preferredTransport", card.PreferredTransport, a2a.TransportProtocolJSONRPC},
				{"capabilities.streaming", card.Capabilities.Streaming, true},
				{"capabilities.pushNotifications", card.Capabilities.PushNotifications, false},
				{"skills", len(card.Skills), 0},
				{"defaultInputModes", strings.Join(card.DefaultInputModes, ","), "text/plain"},
				{"defaultOutputModes", strings.Join(card.DefaultOutputModes, ","), "text/plain"},
			}
			for _, c := range checks {
				if c.got != c.want {
					t.Errorf("%s = %v, want %v", c.field, c.got, c.want)
				}
			}
		})
	}
}

func TestCardJSONListsSkills(t *testing.T) {
	resp, err := http.Get(startAgent(t, time.Millisecond) + ".well-known/agent-card.json")
	if err != nil {
		t.Fatal(err)
	}
	defer resp.Body.Close()
	body, err := io.ReadAll(resp.Body)
	if err != nil {
		t.Fatal(err)
	}
	if !strings.Contains(string(body), `"skills":[]`) {
		t.Errorf("card %s: want an empty skills array, not null", body)
	}
}

func TestStepDelayZeroValues(t *testing.T) {
	tests := []struct {
		in, want time.Duration
	}{
		{0, DefaultStepDelay},
		{-1, 0},
		{5 * time.Millisecond, 5 * time.Millisecond},
	}
	for _, tt := range tests {
		if got := (Options{StepDelay: tt.in}).stepDelay(); got != tt.want {
			t.Errorf("stepDelay(%v) = %v, want %v", tt.in, got, tt.want)
		}
	}
}
