package ssebench

import (
	"bytes"
	"context"
	"errors"
	"io"
	"net/http"
	"net/http/httputil"
	"net/url"
	"path/filepath"
	"sync/atomic"

	"go.opentelemetry.io/otel/exporters/otlp/otlptrace/otlptracehttp"
	"go.opentelemetry.io/otel/propagation"
	sdktrace "go.opentelemetry.io/otel/sdk/trace"

	"github.com/a2aproxy/a2a-proxy/proxy"
	"github.com/a2aproxy/a2a-proxy/recorder"
	"github.com/a2aproxy/a2a-proxy/recorder/sqlite"
)

// Target is where the load client sends its streams: the upstream itself,
// or a proxy in front of it, in-process on its own loopback server.
type Target struct {
	Name string
	URL  string

	sent   int // events sent through the target so far, warm-ups included
	srv    *server
	proxy  *proxy.Proxy       // nil for direct and bare
	store  *recorder.Recorder // nil when nothing records
	dbPath string
	tracer *tracing // nil when the proxy does not trace

	proc *Process   // the proxy's own process (ProcessTarget), else nil
	rows RowCounter // counts what proc recorded; nil when it records nothing
}

// Direct is the baseline: the client talks to the upstream.
func Direct(up *Upstream) *Target { return &Target{Name: "direct", URL: up.URL} }

// Bare is the floor of any Go proxy: httputil.ReverseProxy alone, with a
// transport sized like a2a-proxy's and the request body read up front.
func Bare(up *Upstream) (*Target, error) {
	u, err := url.Parse(up.URL)
	if err != nil {
		return nil, err
	}
	transport := http.DefaultTransport.(*http.Transport).Clone()
	transport.MaxIdleConns = 1024
	transport.MaxIdleConnsPerHost = 512
	rp := &httputil.ReverseProxy{Rewrite: func(pr *httputil.ProxyRequest) { pr.SetURL(u) }, Transport: transport}
	srv, err := startServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		// Read the request body first, as a2a-proxy does. Streamed, it
		// would still be open to the transport when the response starts,
		// and the server closing it then makes the transport cut the
		// stream (golang/go#40747).
		body, err := io.ReadAll(r.Body)
		if err != nil {
			http.Error(w, err.Error(), http.StatusBadRequest)
			return
		}
		r.Body = io.NopCloser(bytes.NewReader(body))
		rp.ServeHTTP(w, r)
	}))
	if err != nil {
		return nil, err
	}
	return &Target{Name: "bare", URL: srv.URL, srv: srv}, nil
}

// Plain is a2a-proxy recording nothing: the proxy's own cost.
func Plain(up *Upstream) (*Target, error) {
	return startProxy("plain", up, nil, "", nil)
}

// Proxied is a2a-proxy recording in mode into a new SQLite file in dir,
// with the recorder's default queue and batches.
func Proxied(ctx context.Context, name string, up *Upstream, dir string, mode recorder.Mode) (*Target, error) {
	return startRecordingProxy(ctx, name, up, dir, mode, nil)
}

// Traced is Proxied in drop mode with tracing on, as a2a-proxy serve runs
// with OTEL_EXPORTER_OTLP_ENDPOINT set: spans go through the SDK's batch
// span processor and its OTLP/HTTP exporter to a receiver in the process,
// which reads and drops them. Compared with Proxied it gives tracing's cost.
// Without spanEvents the spans carry no a2a.event span events, as with
// --trace-event-limit 0, which tells what the span events cost.
func Traced(ctx context.Context, name string, up *Upstream, dir string, spanEvents bool) (*Target, error) {
	tr, err := startTracing(ctx, spanEvents)
	if err != nil {
		return nil, err
	}
	t, err := startRecordingProxy(ctx, name, up, dir, recorder.ModeDrop, tr)
	if err != nil {
		return nil, errors.Join(err, tr.close(ctx))
	}
	return t, nil
}

func startRecordingProxy(ctx context.Context, name string, up *Upstream, dir string, mode recorder.Mode, tr *tracing) (*Target, error) {
	dbPath := filepath.Join(dir, name+".db")
	store, err := sqlite.OpenRecorder(ctx, dbPath, recorder.Options{Mode: mode})
	if err != nil {
		return nil, err
	}
	t, err := startProxy(name, up, store, dbPath, tr)
	if err != nil {
		return nil, errors.Join(err, store.Close())
	}
	return t, nil
}

func startProxy(name string, up *Upstream, store *recorder.Recorder, dbPath string, tr *tracing) (*Target, error) {
	agent, err := proxy.NewAgent("bench", up.URL)
	if err != nil {
		return nil, err
	}
	// The same propagator with tracing on or off, so that the difference
	// between them is the tracer's.
	opts := proxy.Options{Agents: []proxy.Agent{agent}, Propagator: propagation.TraceContext{}}
	if store != nil {
		opts.Recorder = store // not a typed nil: a nil Recorder records nothing
	}
	t := &Target{Name: name, store: store, dbPath: dbPath, tracer: tr}
	if tr != nil {
		opts.TracerProvider = tr.provider
		if !tr.spanEvents {
			opts.SpanEventLimit = -1
		}
	}
	if t.proxy, err = proxy.New(opts); err != nil {
		return nil, err
	}
	if t.srv, err = startServer(t.proxy); err != nil {
		return nil, err
	}
	t.URL = t.srv.URL
	return t, nil
}

// flushRecorded waits until the proxy has recorded what it was sent (sent
// events over the target's life), and returns its store's count of events
// for a process target.
func (t *Target) flushRecorded(ctx context.Context, sent int) (int64, error) {
	switch {
	case t.proc == nil:
		return 0, t.flush(ctx)
	case t.rows == nil:
		return 0, nil
	}
	return t.waitRecorded(ctx, int64(sent))
}

// flush waits until every event the proxy has handed to the recorder is
// committed and every ended span exported, so that a run's CPU time
// includes that work.
func (t *Target) flush(ctx context.Context) error {
	var errs []error
	if t.store != nil {
		errs = append(errs, t.store.Flush(ctx))
	}
	if t.tracer != nil {
		errs = append(errs, t.tracer.provider.ForceFlush(ctx))
	}
	return errors.Join(errs...)
}

// tracing is a TracerProvider exporting over OTLP/HTTP, and its receiver.
type tracing struct {
	provider   *sdktrace.TracerProvider
	receiver   *server
	received   atomic.Int64 // bytes of the export requests
	spanEvents bool
}

func startTracing(ctx context.Context, spanEvents bool) (*tracing, error) {
	tr := &tracing{spanEvents: spanEvents}
	var err error
	tr.receiver, err = startServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		n, _ := io.Copy(io.Discard, r.Body)
		tr.received.Add(n)
		w.Header().Set("Content-Type", "application/x-protobuf") // no body: an empty ExportTraceServiceResponse
	}))
	if err != nil {
		return nil, err
	}
	exporter, err := otlptracehttp.New(ctx, otlptracehttp.WithEndpointURL(tr.receiver.URL+"/v1/traces"))
	if err != nil {
		return nil, errors.Join(err, tr.receiver.Close())
	}
	limits := sdktrace.NewSpanLimits()
	limits.EventCountLimit = proxy.DefaultSpanEventLimit // as a2a-proxy serve sets it
	tr.provider = sdktrace.NewTracerProvider(sdktrace.WithBatcher(exporter), sdktrace.WithSpanLimits(limits))
	return tr, nil
}

// close exports what is left and stops the receiver.
func (tr *tracing) close(ctx context.Context) error {
	return errors.Join(tr.provider.Shutdown(ctx), tr.receiver.Close())
}

func (t *Target) stats() recorder.Stats {
	if t.store == nil {
		return recorder.Stats{}
	}
	return t.store.Stats()
}

// Close stops the target. A recording proxy closes its store, which
// commits whatever is still queued, and counts what reached the file.
func (t *Target) Close() (Recording, error) {
	if t.proc != nil {
		return t.closeProcess()
	}
	rec := Recording{Sent: t.sent}
	if t.srv == nil {
		return rec, nil // direct: nothing of ours to stop
	}
	err := t.srv.Close()
	if t.proxy != nil {
		t.proxy.Wait()
	}
	if t.tracer != nil {
		err = errors.Join(err, t.tracer.close(context.Background()))
		rec.TraceBytes = t.tracer.received.Load()
	}
	if t.store == nil {
		return rec, err
	}
	if err := errors.Join(err, t.store.Close()); err != nil {
		return rec, err
	}
	return rec.count(t.store.Stats(), t.dbPath)
}
