package main

import (
	"bufio"
	"context"
	"io"
	"net/http"
	"os/exec"
	"path/filepath"
	"regexp"
	"strings"
	"syscall"
	"testing"
	"time"

	"github.com/a2aproxy/a2a-proxy/recorder"
)

// buildBinary builds the real a2a-proxy binary once per test.
func buildBinary(t *testing.T) string {
	t.Helper()
	bin := filepath.Join(t.TempDir(), "a2a-proxy")
	out, err := exec.Command("go", "build", "-o", bin, ".").CombinedOutput()
	if err != nil {
		t.Fatalf("go build: %v\n%s", err, out)
	}
	return bin
}

var servingLine = regexp.MustCompile(`msg="a2a-proxy serving" data=(\S+)`)

// startProcess runs the binary on ":0" ports and returns its data plane URL.
func startProcess(t *testing.T, bin, db string, args ...string) (*exec.Cmd, string, <-chan string) {
	t.Helper()
	cmd := exec.Command(bin, append([]string{"serve", "--listen", "127.0.0.1:0", "--admin-listen", "127.0.0.1:0",
		"--builtin-listen", "127.0.0.1:0", "--db", db, "--record-mode", "lossless"}, args...)...)
	stderr, _ := cmd.StderrPipe()
	if err := cmd.Start(); err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { cmd.Process.Kill(); cmd.Wait() })
	lines := make(chan string, 100)
	found := make(chan string, 1)
	go func() {
		sc := bufio.NewScanner(stderr)
		for sc.Scan() {
			if m := servingLine.FindStringSubmatch(sc.Text()); m != nil {
				found <- m[1]
			}
			select {
			case lines <- sc.Text():
			default:
			}
		}
		close(lines)
	}()
	select {
	case url := <-found:
		return cmd, url, lines
	case <-time.After(30 * time.Second):
		t.Fatal("a2a-proxy did not start")
		return nil, "", nil
	}
}

// openStream starts a message/stream call and returns a reader positioned
// after the first event.
func openStream(t *testing.T, url string) (*bufio.Reader, io.Closer) {
	t.Helper()
	body := `{"jsonrpc":"2.0","id":1,"method":"message/stream","params":{"message":{"kind":"message","role":"user","messageId":"m","parts":[{"kind":"text","text":"Process my data"}]}}}`
	resp, err := http.Post(url, "application/json", strings.NewReader(body))
	if err != nil {
		t.Fatal(err)
	}
	r := bufio.NewReader(resp.Body)
	if _, err := readBlock(r); err != nil {
		t.Fatal(err)
	}
	return r, resp.Body
}

func readBlock(r *bufio.Reader) (string, error) {
	var b strings.Builder
	for {
		line, err := r.ReadString('\n')
		b.WriteString(line)
		if err != nil || line == "\n" {
			return b.String(), err
		}
	}
}

// On SIGTERM an open stream runs to its end within the grace period, and
// everything it carried is in the database once the process has exited.
func TestSIGTERMLetsOpenStreamsFinish(t *testing.T) {
	bin := buildBinary(t)
	db := filepath.Join(t.TempDir(), "rec.db")
	cmd, url, _ := startProcess(t, bin, db, "--builtin-step-delay", "150ms", "--shutdown-grace", "30s")
	r, body := openStream(t, url)
	defer body.Close()
	if err := cmd.Process.Signal(syscall.SIGTERM); err != nil {
		t.Fatal(err)
	}
	rest, err := io.ReadAll(r)
	if err != nil {
		t.Fatalf("stream broken by a graceful shutdown: %v", err)
	}
	if !strings.Contains(string(rest), `"final":true`) {
		t.Fatalf("stream ended before its final event: %q", rest)
	}
	if err := cmd.Wait(); err != nil {
		t.Fatalf("a2a-proxy exit: %v", err)
	}
	ex := onlyStreamExchange(t, db)
	if ex.Outcome != recorder.OutcomeCompleted || ex.EventCount != 8 || !ex.RecordingComplete {
		t.Fatalf("after SIGTERM the recording is %+v", ex)
	}
}

// A stream still open when the grace period ends is cut; what it carried
// until then is kept, and the exchange says it was cut by the shutdown.
func TestSIGTERMCutsStreamsAfterGrace(t *testing.T) {
	bin := buildBinary(t)
	db := filepath.Join(t.TempDir(), "rec.db")
	cmd, url, _ := startProcess(t, bin, db, "--builtin-step-delay", "1h", "--shutdown-grace", "100ms")
	r, body := openStream(t, url)
	defer body.Close()
	if _, err := readBlock(r); err != nil { // the "working" status, sent before the first pause
		t.Fatal(err)
	}
	if err := cmd.Process.Signal(syscall.SIGTERM); err != nil {
		t.Fatal(err)
	}
	if _, err := io.ReadAll(r); err == nil {
		t.Error("a stream cut by shutdown read as a clean end")
	}
	if err := cmd.Wait(); err != nil {
		t.Fatalf("a2a-proxy exit: %v", err)
	}
	ex := onlyStreamExchange(t, db)
	// The agent sends the task, "working" and step 1 before its first pause.
	if ex.Outcome != recorder.OutcomeShutdown || ex.EventCount != 3 || !ex.RecordingComplete {
		t.Fatalf("recording after the cut: %+v", ex)
	}
}

func onlyStreamExchange(t *testing.T, db string) recorder.ExchangeDoc {
	t.Helper()
	ctx := context.Background()
	store, err := openRecorder(ctx, db, recorder.Options{})
	if err != nil {
		t.Fatal(err)
	}
	defer store.Close()
	page, err := store.ListTasks(ctx, recorder.TaskFilter{})
	if err != nil || len(page.Tasks) != 1 {
		t.Fatalf("tasks %+v %v", page, err)
	}
	detail, err := store.GetTask(ctx, page.Tasks[0].TaskID)
	if err != nil {
		t.Fatal(err)
	}
	for _, ex := range detail.Exchanges {
		if ex.Method == "message/stream" {
			return ex
		}
	}
	t.Fatalf("no stream exchange in %+v", detail.Exchanges)
	return recorder.ExchangeDoc{}
}
