package replay

import (
	"cmp"
	"fmt"
	"net/http"
	"os"
	"sync"

	"github.com/a2aproxy/a2a-proxy/proxy"
	"github.com/a2aproxy/a2a-proxy/recorder"
	"github.com/gin-gonic/gin"
)

// LiveAgentName names the agent of the exchanges recorded by RecordMissing.
const LiveAgentName = "live"

// RecordMissing is where an Agent sends the requests its recordings do not
// answer (go-vcr's "new episodes").
type RecordMissing struct {
	// URL is the live agent's base URL, as serve's --agent takes it.
	// Required.
	URL string
	// File is the NDJSON fixture file each new recording is appended to, in
	// the export format; it is created if missing. If empty, the new
	// recordings last as long as the Agent.
	File string
}

// liveAgent forwards requests through the proxy's data plane, which streams
// them through as it does for its own clients (and redacts what it
// records), and keeps each complete answer as a recording.
type liveAgent struct {
	proxy *proxy.Proxy
	file  *fixtureFile // nil: not kept on disk
	agent *Agent       // where the recordings go

	mu   sync.Mutex
	open map[string]*recorder.Recording // by exchange id, until it ends
}

func newLiveAgent(opts RecordMissing, agent *Agent) (*liveAgent, error) {
	upstream, err := proxy.NewAgent(LiveAgentName, opts.URL)
	if err != nil {
		return nil, fmt.Errorf("record missing: %w", err)
	}
	// gin's debug mode prints every route of the proxy at startup, in the
	// tests of Go users too; GIN_MODE still wins when set (as web.New).
	if os.Getenv(gin.EnvGinMode) == "" {
		gin.SetMode(gin.ReleaseMode)
	}
	l := &liveAgent{agent: agent, open: make(map[string]*recorder.Recording)}
	if opts.File != "" {
		l.file = &fixtureFile{path: opts.File}
	}
	l.proxy, err = proxy.New(proxy.Options{
		Agents:         []proxy.Agent{upstream},
		Recorder:       l,
		TrustForwarded: agent.trust,
		Logger:         agent.log,
	})
	if err != nil {
		return nil, fmt.Errorf("record missing: %w", err)
	}
	return l, nil
}

// ServeHTTP forwards a request the recordings do not answer. By the time it
// returns, the exchange is recorded (the proxy finishes it before), so the
// client that sends the same request once it has the answer gets a replay.
func (l *liveAgent) ServeHTTP(w http.ResponseWriter, r *http.Request) {
	out := r.Clone(r.Context())
	out.URL.RawQuery = "" // the replay's options, not the agent's
	out.RequestURI = ""
	l.proxy.ServeHTTP(w, out)
}

// StartExchange, RecordEvent and FinishExchange make liveAgent the proxy's
// Recorder: they assemble one exchange's recording.
func (l *liveAgent) StartExchange(x *recorder.Exchange) {
	rec := &recorder.Recording{Exchanges: []recorder.RecordedExchange{{Exchange: *x}}}
	l.mu.Lock()
	l.open[x.ID] = rec
	l.mu.Unlock()
}

func (l *liveAgent) RecordEvent(ev *recorder.Event) bool {
	l.mu.Lock()
	defer l.mu.Unlock()
	if rec := l.open[ev.ExchangeID]; rec != nil {
		rec.Events = append(rec.Events, *ev)
	}
	return true
}

func (l *liveAgent) FinishExchange(end *recorder.ExchangeEnd) {
	l.mu.Lock()
	rec := l.open[end.ExchangeID]
	delete(l.open, end.ExchangeID)
	l.mu.Unlock()
	if rec == nil {
		return
	}
	rec.Exchanges[0].End = end
	x := &rec.Exchanges[0]
	if why := unkept(rec); why != "" {
		l.agent.log.Warn("replay: live answer not recorded", "method", x.Method, "why", why)
		return
	}
	finishRecording(rec)
	if newCall(rec, x) == nil {
		return // a card or REST call: nothing a replay answers
	}
	if l.file != nil {
		if err := l.file.append(rec); err != nil {
			l.agent.log.Error("replay: append recording", "file", l.file.path, "err", err)
		} else {
			l.agent.log.Info("replay: recorded a missing request", "method", x.Method, "file", l.file.path)
		}
	}
	l.agent.add(rec)
}

// unkept tells why an exchange is not a recording to replay: only a whole,
// successful answer is; another try may get one.
func unkept(rec *recorder.Recording) string {
	x := &rec.Exchanges[0]
	switch {
	case x.End.Outcome != recorder.OutcomeCompleted:
		return "outcome " + x.End.Outcome
	case x.End.Status < 200 || x.End.Status > 299:
		return fmt.Sprintf("HTTP status %d", x.End.Status)
	case x.RequestBodyTruncated:
		return "request body truncated"
	case x.End.DroppedEvents > 0:
		return "events dropped"
	}
	for _, ev := range rec.Events {
		if ev.Flag == recorder.FlagOversized {
			return "an event is oversized"
		}
	}
	return ""
}

// finishRecording fills in the task as an export would, and writes times in
// UTC, as the store reads them: the recording then exports the same bytes
// after a round trip through a file or a database. An answer that names no
// task (an error) is filed under its exchange's id.
func finishRecording(rec *recorder.Recording) {
	x := &rec.Exchanges[0]
	x.StartedAt = x.StartedAt.UTC()
	x.End.EndedAt = x.End.EndedAt.UTC()
	task := recorder.RecordedTask{TaskID: x.TaskID, ContextID: x.ContextID, Agent: x.Agent}
	for i := range rec.Events {
		ev := &rec.Events[i]
		ev.At = ev.At.UTC()
		if task.TaskID == "" {
			task.TaskID = ev.TaskID
		}
		task.ContextID = cmp.Or(task.ContextID, ev.ContextID)
		task.State = cmp.Or(ev.State, task.State)
	}
	task.TaskID = cmp.Or(task.TaskID, x.ID)
	rec.Task = task
}
