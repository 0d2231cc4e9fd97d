package builtinagent

import (
	"context"
	"fmt"
	"log/slog"
	"strconv"
	"strings"
	"time"

	"github.com/a2aproject/a2a-go/a2a"
	"github.com/a2aproject/a2a-go/a2asrv"
	"github.com/a2aproject/a2a-go/a2asrv/eventqueue"
)

// progressSteps are the tutorial's progress messages, numbered when sent.
var progressSteps = []string{
	"🚀 Initializing...",
	"📊 Processing your request...",
	"🔍 Analyzing data...",
	"📝 Generating response...",
}

// executor is the tutorial's BasicStreamingExecutor.
type executor struct {
	stepDelay time.Duration
	logger    *slog.Logger
	started   time.Time // origin of loopTime
}

var _ a2asrv.AgentExecutor = (*executor)(nil)

func newExecutor(stepDelay time.Duration, logger *slog.Logger) *executor {
	return &executor{stepDelay: stepDelay, logger: logger, started: time.Now()}
}

// Execute streams the task's progress. a2a-go runs it in a context that is
// cancelled once a final event (such as Cancel's) has been processed, which is
// what stops the loop early.
func (e *executor) Execute(ctx context.Context, reqCtx *a2asrv.RequestContext, queue eventqueue.Queue) error {
	updater := newTaskUpdater(queue, reqCtx)
	if reqCtx.StoredTask == nil {
		if err := updater.Submit(ctx, reqCtx.Message); err != nil {
			return err
		}
	}
	if err := updater.StartWork(ctx); err != nil {
		return err
	}

	input := userInput(reqCtx.Message)
	e.logger.InfoContext(ctx, "processing", "task_id", reqCtx.TaskID, "input", input)

	for i, step := range progressSteps {
		text := fmt.Sprintf("%s (%d/%d)", step, i+1, len(progressSteps))
		msg := updater.NewAgentMessage(a2a.TextPart{Text: text})
		if err := updater.UpdateStatus(ctx, a2a.TaskStateWorking, msg); err != nil {
			return err
		}
		if err := sleep(ctx, e.stepDelay); err != nil {
			return fmt.Errorf("step %d: %w", i+1, err)
		}
	}

	result := fmt.Sprintf("✅ Completed processing: '%s'\n\nProcessed at: %s", input, e.loopTime())
	if err := updater.AddArtifact(ctx, "processing_result", a2a.TextPart{Text: result}); err != nil {
		return err
	}
	return updater.Complete(ctx)
}

// Cancel ends the task as the tutorial does. On a running task a2a-go writes
// this final event into the execution's own queue and then cancels Execute.
func (e *executor) Cancel(ctx context.Context, reqCtx *a2asrv.RequestContext, queue eventqueue.Queue) error {
	updater := newTaskUpdater(queue, reqCtx)
	return updater.Cancel(ctx, updater.NewAgentMessage(a2a.TextPart{Text: "❌ Task was cancelled"}))
}

// loopTime imitates the tutorial's asyncio loop.time(): seconds on a monotonic
// clock with an arbitrary origin (here, when the agent was built), printed the
// way Python prints a float.
func (e *executor) loopTime() string {
	return strconv.FormatFloat(time.Since(e.started).Seconds(), 'f', -1, 64)
}

// userInput joins the text parts of msg, like the Python SDK's get_user_input.
func userInput(msg *a2a.Message) string {
	if msg == nil {
		return ""
	}
	var texts []string
	for _, part := range msg.Parts {
		if text, ok := part.(a2a.TextPart); ok {
			texts = append(texts, text.Text)
		}
	}
	return strings.Join(texts, "\n")
}

// sleep waits for d or until ctx is done, whichever comes first.
func sleep(ctx context.Context, d time.Duration) error {
	if d <= 0 {
		return ctx.Err()
	}
	timer := time.NewTimer(d)
	defer timer.Stop()
	select {
	case <-timer.C:
		return nil
	case <-ctx.Done():
		return context.Cause(ctx)
	}
}
