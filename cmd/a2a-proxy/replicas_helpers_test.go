package main

import (
	"bufio"
	"bytes"
	"context"
	"encoding/json"
	"fmt"
	"io"
	"net/http"
	"os/exec"
	"regexp"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/a2aproxy/a2a-proxy/recorder"
	"github.com/a2aproxy/a2a-proxy/recorder/postgres"
)

// process is a real a2a-proxy process of a test; its log is shown when the
// test fails.
type process struct {
	cmd *exec.Cmd
	mu  sync.Mutex
	log bytes.Buffer
}

// runProcess starts bin with args and returns once a log line matches
// ready, with the line's submatches.
func runProcess(t *testing.T, name, bin string, ready *regexp.Regexp, args ...string) (*process, []string) {
	t.Helper()
	p := &process{cmd: exec.Command(bin, args...)}
	stderr, err := p.cmd.StderrPipe()
	if err != nil {
		t.Fatal(err)
	}
	if err := p.cmd.Start(); err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() {
		p.cmd.Process.Kill()
		p.cmd.Wait()
		if t.Failed() {
			p.mu.Lock()
			t.Logf("log of %s:\n%s", name, p.log.String())
			p.mu.Unlock()
		}
	})
	found := make(chan []string, 1)
	go func() {
		sc := bufio.NewScanner(stderr)
		for sc.Scan() {
			p.mu.Lock()
			p.log.WriteString(sc.Text() + "\n")
			p.mu.Unlock()
			if m := ready.FindStringSubmatch(sc.Text()); m != nil {
				select {
				case found <- m:
				default:
				}
			}
		}
	}()
	select {
	case m := <-found:
		return p, m
	case <-time.After(30 * time.Second):
		t.Fatalf("%s did not start", name)
		return nil, nil
	}
}

var (
	agentServing   = regexp.MustCompile(`msg="built-in agent serving" url=(\S+)`)
	replicaServing = regexp.MustCompile(`msg="a2a-proxy serving" data=(\S+) admin=(\S+)`)
)

// startAgent runs `a2a-proxy agent`: the upstream every replica fronts.
func startAgent(t *testing.T, bin string) string {
	t.Helper()
	_, m := runProcess(t, "agent", bin, agentServing, "agent", "--listen", "127.0.0.1:0", "--step-delay", "20ms")
	return m[1]
}

// replica is one `a2a-proxy serve` process; data is "off" in admin-only mode.
type replica struct {
	*process
	data, admin string
}

// startReplica runs `a2a-proxy serve` on ":0" ports, recording into db,
// fronting the agent at agentURL as "builtin" (no built-in agent of its
// own); args come last, so they override.
func startReplica(t *testing.T, bin, db, agentURL string, args ...string) replica {
	t.Helper()
	base := []string{"serve", "--listen", "127.0.0.1:0", "--admin-listen", "127.0.0.1:0", "--builtin=false",
		"--db", db, "--record-mode", "lossless"}
	if agentURL != "" {
		base = append(base, "--agent", "builtin="+agentURL)
	}
	p, m := runProcess(t, "replica", bin, replicaServing, append(base, args...)...)
	return replica{process: p, data: m[1], admin: m[2]}
}

const streamRequest = `{"jsonrpc":"2.0","id":1,"method":"message/stream","params":{"message":{"kind":"message","role":"user","messageId":"m1","parts":[{"kind":"text","text":"Process my data"}]}}}`

// streamAll posts a message/stream to url and returns the response's SSE
// blocks, byte for byte, once the stream is over.
func streamAll(t *testing.T, url string) []string {
	t.Helper()
	resp, err := http.Post(url, "application/json", strings.NewReader(streamRequest))
	if err != nil {
		t.Fatal(err)
	}
	defer resp.Body.Close()
	if resp.StatusCode != http.StatusOK || !strings.HasPrefix(resp.Header.Get("Content-Type"), "text/event-stream") {
		t.Fatalf("stream through %s: %s %s", url, resp.Status, resp.Header.Get("Content-Type"))
	}
	r := bufio.NewReader(resp.Body)
	var blocks []string
	for {
		block, err := readBlock(r)
		if block != "" {
			blocks = append(blocks, block)
		}
		if err == io.EOF {
			return blocks
		}
		if err != nil {
			t.Fatalf("read stream: %v", err)
		}
	}
}

// taskIDOf returns the task id the stream's events carry.
func taskIDOf(t *testing.T, blocks []string) string {
	t.Helper()
	for _, data := range sseData(blocks) {
		var doc struct {
			Result struct {
				ID     string `json:"id"`
				TaskID string `json:"taskId"`
				Kind   string `json:"kind"`
			} `json:"result"`
		}
		if json.Unmarshal([]byte(data), &doc) == nil {
			if doc.Result.Kind == "task" && doc.Result.ID != "" {
				return doc.Result.ID
			}
			if doc.Result.TaskID != "" {
				return doc.Result.TaskID
			}
		}
	}
	t.Fatalf("no task id in %q", blocks)
	return ""
}

// getTaskRPC sends tasks/get for taskID to url and returns the response body.
func getTaskRPC(t *testing.T, url, taskID string) string {
	t.Helper()
	body := fmt.Sprintf(`{"jsonrpc":"2.0","id":2,"method":"tasks/get","params":{"id":%q}}`, taskID)
	resp, err := http.Post(url, "application/json", strings.NewReader(body))
	if err != nil {
		t.Fatal(err)
	}
	defer resp.Body.Close()
	b, _ := io.ReadAll(resp.Body)
	if resp.StatusCode != http.StatusOK || !strings.Contains(string(b), `"result"`) {
		t.Fatalf("tasks/get through %s: %s %s", url, resp.Status, b)
	}
	return string(b)
}

// waitForTask polls admin's API until the task has exchanges exchanges, all
// ended, and returns it.
func waitForTask(t *testing.T, admin, taskID string, exchanges int) recorder.TaskDetail {
	t.Helper()
	deadline := time.Now().Add(30 * time.Second)
	for {
		var d recorder.TaskDetail
		resp, err := http.Get(admin + "/api/tasks/" + taskID)
		if err == nil {
			if resp.StatusCode == http.StatusOK {
				err = json.NewDecoder(resp.Body).Decode(&d)
			}
			resp.Body.Close()
		}
		if err == nil && len(d.Exchanges) == exchanges && allEnded(d.Exchanges) {
			return d
		}
		if time.Now().After(deadline) {
			t.Fatalf("task %s on %s: %d exchanges (want %d, all ended) after 30s (err %v)", taskID, admin, len(d.Exchanges), exchanges, err)
		}
		time.Sleep(20 * time.Millisecond) // polling the API, not waiting for a result to happen
	}
}

func allEnded(xs []recorder.ExchangeDoc) bool {
	for _, x := range xs {
		if x.EndedAt == nil {
			return false
		}
	}
	return true
}

// listedTasks returns the ids GET /api/tasks lists on admin.
func listedTasks(t *testing.T, admin string) []string {
	t.Helper()
	var page recorder.TaskPage
	getJSON(t, admin+"/api/tasks", &page)
	var ids []string
	for _, task := range page.Tasks {
		ids = append(ids, task.TaskID)
	}
	return ids
}

// sseData returns the data lines of the blocks.
func sseData(blocks []string) []string {
	var data []string
	for _, b := range blocks {
		for _, line := range strings.Split(b, "\n") {
			if d, ok := strings.CutPrefix(line, "data: "); ok {
				data = append(data, d)
			}
		}
	}
	return data
}

// storedTask reads the task straight from the database, raw bytes and all
// (the API leaves them out).
func storedTask(t *testing.T, dsn, taskID string) *recorder.TaskDetail {
	t.Helper()
	ctx, cancel := context.WithTimeout(context.Background(), 30*time.Second)
	defer cancel()
	s, err := postgres.Open(ctx, dsn)
	if err != nil {
		t.Fatal(err)
	}
	defer s.Close()
	d, err := s.GetTask(ctx, taskID)
	if err != nil {
		t.Fatal(err)
	}
	return d
}

// streamRaw returns the raw bytes recorded of the exchange's events.
func streamRaw(d *recorder.TaskDetail, exchangeID string) []string {
	var raw []string
	for _, ev := range d.Events {
		if ev.ExchangeID == exchangeID {
			raw = append(raw, string(ev.Raw))
		}
	}
	return raw
}
