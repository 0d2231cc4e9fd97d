package web

import (
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"log/slog"
	"mime"
	"net/http"
	"strconv"
	"time"

	"github.com/gin-gonic/gin"
	"github.com/tmaxmax/go-sse"

	"github.com/a2aproxy/a2a-proxy/internal/forwarded"
	"github.com/a2aproxy/a2a-proxy/recorder"
	"github.com/a2aproxy/a2a-proxy/replay"
)

// Recordings is what replay and export read.
type Recordings interface {
	Recording(ctx context.Context, taskID string) (*recorder.Recording, error)
	ContextRecordings(ctx context.Context, contextID string) ([]*recorder.Recording, error)
}

var _ Recordings = recorder.Reader(nil)

// replayRoutes serves replays and exports of recordings.
type replayRoutes struct {
	recordings Recordings
	progress   replay.Progress // of the /replay/ agents, across requests
	log        *slog.Logger
	trust      forwarded.Trust
}

// routeReplay adds, when there are recordings to read:
//   - GET /api/tasks/{taskId}/replay: the task's events as an event stream,
//   - GET /api/tasks/{taskId}/export and /api/contexts/{contextId}/export:
//     NDJSON recordings for `a2a-proxy import` and fixtures,
//   - /replay/{taskId}/: the task as an A2A agent.
func (s *Server) routeReplay(recordings Recordings) {
	if recordings == nil {
		return
	}
	rr := &replayRoutes{recordings: recordings, log: s.log, trust: s.trust}
	s.api.GET("/tasks/:taskId/replay", rr.streamTask)
	s.api.GET("/tasks/:taskId/export", rr.exportTask)
	s.api.GET("/contexts/:contextId/export", rr.exportContext)
	agents := s.Protected("/replay")
	agents.Any("/:taskId", rr.serveAgent)
	agents.Any("/:taskId/*rest", rr.serveAgent)
}

// streamTask serves GET /api/tasks/{taskId}/replay?speed=&from=&to=&cut=&stall=&exchange=:
// the task's events (as GET /api/tasks/{taskId} shows them) at their recorded
// pace divided by speed, each with its sequence number as SSE id: its
// position in the task's events, or with exchange=ID, its seq in that
// exchange. A browser's EventSource that reconnects with Last-Event-ID
// resumes after it, and gets 204 (which stops it) once nothing is left; the
// replay ends with an "end" event. cut and stall apply to the first request
// only.
func (rr *replayRoutes) streamTask(c *gin.Context) {
	opts, err := replay.ParseQuery(c.Request.URL.Query())
	if err != nil {
		_ = c.Error(fmt.Errorf("%w: %v", ErrBadRequest, err))
		return
	}
	taskID := c.Param("taskId")
	rec, err := rr.recordings.Recording(c.Request.Context(), taskID)
	if err != nil {
		_ = c.Error(err)
		return
	}
	events, docs, err := timelineOf(rec, c.Query("exchange"))
	if err != nil {
		_ = c.Error(err)
		return
	}
	session, err := sse.Upgrade(c.Writer, c.Request)
	if err != nil {
		_ = c.Error(err)
		return
	}
	resumed := session.LastEventID.IsSet()
	if resumed {
		last, err := strconv.Atoi(session.LastEventID.String())
		if err != nil {
			_ = c.Error(fmt.Errorf("%w: Last-Event-ID %q is no sequence number", ErrBadRequest, session.LastEventID))
			return
		}
		opts.From, opts.Fault = max(opts.From, last+1), replay.Fault{}
	}
	schedule, err := replay.NewSchedule(events, opts)
	if err != nil {
		_ = c.Error(fmt.Errorf("%w: %v", ErrBadRequest, err))
		return
	}
	if resumed && len(schedule.Steps) == 0 {
		c.Status(http.StatusNoContent) // EventSource does not reconnect after a 204
		return
	}
	_ = http.NewResponseController(c.Writer).SetWriteDeadline(time.Time{}) // as long as the recording
	c.Header("Cache-Control", "no-store")
	if err := session.Flush(); err != nil { // the headers, before the first event is due
		return
	}
	sent := 0
	err = schedule.Play(c.Request.Context(), func(step replay.Step, _ time.Time) error {
		data, err := json.Marshal(docs[step.Seq])
		if err != nil {
			return err
		}
		msg := &sse.Message{ID: sse.ID(strconv.Itoa(step.Seq))}
		msg.AppendData(string(data))
		if err := session.Send(msg); err != nil {
			return err
		}
		sent++
		return session.Flush()
	})
	switch {
	case err == nil:
		end := &sse.Message{Type: sse.Type("end")}
		end.AppendData(fmt.Sprintf(`{"sent":%d}`, sent))
		if session.Send(end) == nil {
			_ = session.Flush()
		}
	case errors.Is(err, replay.ErrCut):
		replay.CutConnection(c.Writer)
	default:
		rr.log.Debug("replay stream ended early", "task_id", taskID, "err", err)
	}
}

// timelineOf returns the events to replay, the whole task's or one
// exchange's, and their documents by sequence number.
func timelineOf(rec *recorder.Recording, exchangeID string) ([]replay.Event, map[int]recorder.EventDoc, error) {
	all := rec.EventDocs()
	docs := make(map[int]recorder.EventDoc, len(all))
	if exchangeID == "" {
		for i, doc := range all {
			docs[i] = doc
		}
		return replay.TaskTimeline(rec), docs, nil
	}
	events, ok := replay.ExchangeTimeline(rec, exchangeID)
	if !ok {
		return nil, nil, fmt.Errorf("exchange %s of task %s: %w", exchangeID, rec.Task.TaskID, recorder.ErrNotFound)
	}
	for _, doc := range all {
		if doc.ExchangeID == exchangeID {
			docs[doc.Seq] = doc
		}
	}
	return events, docs, nil
}

// exportTask serves GET /api/tasks/{taskId}/export: the task's recording.
func (rr *replayRoutes) exportTask(c *gin.Context) {
	taskID := c.Param("taskId")
	rec, err := rr.recordings.Recording(c.Request.Context(), taskID)
	if err != nil {
		_ = c.Error(err)
		return
	}
	rr.writeExport(c, "task-"+taskID, rec)
}

// exportContext serves GET /api/contexts/{contextId}/export: the recordings
// of every task of the context, oldest first.
func (rr *replayRoutes) exportContext(c *gin.Context) {
	contextID := c.Param("contextId")
	recs, err := rr.recordings.ContextRecordings(c.Request.Context(), contextID)
	if err != nil {
		_ = c.Error(err)
		return
	}
	rr.writeExport(c, "context-"+contextID, recs...)
}

func (rr *replayRoutes) writeExport(c *gin.Context, name string, recs ...*recorder.Recording) {
	c.Header("Content-Type", "application/x-ndjson")
	c.Header("Content-Disposition", mime.FormatMediaType("attachment", map[string]string{"filename": name + ".ndjson"}))
	c.Status(http.StatusOK)
	if err := recorder.WriteRecordings(c.Writer, recs...); err != nil {
		rr.log.Debug("export not sent", "name", name, "err", err) // the client left: headers are out
	}
}

// serveAgent serves /replay/{taskId}/...: the task as an A2A agent, read
// afresh on each request so that a task still being recorded replays whole.
func (rr *replayRoutes) serveAgent(c *gin.Context) {
	taskID := c.Param("taskId")
	rec, err := rr.recordings.Recording(c.Request.Context(), taskID)
	if err != nil {
		_ = c.Error(err)
		return
	}
	agent, err := replay.NewAgent(replay.AgentOptions{
		Recordings: []*recorder.Recording{rec},
		Prefix:     "/replay/" + taskID,
		Name:       "Replay of " + rec.Task.Agent + " task " + taskID,
		Progress:   &rr.progress,
		Logger:     rr.log,

		TrustForwarded: rr.trust,
	})
	if errors.Is(err, replay.ErrNothingToReplay) {
		_ = c.Error(fmt.Errorf("replay task %s: %v: %w", taskID, err, recorder.ErrNotFound))
		return
	}
	if err != nil {
		_ = c.Error(err)
		return
	}
	agent.ServeHTTP(c.Writer, c.Request)
}
