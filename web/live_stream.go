package web

import (
	"encoding/json"
	"errors"
	"net/http"
	"time"

	"github.com/gin-gonic/gin"
	"github.com/tmaxmax/go-sse"

	"github.com/a2aproxy/a2a-proxy/recorder"
)

// liveRetry is how long a browser waits before reconnecting a stream that
// ended, for instance because it fell behind and was dropped.
const liveRetry = 2 * time.Second

// liveEvent is one message of /api/live: the event as GET /api/tasks/{id}
// shows it, and the agent it came from.
type liveEvent struct {
	recorder.EventDoc
	Agent string `json:"agent"`
}

// liveFilter selects the events of one stream; empty fields match all.
type liveFilter struct {
	taskID, contextID, agent string
}

func (f liveFilter) matches(ev *recorder.Event) bool {
	return (f.taskID == "" || f.taskID == ev.TaskID) &&
		(f.contextID == "" || f.contextID == ev.ContextID) &&
		(f.agent == "" || f.agent == ev.Agent)
}

// routeLive adds GET /api/live when there is a feed to serve.
func (s *Server) routeLive() {
	if s.ui.feed != nil {
		s.api.GET("/live", s.live)
	}
}

// live serves GET /api/live?taskId=&contextId=&agent=: a text/event-stream
// of the events recorded from now on, one JSON message each, with a comment
// every heartbeat so that idle proxies in between keep it open.
func (s *Server) live(c *gin.Context) {
	filter := liveFilter{taskID: c.Query("taskId"), contextID: c.Query("contextId"), agent: c.Query("agent")}
	session, err := sse.Upgrade(c.Writer, c.Request)
	if err != nil {
		_ = c.Error(err)
		return
	}
	// A stream lasts longer than any write timeout the server may have.
	if err := http.NewResponseController(c.Writer).SetWriteDeadline(time.Time{}); err != nil && !errors.Is(err, http.ErrNotSupported) {
		_ = c.Error(err)
		return
	}
	c.Header("Cache-Control", "no-store")
	c.Header("X-Accel-Buffering", "no") // nginx: do not buffer the stream

	sub := s.ui.feed.subscribe()
	defer s.ui.feed.unsubscribe(sub)
	hello := &sse.Message{Retry: liveRetry} // sent at once: the browser sees the stream open
	hello.AppendComment("live")
	if send(session, hello) != nil {
		return
	}
	heartbeat := time.NewTicker(s.ui.heartbeat)
	defer heartbeat.Stop()
	for {
		select {
		case <-c.Request.Context().Done():
			return
		case batch, ok := <-sub.batches:
			if !ok {
				s.log.Debug("live stream dropped: fell behind", "remote", c.Request.RemoteAddr)
				return
			}
			if sendBatch(session, batch, filter) != nil {
				return
			}
		case <-heartbeat.C:
			ping := &sse.Message{}
			ping.AppendComment("keep-alive")
			if send(session, ping) != nil {
				return
			}
		}
	}
}

// sendBatch writes the batch's events that match, then flushes once.
func sendBatch(session *sse.Session, batch []recorder.Event, filter liveFilter) error {
	sent := false
	for i := range batch {
		ev := &batch[i]
		if !filter.matches(ev) {
			continue
		}
		data, err := json.Marshal(newLiveEvent(ev))
		if err != nil {
			return err
		}
		msg := &sse.Message{}
		msg.AppendData(string(data))
		if err := session.Send(msg); err != nil {
			return err
		}
		sent = true
	}
	if !sent {
		return nil
	}
	return session.Flush()
}

func send(session *sse.Session, msg *sse.Message) error {
	if err := session.Send(msg); err != nil {
		return err
	}
	return session.Flush()
}

func newLiveEvent(ev *recorder.Event) liveEvent {
	return liveEvent{Agent: ev.Agent, EventDoc: ev.Doc()}
}
