package replay

import (
	"encoding/json"
	"errors"
	"net/http"
	"time"

	"github.com/a2aproxy/a2a-proxy/internal/a2awire"
	"github.com/a2aproxy/a2a-proxy/recorder"
)

// streamMessage answers message/stream with the recorded stream.
func (a *Agent) streamMessage(w http.ResponseWriter, r *http.Request, req a2awire.Request, opts Options) {
	cl := a.fixtures().match(req, a.strict, "SendStreamingMessage")
	switch {
	case cl == nil:
		a.noMatch(w, r, req)
	case !cl.sse: // the agent answered with one document, an error most likely
		a.answerRecorded(w, r, req, cl, opts)
	default:
		a.play(w, r, req, cl, opts, nil)
	}
}

// resubscribe continues the task's latest stream after the last event sent.
// v1.0 sends the task as it stands first, as the spec requires; v0.3 sends
// only what remains, and like a2a-go answers a task with nothing left with
// "task not found". A task no stream was replayed for counts as finished.
// The faults asked for apply to the first stream only, so a resubscribe
// after a cut gets the rest.
func (a *Agent) resubscribe(w http.ResponseWriter, r *http.Request, req a2awire.Request, opts Options) {
	cat := a.fixtures()
	rec, ok := cat.tasks[req.TaskID]
	if !ok {
		a.unknownTask(w, r, req)
		return
	}
	pos, ok := a.progress.get(req.TaskID)
	cl := cat.byID[pos.exchangeID]
	if !ok || cl == nil {
		cl = cat.lastStream(req.TaskID)
		if cl != nil {
			pos = position{exchangeID: cl.exchange.ID, next: cl.end()}
		}
	}
	var snapshot []byte
	if req.Version == a2awire.V10 {
		task, ok := taskUpTo(rec, pos, a2awire.V10)
		if !ok {
			a.taskNotFound(w, req, "the recording holds no task snapshot")
			return
		}
		snapshot = envelope(responseID(req), wrapV1("task", task), nil)
	}
	if cl == nil || (snapshot == nil && pos.next >= cl.end()) {
		a.taskNotFound(w, req, "no stream left to resubscribe to")
		return
	}
	a.play(w, r, req, cl, Options{Speed: opts.Speed, From: pos.next}, snapshot)
}

// play streams cl's events from opts.From with req's id, after an optional
// first event, and records how far it got for resubscribes.
func (a *Agent) play(w http.ResponseWriter, r *http.Request, req a2awire.Request, cl *call, opts Options, first []byte) {
	if opts.Fault.Kind == NoFault && cl.endedAbruptly() {
		opts.Fault = Fault{Kind: Cut, Before: cl.end()}
	}
	schedule, err := NewSchedule(cl.events, opts)
	if err != nil {
		a.fail(w, req, newRPCError(req.Version, codeInvalidParams, err.Error()))
		return
	}
	taskID, id := cl.rec.Task.TaskID, responseID(req)
	rc := startStream(w, contentTypeOf(cl))
	if first != nil {
		if err := writeSSEData(w, rc, first); err != nil {
			return
		}
	}
	a.progress.set(taskID, position{exchangeID: cl.exchange.ID, next: opts.From})
	err = schedule.Play(r.Context(), func(step Step, _ time.Time) error {
		if err := writeWithID(w, step.Raw, cl.ids[step.Seq], id); err != nil {
			return err
		}
		// Before the flush: once the client has the event, a resubscribe
		// must not send it again.
		a.progress.set(taskID, position{exchangeID: cl.exchange.ID, next: step.Seq + 1})
		return rc.Flush()
	})
	switch {
	case errors.Is(err, ErrCut):
		CutConnection(w)
	case err != nil:
		a.log.Debug("replay stream ended early", "task_id", taskID, "err", err)
	}
}

func contentTypeOf(cl *call) string {
	if cl.exchange.End != nil {
		return cl.exchange.End.ContentType
	}
	return ""
}

// taskUpTo folds a recording's events in timeline order, up to (not
// including) pos, or all of them for the zero position.
func taskUpTo(rec *recorder.Recording, pos position, version string) (json.RawMessage, bool) {
	fold := newTaskFold(version)
	for _, ev := range rec.Events {
		if ev.ExchangeID == pos.exchangeID && ev.Seq >= pos.next {
			break
		}
		fold.add(ev.Raw)
	}
	return fold.finalTask()
}

// wrapV1 puts a v1.0 object in its StreamResponse member.
func wrapV1(member string, body json.RawMessage) json.RawMessage {
	doc, _ := json.Marshal(map[string]json.RawMessage{member: body}) // a valid body always encodes
	return doc
}
