package main

import (
	"context"
	"errors"
	"flag"
	"fmt"
	"io"
	"os"
	"strings"

	"github.com/a2aproxy/a2a-proxy/diff"
	"github.com/a2aproxy/a2a-proxy/internal/diffrec"
	"github.com/a2aproxy/a2a-proxy/recorder"
	"github.com/a2aproxy/a2a-proxy/replay"
)

const diffUsage = `Usage: a2a-proxy diff [flags] A B

Compares two recordings of the same interaction and prints what differs:
events added, removed, moved or changed, with the JSON path and the old (-)
and new (+) value of each change. A and B are task ids in the database, or
NDJSON files written by a2a-proxy export; FILE#TASK_ID picks one task of a
file that holds several.

Events are aligned by position and kind, so one extra event is reported as
one added event. Ids (task, context, message, artifact, JSON-RPC) and
timestamps differ between any two runs: they are ignored unless --strict.
Nothing else is guessed at: a time or counter inside a text differs until
--ignore names it.

Exit status: 0 equal, 1 different, 2 bad usage or error.

Examples:
  a2a-proxy diff TASK_A TASK_B
  a2a-proxy diff --json before.ndjson after.ndjson
  a2a-proxy diff context.ndjson#TASK_A TASK_B

  # The built-in agent's artifact says when it ran ("Processed at: ..."), so
  # two of its runs differ there; ignore every artifact text:
  a2a-proxy diff --ignore '$..artifact.parts[*].text' TASK_A TASK_B

  # Also report events that took more than twice (or half) as long:
  a2a-proxy diff --timing 2 TASK_A TASK_B`

// diffFlags are the flags of diff, which rerun takes too.
type diffFlags struct {
	opts   diff.Options
	asJSON bool
}

func (d *diffFlags) register(fs *flag.FlagSet) {
	fs.BoolVar(&d.opts.Strict, "strict", false, "compare everything: do not ignore ids and timestamps")
	fs.Var(&stringList{to: &d.opts.Ignore}, "ignore", "also ignore the values at this JSON path, e.g. '$..artifact.parts[*].text' (repeatable)")
	fs.Float64Var(&d.opts.Timing, "timing", 0, "report events whose offset differs by more than this factor (at least 1; 0: off)")
	fs.BoolVar(&d.asJSON, "json", false, "print the same JSON document as GET /api/diff")
}

// print writes the result and returns the command's outcome: nil when
// equal, exit status 1 when different.
func (d *diffFlags) print(w io.Writer, res diff.Result) error {
	var err error
	if d.asJSON {
		err = printJSON(w, res)
	} else {
		err = res.WriteText(w)
	}
	switch {
	case err != nil:
		return exitError{code: 2, err: fmt.Errorf("write diff: %w", err)}
	case !res.Equal:
		return exitError{code: 1}
	}
	return nil
}

func runDiff(ctx context.Context, args []string, stdout, stderr io.Writer) error {
	fs := newFlagSet("diff", diffUsage, stderr)
	db := fs.String("db", "a2a-proxy.db", "recording database to read task ids from")
	var df diffFlags
	df.register(fs)
	operands, err := parseOperands(fs, args)
	if err != nil {
		return flagError(err)
	}
	if len(operands) != 2 {
		return usageErrorf("want two recordings A and B, got %d arguments", len(operands))
	}
	if err := df.opts.Validate(); err != nil {
		return usageErrorf("%v", err)
	}
	src := &recordingSource{db: *db}
	defer src.close()
	var recs [2]*recorder.Recording
	for i, operand := range operands {
		if recs[i], err = src.load(ctx, operand); err != nil {
			return exitError{code: 2, err: err}
		}
	}
	res := diffrec.Compare(operands[0], recs[0], operands[1], recs[1], df.opts)
	return df.print(stdout, res)
}

// recordingSource loads the recordings diff compares, opening the database
// only when an operand is a task id.
type recordingSource struct {
	db    string
	store *recorder.Recorder
}

// load reads a task of the database, or of an NDJSON file: an operand that
// names an existing file is one, and so is FILE#TASK_ID.
func (s *recordingSource) load(ctx context.Context, operand string) (*recorder.Recording, error) {
	if isFile(operand) {
		return fileRecording(operand, "")
	}
	if file, taskID, ok := strings.Cut(operand, "#"); ok && isFile(file) {
		return fileRecording(file, taskID)
	}
	if s.store == nil {
		store, err := openRecording(ctx, s.db)
		if err != nil {
			return nil, fmt.Errorf("%s is no file: %w", operand, err)
		}
		s.store = store
	}
	rec, err := s.store.Recording(ctx, operand)
	if errors.Is(err, recorder.ErrNotFound) {
		return nil, fmt.Errorf("no task %q in %s, and no such file (a2a-proxy tasks lists the tasks)", operand, s.db)
	}
	return rec, err
}

func (s *recordingSource) close() {
	if s.store != nil {
		s.store.Close()
	}
}

func isFile(path string) bool {
	fi, err := os.Stat(path)
	return err == nil && fi.Mode().IsRegular()
}

// fileRecording reads the recording of taskID from an NDJSON file, or the
// file's only one when taskID is empty.
func fileRecording(path, taskID string) (*recorder.Recording, error) {
	recs, err := replay.ReadFixtures(path)
	if err != nil {
		return nil, err
	}
	var ids []string
	for _, rec := range recs {
		if rec.Task.TaskID == taskID || (taskID == "" && len(recs) == 1) {
			return rec, nil
		}
		ids = append(ids, rec.Task.TaskID)
	}
	if taskID == "" {
		return nil, fmt.Errorf("%s holds %d tasks: pick one with %s#TASK_ID, one of %s", path, len(recs), path, strings.Join(ids, ", "))
	}
	return nil, fmt.Errorf("%s holds no task %q: it holds %s", path, taskID, strings.Join(ids, ", "))
}
