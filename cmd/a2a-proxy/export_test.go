package main

import (
	"bytes"
	"context"
	"os"
	"path/filepath"
	"strings"
	"testing"

	"github.com/a2aproxy/a2a-proxy/recorder"
)

// runCLI runs a command and returns its exit code and output.
func runCLI(t *testing.T, args ...string) (code int, stdout, stderr string) {
	t.Helper()
	var out, errOut bytes.Buffer
	code = run(context.Background(), args, &out, &errOut)
	return code, out.String(), errOut.String()
}

func TestExportImportExportIsByteIdentical(t *testing.T) {
	s := startServer(t)
	taskID := recordWithA2AGo(t, s, "Process my data")
	detail := recordedTask(t, s, taskID) // flushed
	dir := t.TempDir()

	first := exportToFile(t, s.Config.DB, taskID, dir)
	code, stdout, stderr := runCLI(t, "export", "--db", s.Config.DB, taskID)
	if want, _ := os.ReadFile(first); code != 0 || stdout != string(want) {
		t.Fatalf("export to stdout: exit %d (%s), differs from -o", code, stderr)
	}

	db := filepath.Join(dir, "imported.db")
	code, stdout, stderr = runCLI(t, "import", first, "--db", db)
	if code != 0 || !strings.Contains(stdout, "imported 1 task, 8 events") {
		t.Fatalf("import: exit %d: %q %q", code, stdout, stderr)
	}
	again := filepath.Join(dir, "again.ndjson")
	if code, _, stderr := runCLI(t, "export", taskID, "--db", db, "-o", again); code != 0 {
		t.Fatalf("export again: exit %d: %s", code, stderr)
	}
	a, _ := os.ReadFile(first)
	b, _ := os.ReadFile(again)
	if !bytes.Equal(a, b) {
		t.Errorf("export, import, export differs:\n%s\n%s", a, b)
	}

	// The import is the recording: the same API document.
	store, err := openRecording(context.Background(), db)
	if err != nil {
		t.Fatal(err)
	}
	defer store.Close()
	imported, err := store.GetTask(context.Background(), taskID)
	if err != nil || imported.Task.EventCount != detail.Task.EventCount || imported.Task.State != detail.Task.State {
		t.Errorf("imported task %+v (%v), recorded %+v", imported, err, detail.Task)
	}

	code, _, stderr = runCLI(t, "import", "--db", db, first)
	if code != 1 || !strings.Contains(stderr, "already recorded") || !strings.Contains(stderr, "nothing imported") {
		t.Errorf("second import: exit %d, %q", code, stderr)
	}
}

func TestExportContext(t *testing.T) {
	s := startServer(t)
	taskID := recordWithA2AGo(t, s, "Process my data")
	detail := recordedTask(t, s, taskID)
	code, byContext, stderr := runCLI(t, "export", "--db", s.Config.DB, "--context", detail.Task.ContextID)
	if code != 0 {
		t.Fatalf("export --context: exit %d: %s", code, stderr)
	}
	_, byTask, _ := runCLI(t, "export", "--db", s.Config.DB, taskID)
	if byContext != byTask {
		t.Errorf("a context of one task exports differently from the task")
	}
}

// A file with a corrupt line imports nothing, not even its valid recordings,
// and the error names the file and the line.
func TestImportRejectsCorruptFilesWhole(t *testing.T) {
	s := startServer(t)
	one := recordWithA2AGo(t, s, "Process my data")
	two := recordWithA2AGo(t, s, "Process more data")
	recordedTask(t, s, two) // flushed
	dir := t.TempDir()
	good := exportToFile(t, s.Config.DB, one, dir)
	data, _ := os.ReadFile(exportToFile(t, s.Config.DB, two, dir))
	lines := strings.SplitAfter(string(data), "\n")
	lines[3] = lines[3][:len(lines[3])/2] + "\n" // a line cut in half
	bad := filepath.Join(dir, "bad.ndjson")
	if err := os.WriteFile(bad, []byte(strings.Join(lines, "")), 0o644); err != nil {
		t.Fatal(err)
	}

	db := filepath.Join(dir, "fresh.db")
	code, _, stderr := runCLI(t, "import", "--db", db, good, bad)
	if code != 1 || !strings.Contains(stderr, bad+":4:") {
		t.Fatalf("exit %d, %q; want an error naming %s:4", code, stderr, bad)
	}
	if _, err := os.Stat(db); err == nil {
		store, err := openRecording(context.Background(), db)
		if err != nil {
			t.Fatal(err)
		}
		defer store.Close()
		page, _ := store.ListTasks(context.Background(), recorder.TaskFilter{})
		if len(page.Tasks) != 0 {
			t.Errorf("a failed import wrote %d tasks", len(page.Tasks))
		}
	}
}

func TestExportErrors(t *testing.T) {
	s := startServer(t)
	for _, tc := range []struct {
		args []string
		code int
		want string
	}{
		{[]string{"export", "--db", s.Config.DB, "no-such-task"}, 1, "task no-such-task: not found in " + s.Config.DB},
		{[]string{"export", "--db", s.Config.DB, "--context", "no-such-context"}, 1, "context no-such-context: not found"},
		{[]string{"export", "--db", s.Config.DB}, 2, "want one TASK_ID or --context"},
		{[]string{"export", "--db", s.Config.DB, "--context", "c", "t"}, 2, "not both"},
		{[]string{"import", "--db", s.Config.DB}, 2, "want at least one FILE"},
		{[]string{"import", "--db", s.Config.DB, "missing.ndjson"}, 1, "missing.ndjson"},
	} {
		code, _, stderr := runCLI(t, tc.args...)
		if code != tc.code || !strings.Contains(stderr, tc.want) {
			t.Errorf("%v: exit %d, %q; want %d and %q", tc.args, code, stderr, tc.code, tc.want)
		}
	}
}
