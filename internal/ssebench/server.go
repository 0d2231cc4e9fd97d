package ssebench

import (
	"errors"
	"fmt"
	"net"
	"net/http"
	"time"
)

// server is a real http.Server on a loopback port.
type server struct {
	URL  string
	srv  *http.Server
	done chan error
}

func startServer(h http.Handler) (*server, error) {
	ln, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		return nil, fmt.Errorf("listen: %w", err)
	}
	s := &server{
		URL:  "http://" + ln.Addr().String(),
		srv:  &http.Server{Handler: h, ReadHeaderTimeout: 10 * time.Second},
		done: make(chan error, 1),
	}
	go s.serve(ln)
	return s, nil
}

func (s *server) serve(ln net.Listener) {
	err := s.srv.Serve(ln)
	if errors.Is(err, http.ErrServerClosed) {
		err = nil
	}
	s.done <- err
}

// Close closes the listener and every connection, and waits for Serve.
func (s *server) Close() error {
	return errors.Join(s.srv.Close(), <-s.done)
}
