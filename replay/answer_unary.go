package replay

import (
	"cmp"
	"net/http"
	"time"

	"github.com/a2aproxy/a2a-proxy/internal/a2awire"
)

// sendMessage answers message/send with the recorded answer to the same
// message or, when the message was recorded on a stream, with the final
// result of that stream.
func (a *Agent) sendMessage(w http.ResponseWriter, r *http.Request, req a2awire.Request, opts Options) {
	cl := a.fixtures().match(req, a.strict, "SendMessage", "SendStreamingMessage")
	switch {
	case cl == nil:
		a.noMatch(w, r, req)
	case len(cl.events) == 0:
		a.fail(w, req, newRPCError(req.Version, codeNoRecording, "the recorded answer is empty"))
	case !cl.sse:
		a.answerRecorded(w, r, req, cl, opts)
	default:
		a.answerFolded(w, r, req, cl, opts)
	}
}

// answerRecorded answers with a recorded unary body under req's id.
func (a *Agent) answerRecorded(w http.ResponseWriter, r *http.Request, req a2awire.Request, cl *call, opts Options) {
	last := cl.events[len(cl.events)-1]
	a.respondAt(r, opts, last.Offset, func() error {
		w.Header().Set("Content-Type", cmp.Or(contentTypeOf(cl), "application/json"))
		w.WriteHeader(http.StatusOK)
		return writeWithID(w, last.Raw, cl.ids[last.Seq], responseID(req))
	})
}

// answerFolded answers with the task (or message) a recorded stream ends
// with, when the stream's last event came.
func (a *Agent) answerFolded(w http.ResponseWriter, r *http.Request, req a2awire.Request, cl *call, opts Options) {
	fold := newTaskFold(cl.version)
	for _, ev := range cl.events {
		fold.add(ev.Raw)
	}
	result, ok := fold.sendResult()
	if !ok {
		a.fail(w, req, newRPCError(req.Version, codeNoRecording, "the recorded stream holds no task or message"))
		return
	}
	doc := envelope(responseID(req), result, nil)
	a.respondAt(r, opts, cl.events[len(cl.events)-1].Offset, func() error {
		writeJSON(w, doc)
		return nil
	})
}

// respondAt calls respond at the recorded response time divided by the
// speed: a schedule of one step does the waiting.
func (a *Agent) respondAt(r *http.Request, opts Options, offset time.Duration, respond func() error) {
	schedule, err := NewSchedule([]Event{{Offset: offset}}, Options{Speed: opts.Speed})
	if err == nil {
		err = schedule.Play(r.Context(), func(Step, time.Time) error { return respond() })
	}
	if err != nil {
		a.log.Debug("replay answer not sent", "err", err)
	}
}

// getTask answers tasks/get with the task as the recording leaves it.
func (a *Agent) getTask(w http.ResponseWriter, r *http.Request, req a2awire.Request) {
	rec, ok := a.fixtures().tasks[req.TaskID]
	if !ok {
		a.unknownTask(w, r, req)
		return
	}
	task, ok := taskUpTo(rec, position{}, req.Version)
	if !ok {
		a.taskNotFound(w, req, "the recording holds no task snapshot")
		return
	}
	writeJSON(w, envelope(responseID(req), task, nil))
}
