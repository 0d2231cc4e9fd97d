package builtinagent

import (
	"context"
	"fmt"

	"github.com/a2aproject/a2a-go/a2a"
	"github.com/a2aproject/a2a-go/a2asrv/eventqueue"
)

// taskUpdater writes the events of one task to its queue. It mirrors the
// Python SDK's TaskUpdater that the tutorial uses, so the executor reads like
// the tutorial.
type taskUpdater struct {
	queue eventqueue.Writer
	task  a2a.TaskInfoProvider
}

func newTaskUpdater(queue eventqueue.Writer, task a2a.TaskInfoProvider) *taskUpdater {
	return &taskUpdater{queue: queue, task: task}
}

// Submit announces the task, in the submitted state, with the message that
// started it.
func (u *taskUpdater) Submit(ctx context.Context, initial *a2a.Message) error {
	if err := u.queue.Write(ctx, a2a.NewSubmittedTask(u.task, initial)); err != nil {
		return fmt.Errorf("write submitted task: %w", err)
	}
	return nil
}

// StartWork moves the task to working.
func (u *taskUpdater) StartWork(ctx context.Context) error {
	return u.UpdateStatus(ctx, a2a.TaskStateWorking, nil)
}

// UpdateStatus moves the task to state with an optional message. A terminal
// state is marked final: a2a-go ends the stream only on a final event.
func (u *taskUpdater) UpdateStatus(ctx context.Context, state a2a.TaskState, msg *a2a.Message) error {
	event := a2a.NewStatusUpdateEvent(u.task, state, msg)
	event.Final = state.Terminal()
	if err := u.queue.Write(ctx, event); err != nil {
		return fmt.Errorf("write %s status: %w", state, err)
	}
	return nil
}

// AddArtifact publishes a complete artifact in one chunk.
func (u *taskUpdater) AddArtifact(ctx context.Context, name string, parts ...a2a.Part) error {
	event := a2a.NewArtifactEvent(u.task, parts...)
	event.Artifact.Name = name
	event.LastChunk = true
	if err := u.queue.Write(ctx, event); err != nil {
		return fmt.Errorf("write artifact %q: %w", name, err)
	}
	return nil
}

// Complete ends the task successfully.
func (u *taskUpdater) Complete(ctx context.Context) error {
	return u.UpdateStatus(ctx, a2a.TaskStateCompleted, nil)
}

// Cancel ends the task as canceled, with an optional message.
func (u *taskUpdater) Cancel(ctx context.Context, msg *a2a.Message) error {
	return u.UpdateStatus(ctx, a2a.TaskStateCanceled, msg)
}

// NewAgentMessage returns an agent message that belongs to the task.
func (u *taskUpdater) NewAgentMessage(parts ...a2a.Part) *a2a.Message {
	return a2a.NewMessageForTask(a2a.MessageRoleAgent, u.task, parts...)
}
