package proxy

import (
	"bytes"
	"context"
	"errors"
	"fmt"
	"io"
	"net"
	"net/http"
	"net/http/httputil"
	"net/url"
	"strings"
	"sync/atomic"
	"time"

	"github.com/google/uuid"

	"github.com/a2aproxy/a2a-proxy/internal/a2awire"
	"github.com/a2aproxy/a2a-proxy/recorder"
)

// exchange is the state of one request through the proxy. It lives in the
// request's context so the ReverseProxy hooks can find it.
type exchange struct {
	id         string
	agent      Agent
	in         *http.Request // as the client sent it
	rel        string        // escaped path below the agent's base, as sent upstream
	publicBase *url.URL      // the agent's base URL on the proxy, for card rewriting
	req        a2awire.Request
	body       []byte // the request body, read whole
	card       bool   // the response is an agent card to rewrite
	start      time.Time
	rec        Recorder
	tel        *telemetry
	spans      exchangeSpans // SERVER and CLIENT span

	// Filled as the response goes by (all on the request's goroutine).
	status      int
	contentType string
	tee         *tee
	upstreamErr error // the upstream call failed before a response
	rejected    bool

	// The upstream call's context: its cause tells a timeout from other cuts.
	ctx         context.Context
	cancel      context.CancelCauseFunc
	headerTimer *time.Timer // nil when there is no header timeout
	stops       []func() bool

	// A stream taken off net/http's connection (detach.go).
	hijacker http.Hijacker // the client's HTTP/1.1 connection; nil if it cannot be taken
	conn     net.Conn      // the connection, once taken
	server   *http.Server  // takes conn back after the stream, if it may
	gone     atomic.Bool   // the client left
	closing  atomic.Bool   // the stream is over: conn is closed by the proxy
}

type exchangeKey struct{}

func exchangeFrom(ctx context.Context) *exchange { return ctx.Value(exchangeKey{}).(*exchange) }

// serve proxies one request to agent. prefix is the agent's path on the
// proxy ("" for the default agent at "/").
func (p *Proxy) serve(w http.ResponseWriter, r *http.Request, agent Agent, prefix string) {
	ex := &exchange{
		agent:      agent,
		in:         r,
		rel:        belowPrefix(r.URL.EscapedPath(), prefix),
		publicBase: p.publicBase(r, prefix),
		start:      time.Now(),
		rec:        p.opts.Recorder,
		tel:        p.tel,
	}
	if ex.rel == "" {
		ex.rel = "/"
	}
	if ex.rel == legacyCardPath {
		ex.rel = cardPath
	}
	id, err := uuid.NewV7()
	if err != nil {
		writeJSONRPCError(w, http.StatusInternalServerError, nil, codeInternalError, "internal proxy error")
		return
	}
	ex.id = id.String()

	body, tooLarge, err := readBody(w, r, p.opts.MaxBodyBytes)
	if err != nil && !tooLarge {
		p.log.Debug("read request body", "agent", agent.Name, "err", err)
		return // the client went away while sending
	}
	ex.req = a2awire.ParseRequest(r.Method, ex.rel, r.Header, body)
	ex.card = ex.rel == cardPath || a2awire.V1Method(ex.req.Method) == "GetExtendedAgentCard"
	traceCtx := ex.spans.startServer(r.Context(), p.tel, ex)

	p.open.Add(1)
	ex.rec.StartExchange(ex.record(body, p.opts.MaxRecordedBytes, tooLarge))
	// Deferred so it runs even when ReverseProxy aborts the response with a
	// panic. A detached stream ends on its own goroutine.
	defer func() {
		if ex.conn == nil {
			p.end(ex)
		}
	}()

	if tooLarge {
		ex.rejected = true
		ex.status = http.StatusRequestEntityTooLarge
		writeJSONRPCError(w, ex.status, nil, codeInvalidRequest,
			fmt.Sprintf("request body exceeds %d bytes", p.opts.MaxBodyBytes))
		return
	}

	// The upstream call outlives the handler when its stream is detached,
	// so it is cut on the client leaving, not on the handler returning.
	ctx, cancel := context.WithCancelCause(context.WithValue(context.WithoutCancel(traceCtx), exchangeKey{}, ex))
	ex.ctx, ex.cancel = ctx, cancel
	stopOnLeave := context.AfterFunc(r.Context(), func() { cancel(context.Canceled) })
	stopOnAbort := context.AfterFunc(p.abortCtx, func() { cancel(nil) })
	ex.stops = append(ex.stops, stopOnLeave, stopOnAbort)
	if d := p.opts.UpstreamHeaderTimeout; d > 0 {
		// Our own timer, not the Transport's ResponseHeaderTimeout: the
		// Transport may be the user's.
		ex.headerTimer = time.AfterFunc(d, func() { cancel(p.headerTimeout) })
		ex.stops = append(ex.stops, ex.headerTimer.Stop)
	}
	ex.hijacker = hijacker(w, r)

	out := r.WithContext(ctx)
	ex.body = body
	out.Body = io.NopCloser(bytes.NewReader(body))
	out.ContentLength = int64(len(body))
	p.rp.ServeHTTP(w, out)
	if ex.conn != nil {
		// From here net/http is no longer watching the client: the stream
		// does, and needs nothing of the request.
		stopOnLeave()
		ex.in, ex.body = nil, nil
		go p.stream(ex)
	}
}

// end releases the exchange's timers and records how it ended.
func (p *Proxy) end(ex *exchange) {
	p.finishOnce(ex)
	p.open.Done()
}

func (p *Proxy) finishOnce(ex *exchange) {
	for _, stop := range ex.stops {
		stop()
	}
	if ex.cancel != nil {
		ex.cancel(nil)
	}
	p.finish(ex)
}

func (ex *exchange) getBody() (io.ReadCloser, error) {
	return io.NopCloser(bytes.NewReader(ex.body)), nil
}

// readBody reads the whole request body, up to limit bytes.
func readBody(w http.ResponseWriter, r *http.Request, limit int64) (body []byte, tooLarge bool, err error) {
	body, err = io.ReadAll(http.MaxBytesReader(w, r.Body, limit))
	var maxErr *http.MaxBytesError
	if errors.As(err, &maxErr) {
		return body, true, err
	}
	return body, false, err
}

// rejectedBodyPrefix is what is kept of a body refused as too large: enough
// to tell what the client tried, not megabytes of it in the database.
const rejectedBodyPrefix = 1 << 10

// record is the exchange as it is stored when the request arrives. The
// Recorder wrapper redacts it.
func (ex *exchange) record(body []byte, limit int64, rejected bool) *recorder.Exchange {
	if rejected {
		limit = min(limit, rejectedBodyPrefix)
	}
	truncated := rejected || int64(len(body)) > limit
	if truncated {
		body = body[:min(int64(len(body)), limit)]
	}
	traceID, spanID := ex.spans.ids()
	return &recorder.Exchange{
		ID:                   ex.id,
		Agent:                ex.agent.Name,
		Method:               ex.req.Method,
		ProtocolVersion:      ex.req.Version,
		Binding:              ex.req.Binding,
		HTTPMethod:           ex.in.Method,
		Path:                 ex.in.URL.RequestURI(),
		RequestHeaders:       ex.in.Header,
		RequestBody:          bytes.Clone(body),
		RequestBodyTruncated: truncated,
		RPCID:                string(ex.req.RPCID),
		TaskID:               ex.req.TaskID,
		ContextID:            ex.req.ContextID,
		MessageID:            ex.req.MessageID,
		StartedAt:            ex.start,
		TraceID:              traceID,
		SpanID:               spanID,
	}
}

// rewrite aims the outgoing request at the agent, keeping the path below the
// agent's prefix and the query.
func (p *Proxy) rewrite(pr *httputil.ProxyRequest) {
	ex := exchangeFrom(pr.In.Context())
	target := *ex.agent.URL
	target.RawPath = target.EscapedPath() + ex.rel
	if unescaped, err := url.PathUnescape(target.RawPath); err == nil {
		target.Path = unescaped
	} else {
		target.Path = target.RawPath
	}
	target.RawQuery = pr.In.URL.RawQuery
	pr.Out.URL = &target
	pr.Out.Host = ""
	if len(ex.body) > 0 {
		// ReverseProxy's body wrapper fails reads once the handler returns,
		// as it does for a detached stream, maybe before the transport took
		// its last read. The body is in memory: the transport may read it,
		// and replay it on a retry, whenever it likes.
		pr.Out.Body, _ = ex.getBody()
		pr.Out.GetBody = ex.getBody
	}
	pr.SetXForwarded()
	if ex.card {
		// The card is rewritten, so it must arrive uncompressed; the
		// transport then negotiates and undoes compression itself.
		pr.Out.Header.Del("Accept-Encoding")
	}
	ex.spans.startClient(pr.In.Context(), ex, pr.Out)
}

// modifyResponse starts observing the upstream's response.
func (p *Proxy) modifyResponse(resp *http.Response) error {
	ex := exchangeFrom(resp.Request.Context())
	ex.status = resp.StatusCode
	ex.contentType = resp.Header.Get("Content-Type")
	if ex.card && resp.StatusCode == http.StatusOK {
		// The card is read whole here, so the header timeout covers its body.
		if err := p.rewriteCardResponse(ex, resp); err != nil {
			return err
		}
		return ex.headersArrived()
	}
	if err := ex.headersArrived(); err != nil {
		return err
	}
	streaming := isEventStream(ex.contentType)
	if streaming {
		p.tel.meters.streamOpened(ex.agent.Name)
	}
	ex.tee = newTee(ex, resp.Body, streaming, p.opts.MaxRecordedBytes, p.opts.MaxEventBytes)
	ex.tee.idle = idleWatch{after: p.opts.StreamIdleTimeout, cut: func() { ex.cancel(p.idleTimeout) }}
	if streaming && ex.detach(resp) {
		resp.Body = http.NoBody // ReverseProxy closes this one; stream copies the tee
		// The body may keep resp as long as the stream is open: not what
		// it took to send the head, nor the request.
		resp.Header, resp.Request = nil, nil
		return errDetached
	}
	resp.Body = ex.tee
	return nil
}

// headersArrived stops the header timeout; if it fired first, the response
// is refused as if it never came.
func (ex *exchange) headersArrived() error {
	if ex.headerTimer != nil && !ex.headerTimer.Stop() {
		return context.Cause(ex.ctx)
	}
	return nil
}

func isEventStream(contentType string) bool {
	return strings.HasPrefix(strings.ToLower(strings.TrimSpace(contentType)), "text/event-stream")
}

// handleUpstreamError answers when the agent could not be reached (or its
// response could not be read before the headers were sent).
func (p *Proxy) handleUpstreamError(w http.ResponseWriter, r *http.Request, err error) {
	if err == errDetached {
		return
	}
	ex := exchangeFrom(r.Context())
	ex.upstreamErr = err
	if ex.in.Context().Err() != nil {
		return // the client is gone; nobody to answer
	}
	status, grpcStatus, msg := http.StatusBadGateway, "UNAVAILABLE", fmt.Sprintf("agent %q is unreachable", ex.agent.Name)
	if to, ok := timedOut(r.Context()); ok {
		status, grpcStatus = http.StatusGatewayTimeout, "DEADLINE_EXCEEDED"
		msg = fmt.Sprintf("agent %q sent no response headers within %v", ex.agent.Name, to.after)
		err = to
	} else if p.aborted.Load() {
		status, msg = http.StatusServiceUnavailable, "the proxy is shutting down"
	}
	ex.status = status
	p.log.Warn("upstream call failed", "agent", ex.agent.Name, "exchange", ex.id, "err", err)
	if ex.req.Binding == a2awire.BindingREST {
		writeRESTError(w, status, grpcStatus, msg)
		return
	}
	writeJSONRPCError(w, status, ex.req.RPCID, codeInternalError, msg)
}

// clientLeft reports whether the client went away before the response ended.
func (ex *exchange) clientLeft() bool {
	if ex.conn != nil {
		return ex.gone.Load() // the request's context is over with the handler
	}
	return ex.in.Context().Err() != nil
}

// finish records how the exchange ended, exactly once.
func (p *Proxy) finish(ex *exchange) {
	end := &recorder.ExchangeEnd{
		ExchangeID:  ex.id,
		Status:      ex.status,
		ContentType: ex.contentType,
		EndedAt:     time.Now(),
		Outcome:     recorder.OutcomeCompleted,
	}
	var readErr error
	if t := ex.tee; t != nil {
		t.finish()
		end.Streaming = t.streaming
		end.EventCount = t.seq
		end.DroppedEvents = t.dropped
		readErr = t.readErr
	}
	timeout, isTimeout := timedOut(ex.ctx)
	switch {
	case ex.rejected:
		end.Outcome = recorder.OutcomeRejected
	case ex.clientLeft():
		end.Outcome = recorder.OutcomeClientClosed
	case isTimeout && (ex.upstreamErr != nil || readErr != nil): // before shutdown: the first cut wins
		end.Outcome = recorder.OutcomeUpstreamTimeout
		end.Error = timeout.Error()
	case p.aborted.Load() && (ex.upstreamErr != nil || readErr != nil):
		end.Outcome = recorder.OutcomeShutdown
		end.Error = "cut by proxy shutdown"
	case ex.upstreamErr != nil:
		end.Outcome = recorder.OutcomeUpstreamUnreachable
		end.Error = ex.upstreamErr.Error()
	case readErr != nil:
		end.Outcome = recorder.OutcomeUpstreamError
		end.Error = readErr.Error()
	}
	ex.observeEnd(end)
	ex.rec.FinishExchange(end)
	p.log.Debug("exchange", "id", ex.id, "agent", ex.agent.Name, "method", ex.req.Method,
		"status", end.Status, "outcome", end.Outcome, "events", end.EventCount)
}
