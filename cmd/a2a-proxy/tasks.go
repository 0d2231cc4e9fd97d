package main

import (
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"os"
	"strconv"

	"github.com/a2aproxy/a2a-proxy/internal/console"
	"github.com/a2aproxy/a2a-proxy/recorder"
)

func runTasks(ctx context.Context, args []string, stdout, stderr io.Writer) error {
	fs := newFlagSet("tasks", "Usage: a2a-proxy tasks [flags]\n\nLists recorded tasks, newest first. Works while the proxy is running.", stderr)
	db := fs.String("db", "a2a-proxy.db", "recording database to read")
	var f recorder.TaskFilter
	fs.StringVar(&f.Agent, "agent", "", "only tasks of this agent")
	fs.StringVar(&f.State, "state", "", "only tasks in this state (working, completed, ...)")
	fs.StringVar(&f.Status, "status", "", "only tasks of this derived status (interrupted, working, completed, ...)")
	fs.StringVar(&f.Outcome, "outcome", "", "only tasks whose last exchange ended with this outcome (upstream_error, client_closed, ...)")
	fs.BoolFunc("open", "only tasks with an exchange still open (--open=false: with none)", func(v string) error {
		open, err := strconv.ParseBool(v)
		if err != nil {
			return fmt.Errorf("want true or false, got %q", v)
		}
		f.Open = &open
		return nil
	})
	fs.StringVar(&f.ContextID, "context", "", "only tasks of this context id")
	fs.StringVar(&f.Query, "q", "", "only tasks whose ids or recorded payloads contain this text")
	fs.StringVar(&f.Checks, "checks", "", "failed: only tasks whose conformance checks found an error")
	fs.IntVar(&f.Limit, "limit", 50, "at most this many tasks (up to 500)")
	fs.StringVar(&f.Cursor, "cursor", "", "continue after a previous page (its nextCursor)")
	asJSON := fs.Bool("json", false, "print the same JSON document as GET /api/tasks")
	if err := parseFlags(fs, args); err != nil {
		return flagError(err)
	}
	if fs.NArg() > 0 {
		return usageErrorf("unexpected arguments %q", fs.Args())
	}
	store, err := openRecording(ctx, *db)
	if err != nil {
		return err
	}
	defer store.Close()
	page, err := store.ListTasks(ctx, f)
	if err != nil {
		return err
	}
	if *asJSON {
		return printJSON(stdout, page)
	}
	return console.Tasks(stdout, page)
}

func runShow(ctx context.Context, args []string, stdout, stderr io.Writer) error {
	fs := newFlagSet("show", "Usage: a2a-proxy show [flags] TASK_ID\n\nShows a recorded task: its state, its exchanges and the timeline of its events.", stderr)
	db := fs.String("db", "a2a-proxy.db", "recording database to read")
	asJSON := fs.Bool("json", false, "print the same JSON document as GET /api/tasks/{taskId}")
	if err := parseFlags(fs, args); err != nil {
		return flagError(err)
	}
	if fs.NArg() != 1 {
		return usageErrorf("want one TASK_ID, got %d arguments", fs.NArg())
	}
	store, err := openRecording(ctx, *db)
	if err != nil {
		return err
	}
	defer store.Close()
	detail, err := store.GetTask(ctx, fs.Arg(0))
	if errors.Is(err, recorder.ErrNotFound) {
		return fmt.Errorf("no task %q in %s (a2a-proxy tasks lists them)", fs.Arg(0), *db)
	}
	if err != nil {
		return err
	}
	if *asJSON {
		return printJSON(stdout, detail)
	}
	return console.Task(stdout, detail)
}

// openRecording opens an existing recording database; unlike serve, it does
// not create one where there is none.
func openRecording(ctx context.Context, path string) (*recorder.Recorder, error) {
	if isPostgresURL(path) {
		return openRecorder(ctx, path, recorder.Options{})
	}
	if _, err := os.Stat(path); err != nil {
		return nil, fmt.Errorf("no recording database at %s (start a2a-proxy serve there, or pass --db): %w", path, err)
	}
	return openRecorder(ctx, path, recorder.Options{})
}

func printJSON(w io.Writer, v any) error {
	enc := json.NewEncoder(w)
	enc.SetIndent("", "  ")
	return enc.Encode(v)
}
