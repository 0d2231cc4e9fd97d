package main

import (
	"bytes"
	"context"
	"database/sql"
	"errors"
	"io"
	"net/http"
	"os"
	"os/exec"
	"path/filepath"
	"strings"
	"sync"
	"syscall"
	"testing"
	"time"

	"github.com/a2aproxy/a2a-proxy/recorder"
)

// TestServeRefusesUnwritableDatabase pins that `a2a-proxy serve` exits
// non-zero, saying which file and what to fix, when it cannot write its
// database, instead of serving and recording nothing. The tests run as root,
// for whom chmod does not stop writes: the cases are a path under a regular
// file and a database on a tmpfs remounted read-only.
func TestServeRefusesUnwritableDatabase(t *testing.T) {
	bin := buildBinary(t)
	cases := map[string]func(t *testing.T) string{
		"parent is a regular file": func(t *testing.T) string {
			file := filepath.Join(t.TempDir(), "file")
			if err := os.WriteFile(file, nil, 0o644); err != nil {
				t.Fatal(err)
			}
			return filepath.Join(file, "rec.db")
		},
		"read-only file system": func(t *testing.T) string {
			dir := mountReadOnlyTmpfs(t)
			return filepath.Join(dir, "rec.db")
		},
	}
	for name, dbPath := range cases {
		t.Run(name, func(t *testing.T) {
			db := dbPath(t)
			cmd := exec.Command(bin, "serve", "--listen", "127.0.0.1:0", "--admin-listen", "127.0.0.1:0",
				"--builtin-listen", "127.0.0.1:0", "--db", db)
			var stderr bytes.Buffer
			cmd.Stderr = &stderr
			done := make(chan error, 1)
			if err := cmd.Start(); err != nil {
				t.Fatal(err)
			}
			go func() { done <- cmd.Wait() }()
			var err error
			select {
			case err = <-done:
			case <-time.After(30 * time.Second):
				cmd.Process.Kill()
				t.Fatalf("a2a-proxy serve still running on an unwritable database; stderr: %s", stderr.String())
			}
			var exit *exec.ExitError
			if !errors.As(err, &exit) || exit.ExitCode() != 1 {
				t.Fatalf("exit = %v, want status 1; stderr: %s", err, stderr.String())
			}
			if msg := stderr.String(); !strings.Contains(msg, "cannot write the database "+db) || !strings.Contains(msg, "writable") {
				t.Errorf("stderr = %q, want the path and how to fix it", msg)
			}
		})
	}
}

// mountReadOnlyTmpfs mounts an empty tmpfs read-only (root only). Without
// root it skips, unless CI is set.
func mountReadOnlyTmpfs(t *testing.T) string {
	t.Helper()
	dir := t.TempDir()
	out, err := exec.Command("mount", "-t", "tmpfs", "-o", "ro,size=1m", "tmpfs", dir).CombinedOutput()
	if err != nil {
		if os.Getenv("CI") != "" {
			t.Fatalf("mount a read-only tmpfs (the test needs root): %v: %s", err, out)
		}
		t.Skipf("mount a read-only tmpfs (the test needs root): %v: %s", err, out)
	}
	t.Cleanup(func() { exec.Command("umount", "-l", dir).Run() })
	return dir
}

// TestKillThenRestartClosesOpenExchanges pins crash recovery: streams open
// when the real binary is killed with SIGKILL leave exchanges with no end;
// the next start on the same database closes them with outcome interrupted,
// says how many in its log, and leaves their tasks' state as recorded.
func TestKillThenRestartClosesOpenExchanges(t *testing.T) {
	bin := buildBinary(t)
	db := filepath.Join(t.TempDir(), "rec.db")
	cmd, url, _ := startProcess(t, bin, db, "--builtin-step-delay", "1h")
	const streams = 3
	for range streams {
		r, body := openStream(t, url)
		defer body.Close()
		if _, err := readBlock(r); err != nil { // "working", before the agent's first pause
			t.Fatal(err)
		}
	}
	waitForOpenExchanges(t, db, streams)
	if err := cmd.Process.Signal(syscall.SIGKILL); err != nil {
		t.Fatal(err)
	}
	cmd.Wait()

	cmd, _, lines := startProcess(t, bin, db)
	if !logged(lines, `msg="closed exchanges left open by the previous run" count=3 outcome=interrupted`) {
		t.Error("the restart did not log the 3 exchanges it closed")
	}
	if err := cmd.Process.Signal(syscall.SIGTERM); err != nil {
		t.Fatal(err)
	}
	if err := cmd.Wait(); err != nil {
		t.Fatalf("a2a-proxy exit: %v", err)
	}

	ctx := context.Background()
	store, err := openRecorder(ctx, db, recorder.Options{})
	if err != nil {
		t.Fatal(err)
	}
	defer store.Close()
	page, err := store.ListTasks(ctx, recorder.TaskFilter{})
	if err != nil || len(page.Tasks) != streams {
		t.Fatalf("tasks = %+v, %v; want %d", page, err, streams)
	}
	for _, task := range page.Tasks {
		if task.State != "working" {
			t.Errorf("task %s state = %q, want working (as recorded)", task.TaskID, task.State)
		}
		detail, err := store.GetTask(ctx, task.TaskID)
		if err != nil {
			t.Fatal(err)
		}
		for _, ex := range detail.Exchanges {
			if ex.Outcome != recorder.OutcomeInterrupted || ex.EndedAt == nil || ex.RecordingComplete || ex.EventCount < 2 {
				t.Errorf("exchange after the crash = %+v, want interrupted, ended, incomplete, its events counted", ex)
			}
		}
	}
}

// waitForOpenExchanges polls the database, read-only, until n streaming
// exchanges are recorded as open with at least their first events.
func waitForOpenExchanges(t *testing.T, path string, n int) {
	t.Helper()
	db, err := sql.Open("sqlite", "file:"+path+"?mode=ro&_pragma=busy_timeout(5000)")
	if err != nil {
		t.Fatal(err)
	}
	defer db.Close()
	deadline := time.Now().Add(30 * time.Second)
	for {
		var open int
		err := db.QueryRow(`SELECT count(*) FROM exchanges x WHERE x.ended_at IS NULL AND x.method = 'message/stream'
			AND (SELECT count(*) FROM events e WHERE e.exchange_id = x.id) >= 2`).Scan(&open)
		if err == nil && open == n {
			return
		}
		if time.Now().After(deadline) {
			t.Fatalf("open exchanges recorded = %d (%v), want %d", open, err, n)
		}
		time.Sleep(20 * time.Millisecond) // polling a condition, with a deadline
	}
}

// logged reports whether a line containing want arrives before the
// process's log goes quiet for long.
func logged(lines <-chan string, want string) bool {
	timeout := time.After(30 * time.Second)
	for {
		select {
		case line, ok := <-lines:
			if !ok {
				return false
			}
			if strings.Contains(line, want) {
				return true
			}
		case <-timeout:
			return false
		}
	}
}

// syncBuffer is a log the server and the test share.
type syncBuffer struct {
	mu  sync.Mutex
	buf bytes.Buffer
}

func (b *syncBuffer) Write(p []byte) (int, error) {
	b.mu.Lock()
	defer b.mu.Unlock()
	return b.buf.Write(p)
}

func (b *syncBuffer) String() string {
	b.mu.Lock()
	defer b.mu.Unlock()
	return b.buf.String()
}

// TestFailingCommitIsVisible pins that items the writer cannot store (a
// trigger on the real database file refuses every artifact-update) leave the
// traffic alone, the client still gets every event, and the loss is counted
// on /metrics by reason, logged, shown on every page and in GET /api/status,
// and marked on its exchange.
func TestFailingCommitIsVisible(t *testing.T) {
	var logs syncBuffer
	s := &Server{Stderr: &logs, Config: ServeConfig{
		Listen:           "127.0.0.1:0",
		AdminListen:      "127.0.0.1:0",
		Builtin:          true,
		BuiltinListen:    "127.0.0.1:0",
		BuiltinStepDelay: 5 * time.Millisecond,
		DB:               filepath.Join(t.TempDir(), "recording.db"),
		RecordMode:       "drop",
		MaxBodyBytes:     1 << 20,
		ShutdownGrace:    5 * time.Second,
		LogLevel:         "warn",
		LiveChecks:       true,
	}}
	if err := s.Start(context.Background()); err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { s.Close() })
	db, err := sql.Open("sqlite", "file:"+s.Config.DB+"?_pragma=busy_timeout(5000)")
	if err != nil {
		t.Fatal(err)
	}
	defer db.Close()
	if _, err := db.Exec(`CREATE TRIGGER refuse_artifacts BEFORE INSERT ON events WHEN NEW.kind = 'artifact-update'
		BEGIN SELECT RAISE(ABORT, 'refused by the test'); END`); err != nil {
		t.Fatal(err)
	}

	events := streamTask(t, s.DataURL()+"/agents/builtin/")
	if len(events) != 8 {
		t.Fatalf("client got %d events, want all 8", len(events))
	}
	if err := s.Store().Flush(context.Background()); err != nil {
		t.Fatal(err)
	}

	families := scrape(t, s.MetricsHandler())
	if n, ok := value(families, "a2a_proxy_recorder_lost_total", map[string]string{"reason": "commit_failed"}); !ok || n != 1 {
		t.Errorf("a2a_proxy_recorder_lost_total{reason=commit_failed} = %v (present %t), want 1", n, ok)
	}
	if out := logs.String(); !strings.Contains(out, `msg="recorder lost items" commit_failed=1`) {
		t.Errorf("log = %q, want the loss logged with its count", out)
	}
	for _, page := range []string{"/", "/agents"} {
		body := getPage(t, s.AdminURL()+page)
		if !strings.Contains(body, "The recorder lost 1 item (commit failed: 1) in the last 10 min") {
			t.Errorf("%s: no loss banner", page)
		}
	}
	var status struct {
		Recorder struct {
			Lost map[string]int `json:"lost"`
		} `json:"recorder"`
	}
	getJSON(t, s.AdminURL()+"/api/status", &status)
	if status.Recorder.Lost["commit_failed"] != 1 {
		t.Errorf("/api/status = %+v, want 1 commit_failed", status)
	}
	detail := recordedTask(t, s, events[0].TaskID)
	ex, recorded := streamEvents(t, detail)
	if len(recorded) != 7 || ex.DroppedEvents != 1 || ex.RecordingComplete {
		t.Errorf("recorded %d events, exchange dropped %d, complete %t; want 7, 1, incomplete", len(recorded), ex.DroppedEvents, ex.RecordingComplete)
	}
}

func getPage(t *testing.T, url string) string {
	t.Helper()
	resp, err := http.Get(url)
	if err != nil {
		t.Fatal(err)
	}
	defer resp.Body.Close()
	body, err := io.ReadAll(resp.Body)
	if err != nil || resp.StatusCode != http.StatusOK {
		t.Fatalf("GET %s: %d %v", url, resp.StatusCode, err)
	}
	return string(body)
}
