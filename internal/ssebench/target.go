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

	"github.com/a2aproxy/a2a-proxy/proxy"
	"github.com/a2aproxy/a2a-proxy/recorder"
)

// Target is where the load client sends its streams: the upstream itself,
// or a proxy in front of it, in-process on its own loopback server.
type Target struct {
	Name string
	URL  string

	sent   int // events sent through the target so far, warm-ups included
	srv    *server
	proxy  *proxy.Proxy    // nil for direct and bare
	store  *recorder.Store // nil when nothing records
	dbPath string
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
	return startProxy("plain", up, nil, "")
}

// Proxied is a2a-proxy recording in mode into a new SQLite file in dir,
// with the recorder's default queue and batches.
func Proxied(ctx context.Context, name string, up *Upstream, dir string, mode recorder.Mode) (*Target, error) {
	dbPath := filepath.Join(dir, name+".db")
	store, err := recorder.Open(ctx, dbPath, recorder.Options{Mode: mode})
	if err != nil {
		return nil, err
	}
	t, err := startProxy(name, up, store, dbPath)
	if err != nil {
		return nil, errors.Join(err, store.Close())
	}
	return t, nil
}

func startProxy(name string, up *Upstream, store *recorder.Store, dbPath string) (*Target, error) {
	agent, err := proxy.NewAgent("bench", up.URL)
	if err != nil {
		return nil, err
	}
	opts := proxy.Options{Agents: []proxy.Agent{agent}}
	if store != nil {
		opts.Recorder = store // not a typed nil: a nil Recorder records nothing
	}
	p, err := proxy.New(opts)
	if err != nil {
		return nil, err
	}
	srv, err := startServer(p)
	if err != nil {
		return nil, err
	}
	return &Target{Name: name, URL: srv.URL, srv: srv, proxy: p, store: store, dbPath: dbPath}, nil
}

// flush waits until every event the proxy has handed to the recorder is
// committed.
func (t *Target) flush(ctx context.Context) error {
	if t.store == nil {
		return nil
	}
	return t.store.Flush(ctx)
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
	rec := Recording{Sent: t.sent}
	if t.srv == nil {
		return rec, nil // direct: nothing of ours to stop
	}
	err := t.srv.Close()
	if t.proxy != nil {
		t.proxy.Wait()
	}
	if t.store == nil {
		return rec, err
	}
	if err := errors.Join(err, t.store.Close()); err != nil {
		return rec, err
	}
	return rec.count(t.store.Stats(), t.dbPath)
}
