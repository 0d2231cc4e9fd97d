package proxy

import (
	"context"
	"net/http"
	"slices"
	"strconv"

	"go.opentelemetry.io/otel/attribute"
	"go.opentelemetry.io/otel/codes"
	"go.opentelemetry.io/otel/propagation"
	"go.opentelemetry.io/otel/trace"

	"github.com/a2aproxy/a2a-proxy/recorder"
)

// maxTaskIDs bounds a2a.task.ids for a stream that names many tasks.
const maxTaskIDs = 32

// exchangeSpans are the spans of one exchange: SERVER for the client's
// request, CLIENT for the upstream call. Both live on the request's
// goroutine. When the SERVER span does not record (no tracer configured, or
// sampled out), nothing below builds an attribute.
type exchangeSpans struct {
	tel       *telemetry
	server    trace.Span
	client    trace.Span // nil until the upstream call starts
	recording bool

	// What the response taught the spans, as last set on the SERVER span.
	taskID, contextID, state string
	tasks                    []string // every task named, once there is more than one
	rpcErrorCode             string   // of the first JSON-RPC error in the response
	events, omitted          int      // span events added, and left out over the limit

	// Reused for every event: the SDK copies what it keeps. Made by the
	// first event of a recording span, so that an exchange not traced (or
	// an idle stream) does not carry them.
	scratch *eventScratch
}

type eventScratch struct {
	attrs [8]attribute.KeyValue
	opts  [2]trace.EventOption
}

// startServer starts the SERVER span, continuing the trace context the
// client sent, and returns the context to run the upstream call in.
func (s *exchangeSpans) startServer(ctx context.Context, tel *telemetry, ex *exchange) context.Context {
	s.tel = tel
	ctx = tel.propagator.Extract(ctx, propagation.HeaderCarrier(ex.in.Header))
	ctx, s.server = tel.tracer.Start(ctx, spanName(ex),
		trace.WithSpanKind(trace.SpanKindServer), trace.WithTimestamp(ex.start))
	s.recording = s.server.IsRecording()
	if !s.recording {
		return ctx
	}
	s.server.SetAttributes(serverAttributes(ex)...)
	s.taskID, s.contextID = ex.req.TaskID, ex.req.ContextID
	if s.taskID != "" {
		s.linkTask(s.taskID)
	}
	return ctx
}

// startClient starts the CLIENT span of the upstream call out, a child of the
// SERVER span in ctx, and passes its trace context on to the agent.
func (s *exchangeSpans) startClient(ctx context.Context, ex *exchange, out *http.Request) {
	ctx, s.client = s.tel.tracer.Start(ctx, spanName(ex), trace.WithSpanKind(trace.SpanKindClient))
	s.tel.propagator.Inject(ctx, propagation.HeaderCarrier(out.Header))
	if s.client.IsRecording() {
		s.client.SetAttributes(clientAttributes(ex, out.URL)...)
	}
}

// ids are the trace and span id to record with the exchange, so the UI can
// link to the trace: none for a trace sampled out, which nobody exports.
// Without a tracer of its own the proxy still records the trace id the
// client sent, but no span id, as the span is not the proxy's.
func (s *exchangeSpans) ids() (traceID, spanID string) {
	sc := s.server.SpanContext()
	if !sc.IsSampled() {
		return "", ""
	}
	if s.recording {
		spanID = sc.SpanID().String()
	}
	return sc.TraceID().String(), spanID
}

// event adds an a2a.event span event, up to the limit, and sets the ids and
// state the event names on the SERVER span.
func (s *exchangeSpans) event(ev *recorder.Event) {
	if !s.recording {
		return
	}
	s.learn(ev)
	if s.events >= s.tel.eventLimit {
		s.omitted++
		return
	}
	s.events++
	if s.scratch == nil {
		s.scratch = new(eventScratch)
	}
	attrs := append(s.scratch.attrs[:0], keyEventKind.String(eventKind(ev)), keyEventSeq.Int(ev.Seq), keyEventSize.Int(len(ev.Raw)))
	if ev.State != "" {
		attrs = append(attrs, keyTaskState.String(v1State(ev.State)))
	}
	if ev.Final {
		attrs = append(attrs, keyEventFinal.Bool(true))
	}
	if ev.ArtifactID != "" {
		attrs = append(attrs, keyArtifactID.String(ev.ArtifactID))
	}
	if ev.TaskID != "" && ev.TaskID != s.taskID {
		attrs = append(attrs, keyTaskID.String(ev.TaskID))
	}
	if ev.Flag != "" {
		attrs = append(attrs, keyEventFlag.String(ev.Flag))
	}
	opts := append(s.scratch.opts[:0], trace.WithTimestamp(ev.At), trace.WithAttributes(attrs...))
	s.server.AddEvent(eventName, opts...)
}

// learn sets what an event tells about the exchange's task on the SERVER
// span, only when it changes: a2a.task.id from the first task named,
// gen_ai.conversation.id, and a2a.task.state of that task.
func (s *exchangeSpans) learn(ev *recorder.Event) {
	if ev.TaskID != "" && ev.TaskID != s.taskID {
		s.learnTask(ev.TaskID)
	}
	if ev.ContextID != "" && ev.ContextID != s.contextID {
		s.contextID = ev.ContextID
		s.server.SetAttributes(keyConversationID.String(ev.ContextID))
	}
	if ev.State != "" && ev.State != s.state && (ev.TaskID == "" || ev.TaskID == s.taskID) {
		s.state = ev.State
		s.server.SetAttributes(keyTaskState.String(v1State(ev.State)))
	}
}

// learnTask takes note of a task named mid-stream other than the span's.
func (s *exchangeSpans) learnTask(taskID string) {
	if s.taskID == "" {
		s.taskID = taskID
		s.server.SetAttributes(keyTaskID.String(taskID))
		s.linkTask(taskID)
		return
	}
	if slices.Contains(s.tasks, taskID) || len(s.tasks) >= maxTaskIDs {
		return
	}
	if len(s.tasks) == 0 {
		s.tasks = append(s.tasks, s.taskID)
	}
	s.tasks = append(s.tasks, taskID)
	s.linkTask(taskID)
}

// linkTask links the SERVER span to the first exchange of the task, or makes
// it that first exchange.
func (s *exchangeSpans) linkTask(taskID string) {
	own := s.server.SpanContext()
	if first, seen := s.tel.links.firstOrRemember(taskID, own); seen && !first.Equal(own) {
		s.server.AddLink(trace.Link{SpanContext: first, Attributes: []attribute.KeyValue{keyTaskID.String(taskID)}})
	}
}

// rpcError notes a JSON-RPC error the agent answered with.
func (s *exchangeSpans) rpcError(code int) {
	if s.rpcErrorCode != "" || !s.recording {
		return
	}
	s.rpcErrorCode = strconv.Itoa(code)
	s.server.SetAttributes(keyRPCStatusCode.String(s.rpcErrorCode))
}

// end ends the CLIENT span (the upstream body is done by now) and then the
// SERVER span, with what the exchange's end tells.
func (s *exchangeSpans) end(ex *exchange, end *recorder.ExchangeEnd) {
	if s.client != nil {
		if s.client.IsRecording() {
			s.endClient(ex, end)
		}
		s.client.End()
	}
	if s.recording {
		attrs := []attribute.KeyValue{keyOutcome.String(end.Outcome), keyEventCount.Int(end.EventCount)}
		if end.Status != 0 {
			attrs = append(attrs, keyHTTPStatusCode.Int(end.Status))
		}
		if len(s.tasks) > 1 {
			attrs = append(attrs, keyTaskIDs.StringSlice(s.tasks))
		}
		if s.omitted > 0 {
			attrs = append(attrs, keyEventsOmitted.Int(s.omitted))
		}
		if end.DroppedEvents > 0 {
			attrs = append(attrs, keyEventsDropped.Int(end.DroppedEvents))
		}
		s.server.SetAttributes(attrs...)
		setError(s.server, errorType(end.Outcome, s.rpcErrorCode, end.Status, http.StatusInternalServerError), end.Error)
	}
	s.server.End(trace.WithTimestamp(end.EndedAt))
}

// endClient sets what the upstream call came to on the CLIENT span,
// including the ids the stream taught the SERVER span.
func (s *exchangeSpans) endClient(ex *exchange, end *recorder.ExchangeEnd) {
	attrs := []attribute.KeyValue{keyOutcome.String(end.Outcome)}
	status := 0
	if ex.upstreamErr == nil && ex.status != 0 {
		status = ex.status // the agent's, not one the proxy made up
		attrs = append(attrs, keyHTTPStatusCode.Int(status))
	}
	if s.taskID != "" {
		attrs = append(attrs, keyTaskID.String(s.taskID))
	}
	if s.contextID != "" {
		attrs = append(attrs, keyConversationID.String(s.contextID))
	}
	if s.state != "" {
		attrs = append(attrs, keyTaskState.String(v1State(s.state)))
	}
	if s.rpcErrorCode != "" {
		attrs = append(attrs, keyRPCStatusCode.String(s.rpcErrorCode))
	}
	s.client.SetAttributes(attrs...)
	setError(s.client, errorType(end.Outcome, s.rpcErrorCode, status, http.StatusBadRequest), end.Error)
}

// errorType classifies a failed exchange for error.type: the outcome when the
// agent could not be reached or broke off, else the JSON-RPC error code, else
// an HTTP status of at least minStatus (500 for SERVER spans, 400 for CLIENT
// spans, as the HTTP conventions say). "" means no error; a client that went
// away is none.
func errorType(outcome, rpcCode string, status, minStatus int) string {
	switch outcome {
	case recorder.OutcomeUpstreamUnreachable, recorder.OutcomeUpstreamError, recorder.OutcomeUpstreamTimeout,
		recorder.OutcomeProxyError, recorder.OutcomeShutdown:
		return outcome
	}
	switch {
	case rpcCode != "":
		return rpcCode
	case status >= minStatus:
		return strconv.Itoa(status)
	}
	return ""
}

func setError(span trace.Span, errType, description string) {
	if errType == "" {
		return
	}
	span.SetAttributes(keyErrorType.String(errType))
	span.SetStatus(codes.Error, description)
}
