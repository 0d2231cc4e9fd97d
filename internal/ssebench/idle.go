package ssebench

import (
	"bufio"
	"cmp"
	"context"
	"errors"
	"fmt"
	"io"
	"net"
	"net/http"
	"strings"
	"sync"
	"time"
)

// IdleUpstream is an agent whose streams go quiet: every POST gets the
// event-stream headers and one event, then nothing until the client leaves
// or the upstream is closed, as an agent waiting on a slow tool does.
type IdleUpstream struct {
	URL    string
	srv    *server
	opened chan struct{} // one value per stream whose event is flushed
	stop   chan struct{}
}

// StartIdleUpstream serves an IdleUpstream on a loopback port until Close.
func StartIdleUpstream() (*IdleUpstream, error) {
	u := &IdleUpstream{opened: make(chan struct{}, 1<<16), stop: make(chan struct{})}
	srv, err := startServer(http.HandlerFunc(u.serve))
	if err != nil {
		return nil, fmt.Errorf("start idle upstream: %w", err)
	}
	u.srv, u.URL = srv, srv.URL
	return u, nil
}

func (u *IdleUpstream) serve(w http.ResponseWriter, r *http.Request) {
	if _, err := io.Copy(io.Discard, r.Body); err != nil {
		return
	}
	w.Header().Set("Content-Type", "text/event-stream")
	w.Header().Set("Cache-Control", "no-cache")
	w.WriteHeader(http.StatusOK)
	w.Write(newEventEncoder("idle", 400).append(nil, 0, false, monoNow()))
	if err := http.NewResponseController(w).Flush(); err != nil {
		return
	}
	u.opened <- struct{}{}
	select {
	case <-r.Context().Done():
	case <-u.stop:
	}
}

// Close ends every stream still open and stops the upstream.
func (u *IdleUpstream) Close() error {
	close(u.stop)
	return u.srv.Close()
}

// IdleStreams are message/stream calls held open by a client, each on its
// own connection, each having read its first event.
type IdleStreams struct {
	client *http.Client
	mu     sync.Mutex
	bodies []io.Closer
}

// NewIdleStreams makes a client with no limit on connections per host.
func NewIdleStreams() *IdleStreams {
	return &IdleStreams{client: &http.Client{Transport: &http.Transport{
		DialContext:        (&net.Dialer{Timeout: 10 * time.Second}).DialContext,
		DisableCompression: true,
	}}}
}

const idleCall = `{"jsonrpc":"2.0","id":1,"method":"message/stream","params":{"message":{"kind":"message","role":"user","messageId":"m","parts":[{"kind":"text","text":"wait for me"}]}}}`

// Open opens n more streams to url, a few at a time, and returns once each
// has read its first event, and up has flushed it on as many streams.
func (s *IdleStreams) Open(ctx context.Context, url string, up *IdleUpstream, n int) error {
	errs := make(chan error, n)
	slots := make(chan struct{}, 32)
	for range n {
		slots <- struct{}{}
		go func() {
			errs <- s.open(ctx, url)
			<-slots
		}()
	}
	var err error
	for range n {
		err = cmp.Or(err, <-errs)
	}
	if err != nil {
		return err
	}
	for range n {
		select {
		case <-up.opened:
		case <-ctx.Done():
			return ctx.Err()
		}
	}
	return nil
}

func (s *IdleStreams) open(ctx context.Context, url string) error {
	req, err := http.NewRequestWithContext(ctx, http.MethodPost, url, strings.NewReader(idleCall))
	if err != nil {
		return err
	}
	req.Header.Set("Content-Type", "application/json")
	req.Header.Set("Accept", "text/event-stream")
	resp, err := s.client.Do(req)
	if err != nil {
		return fmt.Errorf("open stream: %w", err)
	}
	s.mu.Lock()
	s.bodies = append(s.bodies, resp.Body)
	s.mu.Unlock()
	if resp.StatusCode != http.StatusOK {
		return fmt.Errorf("open stream: status %s", resp.Status)
	}
	br := bufio.NewReaderSize(resp.Body, 1<<10)
	for {
		line, err := br.ReadSlice('\n')
		if err != nil {
			return fmt.Errorf("read first event: %w", err)
		}
		if len(line) == 1 {
			return nil // the blank line that ends the event
		}
	}
}

// Len is how many streams are open.
func (s *IdleStreams) Len() int {
	s.mu.Lock()
	defer s.mu.Unlock()
	return len(s.bodies)
}

// Close closes every stream.
func (s *IdleStreams) Close() error {
	s.mu.Lock()
	defer s.mu.Unlock()
	var errs []error
	for _, b := range s.bodies {
		errs = append(errs, b.Close())
	}
	s.bodies = nil
	s.client.CloseIdleConnections()
	return errors.Join(errs...)
}
