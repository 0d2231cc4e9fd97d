package main

import (
	"context"
	"errors"
	"io"
	"net/http"
	"time"

	builtinagent "github.com/a2aproxy/a2a-proxy/builtin-agent"
)

func runAgent(ctx context.Context, args []string, stderr io.Writer) error {
	fs := newFlagSet("agent", "Usage: a2a-proxy agent [flags]\n\nRuns the built-in streaming agent alone (the A2A tutorial's basic streaming\nagent, A2A v0.3 JSON-RPC) until SIGINT or SIGTERM.", stderr)
	listenAddr := fs.String("listen", "127.0.0.1:8001", "address to listen on")
	publicURL := fs.String("url", "", "URL the agent card advertises (default: http://<listen address>/)")
	stepDelay := fs.Duration("step-delay", time.Second, "pause between progress steps (0: none)")
	logLevel := fs.String("log-level", "info", "debug, info, warn or error")
	if err := parseFlags(fs, args); err != nil {
		return flagError(err)
	}
	if fs.NArg() > 0 {
		return usageErrorf("unexpected arguments %q", fs.Args())
	}
	log, err := newLogger(stderr, *logLevel)
	if err != nil {
		return err
	}
	srv, err := listen("agent", *listenAddr)
	if err != nil {
		return err
	}
	url := *publicURL
	if url == "" {
		url = "http://" + srv.addr() + "/"
	}
	srv.srv.Handler = builtinagent.NewHandler(builtinagent.Options{URL: url, StepDelay: stepDelayFlag(*stepDelay), Logger: log})
	log.Info("built-in agent serving", "url", url, "card", url+".well-known/agent-card.json")

	errc := make(chan error, 1)
	go func() { errc <- srv.srv.Serve(srv.ln) }()
	select {
	case err := <-errc:
		return err
	case <-ctx.Done():
	}
	shutdownCtx, cancel := context.WithTimeout(context.Background(), 10*time.Second)
	defer cancel()
	if err := srv.srv.Shutdown(shutdownCtx); err != nil && !errors.Is(err, http.ErrServerClosed) {
		return err
	}
	return nil
}
