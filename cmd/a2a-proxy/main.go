// Command a2a-proxy is an observable reverse proxy and recorder for A2A
// agent traffic. This package only parses flags and wires the packages
// together; the work is done in proxy, recorder, builtin-agent and web.
package main

import (
	"context"
	"errors"
	"flag"
	"fmt"
	"io"
	"os"
	"os/signal"
	"syscall"

	"github.com/gin-gonic/gin"
	"go.opentelemetry.io/otel"
)

const usage = `a2a-proxy: see, keep and replay what A2A agents say to each other.

Usage:
  a2a-proxy [serve] [flags]        run the proxy, the recorder and the built-in agent (default)
  a2a-proxy agent [flags]          run the built-in streaming agent alone
  a2a-proxy send [flags] URL TEXT  send TEXT to the agent at URL and print its streamed events
  a2a-proxy tasks [flags]          list recorded tasks, newest first
  a2a-proxy show [flags] TASK_ID   show a recorded task: its exchanges and event timeline
  a2a-proxy replay [flags] TASK_ID print a recorded task's events at their recorded pace
  a2a-proxy replay serve [flags]   serve a recorded task, or export files, as an A2A agent
  a2a-proxy export [flags] TASK_ID write a task's recording as NDJSON (--context: a context's)
  a2a-proxy import [flags] FILE... read exported recordings into the database
  a2a-proxy diff [flags] A B       compare two recordings (task ids or NDJSON files); exit 1 if they differ
  a2a-proxy rerun [flags] TASK_ID  send a task's requests again through the proxy and diff the new run
  a2a-proxy check [flags] TASK_ID... check recorded tasks against the A2A spec (--all: every task); exit 1 on an error

Run "a2a-proxy COMMAND --help" for a command's flags. Every flag can also be
set through an environment variable: serve's --admin-token is
A2A_PROXY_ADMIN_TOKEN, --db is A2A_PROXY_DB for every command, and the other
commands' flags carry their name: agent's --listen is A2A_PROXY_AGENT_LISTEN.
`

func main() {
	gin.SetMode(gin.ReleaseMode)
	// For libraries that read the global; our own code is handed it.
	otel.SetTextMapPropagator(newPropagator())
	ctx, stop := signal.NotifyContext(context.Background(), os.Interrupt, syscall.SIGTERM)
	defer stop()
	os.Exit(run(ctx, os.Args[1:], os.Stdout, os.Stderr))
}

// run executes one command and returns the process exit code: 0 on success,
// 1 when the command failed, 2 for bad usage.
func run(ctx context.Context, args []string, stdout, stderr io.Writer) int {
	name, rest := "serve", args
	if len(args) == 1 && (args[0] == "-h" || args[0] == "-help" || args[0] == "--help") {
		name = "help"
	} else if len(args) > 0 && len(args[0]) > 0 && args[0][0] != '-' {
		name, rest = args[0], args[1:]
	}
	var err error
	switch name {
	case "serve":
		err = runServe(ctx, rest, stderr)
	case "agent":
		err = runAgent(ctx, rest, stderr)
	case "send":
		err = runSend(ctx, rest, stdout, stderr)
	case "tasks":
		err = runTasks(ctx, rest, stdout, stderr)
	case "show":
		err = runShow(ctx, rest, stdout, stderr)
	case "replay":
		err = runReplay(ctx, rest, stdout, stderr)
	case "export":
		err = runExport(ctx, rest, stdout, stderr)
	case "import":
		err = runImport(ctx, rest, stdout, stderr)
	case "diff":
		err = runDiff(ctx, rest, stdout, stderr)
	case "check":
		err = runCheck(ctx, rest, stdout, stderr)
	case "rerun":
		err = runRerun(ctx, rest, stdout, stderr)
	case "help":
		fmt.Fprint(stdout, usage)
		return 0
	default:
		fmt.Fprintf(stderr, "a2a-proxy: unknown command %q\n\n%s", name, usage)
		return 2
	}
	var usageErr usageError
	var exitErr exitError
	switch {
	case err == nil, errors.Is(err, flag.ErrHelp):
		return 0
	case errors.As(err, &exitErr):
		if exitErr.err != nil {
			fmt.Fprintf(stderr, "a2a-proxy %s: %v\n", name, exitErr.err)
		}
		return exitErr.code
	case errors.As(err, &usageErr):
		if !usageErr.reported {
			fmt.Fprintf(stderr, "a2a-proxy %s: %v\n", name, err)
		}
		return 2
	default:
		fmt.Fprintf(stderr, "a2a-proxy %s: %v\n", name, err)
		return 1
	}
}

// usageError is a mistake in the command line (exit code 2). reported is set
// when the flag package already printed it with the usage.
type usageError struct {
	error
	reported bool
}

// exitError ends a command with its own exit code, for commands whose
// status says more than success or failure (diff: 1 is "different", so its
// errors are 2). err, if not nil, is printed.
type exitError struct {
	code int
	err  error
}

func (e exitError) Error() string {
	if e.err == nil {
		return fmt.Sprintf("exit status %d", e.code)
	}
	return e.err.Error()
}

func usageErrorf(format string, args ...any) error {
	return usageError{error: fmt.Errorf(format, args...)}
}

func runServe(ctx context.Context, args []string, stderr io.Writer) error {
	fs := newFlagSet("serve", "Usage: a2a-proxy serve [flags]\n\nRuns the data plane (A2A traffic), the admin plane (JSON API), the\nbuilt-in agent and the recorder until SIGINT or SIGTERM. With --listen ''\nit runs the admin plane alone, on a store other replicas record into\n(--db postgres://...): see README, \"Several replicas\".", stderr)
	srv := &Server{Stderr: stderr}
	agents := srv.Config.register(fs)
	if err := parseFlags(fs, args); err != nil {
		return flagError(err)
	}
	if fs.NArg() > 0 {
		return usageErrorf("unexpected arguments %q", fs.Args())
	}
	srv.Config.Agents = agents.values
	if srv.Config.Listen == "" && !isSet(fs, "builtin") {
		srv.Config.Builtin = false // admin-only: nothing to proxy it through
	}
	if err := srv.Start(ctx); err != nil {
		return err
	}
	<-ctx.Done()
	srv.log.Info("shutting down", "grace", srv.Config.ShutdownGrace)
	return srv.Shutdown(context.Background())
}

// isSet says whether the flag was given, on the command line or in the
// environment.
func isSet(fs *flag.FlagSet, name string) bool {
	set := false
	fs.Visit(func(f *flag.Flag) { set = set || f.Name == name })
	return set
}

// flagError marks a flag parsing error as bad usage; --help passes through.
func flagError(err error) error {
	if errors.Is(err, flag.ErrHelp) {
		return err
	}
	return usageError{error: err, reported: true}
}
