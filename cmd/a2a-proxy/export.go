package main

import (
	"context"
	"errors"
	"flag"
	"fmt"
	"io"
	"os"

	"github.com/a2aproxy/a2a-proxy/internal/redact"
	"github.com/a2aproxy/a2a-proxy/recorder"
	"github.com/a2aproxy/a2a-proxy/replay"
)

func runExport(ctx context.Context, args []string, stdout, stderr io.Writer) error {
	fs := newFlagSet("export", `Usage: a2a-proxy export [flags] TASK_ID
       a2a-proxy export [flags] --context CONTEXT_ID

Writes the recording of a task, or of every task of a context, in the NDJSON
format that a2a-proxy import and a2a-proxy replay serve --from read
(docs/replay.md).`, stderr)
	db := fs.String("db", "a2a-proxy.db", "recording database to read")
	contextID := fs.String("context", "", "export every task of this context instead of one task")
	out := fs.String("o", "", "file to write (default: standard output)")
	operands, err := parseOperands(fs, args)
	if err != nil {
		return flagError(err)
	}
	switch {
	case *contextID == "" && len(operands) != 1:
		return usageErrorf("want one TASK_ID or --context, got %d arguments", len(operands))
	case *contextID != "" && len(operands) != 0:
		return usageErrorf("want a TASK_ID or --context, not both")
	}
	store, err := openRecording(ctx, *db)
	if err != nil {
		return err
	}
	defer store.Close()

	var recs []*recorder.Recording
	if *contextID != "" {
		recs, err = store.ContextRecordings(ctx, *contextID)
	} else {
		var rec *recorder.Recording
		rec, err = store.Recording(ctx, operands[0])
		recs = []*recorder.Recording{rec}
	}
	if errors.Is(err, recorder.ErrNotFound) {
		return fmt.Errorf("%v in %s (a2a-proxy tasks lists what is recorded)", err, *db)
	}
	if err != nil {
		return err
	}
	if *out == "" {
		return recorder.WriteRecordings(stdout, recs...)
	}
	if err := writeFile(*out, recs); err != nil {
		return err
	}
	fmt.Fprintf(stderr, "exported %s to %s\n", describeRecordings(recs), *out)
	return nil
}

// writeFile writes recordings to path, and removes what it wrote if that
// fails half-way: a truncated export would fail to import anyway.
func writeFile(path string, recs []*recorder.Recording) error {
	f, err := os.Create(path)
	if err != nil {
		return fmt.Errorf("export: %w", err)
	}
	err = recorder.WriteRecordings(f, recs...)
	if closeErr := f.Close(); err == nil {
		err = closeErr
	}
	if err != nil {
		os.Remove(path)
		return fmt.Errorf("export to %s: %w", path, err)
	}
	return nil
}

func describeRecordings(recs []*recorder.Recording) string {
	exchanges, events := 0, 0
	for _, rec := range recs {
		exchanges += len(rec.Exchanges)
		events += len(rec.Events)
	}
	return fmt.Sprintf("%s (%s, %s)", plural(len(recs), "task"), plural(exchanges, "exchange"), plural(events, "event"))
}

func plural(n int, noun string) string {
	if n == 1 {
		return "1 " + noun
	}
	return fmt.Sprintf("%d %ss", n, noun)
}

func runImport(ctx context.Context, args []string, stdout, stderr io.Writer) error {
	fs := newFlagSet("import", `Usage: a2a-proxy import [flags] FILE...

Reads recordings written by a2a-proxy export into the database, creating it
if needed. Secrets are redacted as serve redacts them (built-in rules). Every file is checked whole first: a file with a corrupt line
imports nothing, and neither does one whose exchanges are already recorded.`, stderr)
	db := fs.String("db", "a2a-proxy.db", "recording database to write")
	files, err := parseOperands(fs, args)
	if err != nil {
		return flagError(err)
	}
	if len(files) == 0 {
		return usageErrorf("want at least one FILE")
	}
	recs, err := replay.ReadFixtures(files...)
	if err != nil {
		return err
	}
	store, err := openRecorder(ctx, *db, recorder.Options{})
	if err != nil {
		return fmt.Errorf("open recording database: %w", err)
	}
	defer store.Close()
	// A file from elsewhere may hold what this proxy would never store.
	for _, rec := range recs {
		redact.Default().Recording(rec)
	}
	res, err := store.Import(ctx, recs)
	if errors.Is(err, recorder.ErrExists) {
		return fmt.Errorf("%w in %s: nothing imported (was the file imported before?)", err, *db)
	}
	if err != nil {
		return err
	}
	fmt.Fprintf(stdout, "imported %s, %s into %s\n", plural(res.Recordings, "task"), plural(res.Events, "event"), *db)
	return store.Close()
}

// parseOperands parses flags wherever they are among the arguments, since
// usage lines put them after the operands too (export TASK_ID --db PATH),
// and returns the operands. After "--", everything is an operand.
func parseOperands(fs *flag.FlagSet, args []string) ([]string, error) {
	var operands []string
	for i, arg := range args {
		if arg == "--" {
			operands = append(operands, args[i+1:]...)
			args = args[:i]
			break
		}
	}
	if err := parseFlags(fs, args); err != nil {
		return nil, err
	}
	var leading []string
	for rest := fs.Args(); len(rest) > 0; rest = fs.Args() {
		leading = append(leading, rest[0])
		if err := fs.Parse(rest[1:]); err != nil {
			return nil, err
		}
	}
	return append(leading, operands...), nil
}
