// Package nodepeer starts real @a2a-js/sdk 1.3.0 peers (e2e/node/server.mjs and
// e2e/node/client.mjs) from Go tests, on loopback.
//
// The Node dependencies are installed by `make node-deps`
// (npm ci --prefix e2e/node). Without node or node_modules, Require skips the
// test, except under CI (env CI set), where it fails it.
package nodepeer

import (
	"bufio"
	"bytes"
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"os"
	"os/exec"
	"path/filepath"
	"runtime"
	"strconv"
	"strings"
	"sync"
	"syscall"
	"testing"
	"time"
)

// SDKVersion is the @a2a-js/sdk version e2e/node pins.
const SDKVersion = "1.3.0"

const (
	// startTimeout bounds how long StartServer waits for the LISTENING line.
	startTimeout = 30 * time.Second
	// defaultClientTimeout bounds RunClient when ctx has no deadline.
	defaultClientTimeout = 60 * time.Second
)

var (
	dirOnce sync.Once
	dirPath string
	dirErr  error
)

// Dir returns the absolute path of e2e/node. It panics if that directory cannot
// be found (which means the source tree is incomplete).
func Dir() string {
	dirOnce.Do(func() { dirPath, dirErr = findDir() })
	if dirErr != nil {
		panic(dirErr)
	}
	return dirPath
}

func findDir() (string, error) {
	var tried []string
	check := func(root string) (string, bool) {
		d := filepath.Join(root, "e2e", "node")
		tried = append(tried, d)
		if fi, err := os.Stat(filepath.Join(d, "package.json")); err == nil && !fi.IsDir() {
			return d, true
		}
		return "", false
	}
	// 1. This source file's location (absolute unless built with -trimpath).
	if _, file, _, ok := runtime.Caller(0); ok && filepath.IsAbs(file) {
		if d, ok := check(filepath.Join(filepath.Dir(file), "..", "..")); ok {
			return filepath.Clean(d), nil
		}
	}
	// 2. Walk up from the working directory (go test runs in the package dir).
	if wd, err := os.Getwd(); err == nil {
		for dir := wd; ; dir = filepath.Dir(dir) {
			if _, err := os.Stat(filepath.Join(dir, "go.mod")); err == nil {
				if d, ok := check(dir); ok {
					return d, nil
				}
			}
			if filepath.Dir(dir) == dir {
				break
			}
		}
	}
	// 3. The main module's go.mod, as the go command sees it.
	if out, err := exec.Command("go", "env", "GOMOD").Output(); err == nil {
		if gomod := strings.TrimSpace(string(out)); gomod != "" && gomod != os.DevNull {
			if d, ok := check(filepath.Dir(gomod)); ok {
				return d, nil
			}
		}
	}
	return "", fmt.Errorf("nodepeer: cannot find e2e/node (tried %s)", strings.Join(tried, ", "))
}

// Missing reports why the Node peers cannot run here, or "" if they can: node
// must be on PATH and e2e/node/node_modules must hold @a2a-js/sdk SDKVersion
// and express.
func Missing() string {
	if _, err := exec.LookPath("node"); err != nil {
		return "node is not on PATH"
	}
	dir := Dir()
	raw, err := os.ReadFile(filepath.Join(dir, "node_modules", "@a2a-js", "sdk", "package.json"))
	if err != nil {
		return "e2e/node/node_modules is missing or has no @a2a-js/sdk"
	}
	var pkg struct {
		Version string `json:"version"`
	}
	if json.Unmarshal(raw, &pkg) != nil || pkg.Version != SDKVersion {
		return fmt.Sprintf("e2e/node/node_modules has @a2a-js/sdk %q, want %s (stale install)", pkg.Version, SDKVersion)
	}
	if _, err := os.Stat(filepath.Join(dir, "node_modules", "express", "package.json")); err != nil {
		return "e2e/node/node_modules has no express"
	}
	return ""
}

// Require skips the test when the Node peers cannot run here, or fails it when
// the environment variable CI is set: in CI these tests must run.
func Require(t testing.TB) {
	t.Helper()
	why := Missing()
	if why == "" {
		return
	}
	fix := "run `make node-deps` (npm ci --prefix e2e/node --no-audit --no-fund)"
	if strings.HasPrefix(why, "node ") {
		fix = "install Node.js >= 20 with npm (Debian: apt-get install nodejs npm), then " + fix
	}
	if os.Getenv("CI") != "" {
		t.Fatalf("nodepeer: %s; CI must run the @a2a-js/sdk %s end-to-end tests: %s before go test", why, SDKVersion, fix)
	}
	t.Skipf("nodepeer: %s; to run the @a2a-js/sdk %s end-to-end tests, %s", why, SDKVersion, fix)
}

// ServerOptions configures StartServer.
type ServerOptions struct {
	// Legacy also serves A2A v0.3 (legacyCompat on the card, JSON-RPC and REST
	// handlers, and v0.3 interfaces on the card).
	Legacy bool
	// StepDelay is the pause between the agent's steps. Zero means the server's
	// default (20ms); a negative value means no pause.
	StepDelay time.Duration
	// Log, if set, also receives the server's stderr (SDK logs and one
	// "[server] METHOD PATH A2A-Version=..." line per request).
	Log io.Writer
}

// lockedBuffer is a bytes.Buffer safe for one writer and concurrent readers.
type lockedBuffer struct {
	mu  sync.Mutex
	buf bytes.Buffer
}

func (b *lockedBuffer) Write(p []byte) (int, error) {
	b.mu.Lock()
	defer b.mu.Unlock()
	return b.buf.Write(p)
}

func (b *lockedBuffer) String() string {
	b.mu.Lock()
	defer b.mu.Unlock()
	return b.buf.String()
}

// StartServer starts e2e/node/server.mjs on 127.0.0.1 (a free port) and returns
// its base URL, e.g. "http://127.0.0.1:41234". The agent card is at
// BASE/.well-known/agent-card.json, JSON-RPC at BASE/a2a/jsonrpc and REST under
// BASE/a2a/rest. The process is stopped (SIGTERM, then SIGKILL) in t.Cleanup,
// and its stderr is logged if the test failed.
func StartServer(t testing.TB, opts ServerOptions) (baseURL string) {
	t.Helper()
	Require(t)

	args := []string{"server.mjs", "--port", "0", "--exit-on-stdin-eof"}
	if opts.Legacy {
		args = append(args, "--legacy")
	}
	if opts.StepDelay != 0 {
		ms := opts.StepDelay.Milliseconds()
		if ms < 0 {
			ms = 0
		}
		args = append(args, "--step-delay-ms", strconv.FormatInt(ms, 10))
	}

	ctx, cancel := context.WithCancel(context.Background())
	cmd := exec.CommandContext(ctx, "node", args...)
	cmd.Dir = Dir()
	cmd.Cancel = func() error { return cmd.Process.Signal(syscall.SIGTERM) }
	cmd.WaitDelay = 5 * time.Second

	stderr := &lockedBuffer{}
	if opts.Log != nil {
		cmd.Stderr = io.MultiWriter(stderr, opts.Log)
	} else {
		cmd.Stderr = stderr
	}
	// Our end of stdin stays open for the server's lifetime; if the test binary
	// dies, the pipe closes and the server (--exit-on-stdin-eof) exits too.
	stdin, err := cmd.StdinPipe()
	if err != nil {
		cancel()
		t.Fatalf("nodepeer: stdin pipe: %v", err)
	}
	stdout, err := cmd.StdoutPipe()
	if err != nil {
		cancel()
		t.Fatalf("nodepeer: stdout pipe: %v", err)
	}
	if err := cmd.Start(); err != nil {
		cancel()
		t.Fatalf("nodepeer: start node %s: %v", strings.Join(args, " "), err)
	}

	waitErr := make(chan error, 1)
	listening := make(chan string, 1)
	go func() {
		sc := bufio.NewScanner(stdout)
		found := false
		for sc.Scan() {
			line := sc.Text()
			if !found {
				if rest, ok := strings.CutPrefix(line, "LISTENING "); ok {
					found = true
					listening <- strings.TrimSpace(rest)
					continue
				}
			}
			fmt.Fprintf(stderr, "[stdout] %s\n", line)
		}
		_, _ = io.Copy(io.Discard, stdout)
		waitErr <- cmd.Wait()
	}()

	var stopOnce sync.Once
	var exitErr error
	stop := func() {
		stopOnce.Do(func() {
			cancel()
			_ = stdin.Close()
			exitErr = <-waitErr
		})
	}
	t.Cleanup(func() {
		stop()
		if t.Failed() {
			t.Logf("nodepeer: server.mjs %s stderr:\n%s", strings.Join(args[1:], " "), stderr.String())
		}
	})

	timer := time.NewTimer(startTimeout)
	defer timer.Stop()
	select {
	case u := <-listening:
		return u
	case err := <-waitErr:
		waitErr <- err // let stop() return
		t.Fatalf("nodepeer: server.mjs exited before listening: %v\nstderr:\n%s", err, stderr.String())
	case <-timer.C:
		stop()
		t.Fatalf("nodepeer: server.mjs did not print LISTENING within %v (exit: %v)\nstderr:\n%s", startTimeout, exitErr, stderr.String())
	}
	return ""
}

// Transports accepted by ClientOptions.Transport.
const (
	TransportJSONRPC = "jsonrpc" // v1.0 ClientFactory + JsonRpcTransportFactory
	TransportREST    = "rest"    // v1.0 ClientFactory + RestTransportFactory
	TransportLegacy  = "legacy"  // pure v0.3: LegacyJsonRpcTransport, no A2A-Version header
)

// Formats accepted by ClientOptions.Format.
const (
	FormatSDK  = "sdk"  // JSON.stringify of what the SDK yielded (default)
	FormatWire = "wire" // the SDK's proto-JSON toJSON of it: the v1.0 wire shape
)

// ClientOptions configures RunClient.
type ClientOptions struct {
	// URL is the agent base URL; the client discovers the card at
	// URL/.well-known/agent-card.json (resolved like the SDK does it:
	// new URL(".well-known/agent-card.json", URL), so a URL with a path
	// needs a trailing slash to keep it).
	URL       string
	Text      string // the user's text; "die" makes server.mjs drop the connection mid-stream
	Transport string // TransportJSONRPC (default), TransportREST or TransportLegacy
	Unary     bool   // sendMessage (blocking) instead of sendMessageStream
	Format    string // FormatSDK (default) or FormatWire
}

// ClientResult is what client.mjs reported.
type ClientResult struct {
	// Events holds one JSON document per event, in arrival order. In FormatSDK
	// a streamed event is {"payload":{"$case":"task|statusUpdate|artifactUpdate|message","value":{...}}}
	// with enums as numbers; a unary result is the bare Task or Message.
	// Decode them with Summarize.
	Events []json.RawMessage
	// Fetches lists every HTTP request the SDK made, in order, as
	// "METHOD URL", e.g. "GET http://127.0.0.1:1234/.well-known/agent-card.json".
	Fetches []string
	// Done is true when the client printed DONE (everything went through).
	Done bool
	// Err is the client's "ERROR <message>", or why the process failed; "" on success.
	Err string
	// Stderr is the client's whole stderr, for diagnostics.
	Stderr string
}

// FetchURLs returns the URLs of r.Fetches.
func (r ClientResult) FetchURLs() []string {
	urls := make([]string, 0, len(r.Fetches))
	for _, f := range r.Fetches {
		_, u, _ := strings.Cut(f, " ")
		urls = append(urls, u)
	}
	return urls
}

// RunClient runs e2e/node/client.mjs to completion and returns what it saw. A
// client-side failure (an A2A error, a dropped connection) is reported in
// ClientResult.Err, not as a test failure. If ctx has no deadline, a 60s
// timeout applies. The client's stderr is logged if the test failed.
func RunClient(ctx context.Context, t testing.TB, opts ClientOptions) ClientResult {
	t.Helper()
	Require(t)

	transport := opts.Transport
	if transport == "" {
		transport = TransportJSONRPC
	}
	format := opts.Format
	if format == "" {
		format = FormatSDK
	}
	args := []string{"client.mjs", "--url", opts.URL, "--text", opts.Text, "--transport", transport, "--format", format}
	if opts.Unary {
		args = append(args, "--unary")
	}

	if _, ok := ctx.Deadline(); !ok {
		var cancel context.CancelFunc
		ctx, cancel = context.WithTimeout(ctx, defaultClientTimeout)
		defer cancel()
	}
	cmd := exec.CommandContext(ctx, "node", args...)
	cmd.Dir = Dir()
	cmd.WaitDelay = 5 * time.Second
	var stdout, stderr bytes.Buffer
	cmd.Stdout = &stdout
	cmd.Stderr = &stderr
	runErr := cmd.Run()

	res := parseClientOutput(stdout.String(), stderr.String())
	switch {
	case res.Err != "":
	case ctx.Err() != nil:
		res.Err = fmt.Sprintf("client.mjs did not finish: %v", ctx.Err())
	case runErr != nil:
		res.Err = fmt.Sprintf("client.mjs failed: %v", runErr)
	case !res.Done:
		res.Err = "client.mjs ended without DONE"
	}
	if runErr != nil && res.Done && res.Err == "" {
		res.Err = fmt.Sprintf("client.mjs printed DONE but failed: %v", runErr)
	}

	t.Cleanup(func() {
		if t.Failed() {
			t.Logf("nodepeer: client.mjs %s\nstdout:\n%s\nstderr:\n%s", strings.Join(args[1:], " "), stdout.String(), stderr.String())
		}
	})
	return res
}

func parseClientOutput(stdout, stderr string) ClientResult {
	res := ClientResult{Stderr: stderr}
	for _, line := range strings.Split(stdout, "\n") {
		line = strings.TrimRight(line, "\r")
		switch {
		case line == "":
		case line == "DONE":
			res.Done = true
		case strings.HasPrefix(line, "ERROR "):
			res.Err = strings.TrimPrefix(line, "ERROR ")
		case json.Valid([]byte(line)):
			res.Events = append(res.Events, json.RawMessage(line))
		default:
			if res.Err == "" {
				res.Err = "unexpected client output: " + line
			}
		}
	}
	for _, line := range strings.Split(stderr, "\n") {
		if rest, ok := strings.CutPrefix(strings.TrimRight(line, "\r"), "FETCH "); ok {
			res.Fetches = append(res.Fetches, rest)
		}
	}
	return res
}

// Event kinds reported by Summarize (the v0.3 spellings).
const (
	KindTask           = "task"
	KindMessage        = "message"
	KindStatusUpdate   = "status-update"
	KindArtifactUpdate = "artifact-update"
)

// Event is a summary of one event line of ClientResult.Events.
type Event struct {
	Kind         string // one of the Kind constants
	TaskID       string // the task's id, or the update's/message's taskId
	ContextID    string
	State        string // "TASK_STATE_WORKING" etc. for tasks and status updates
	Text         string // text parts of the status message, artifact or message, joined with "\n"
	ArtifactName string
}

// taskStates maps @a2a-js/sdk's numeric TaskState enum to its names.
var taskStates = []string{
	"TASK_STATE_UNSPECIFIED", "TASK_STATE_SUBMITTED", "TASK_STATE_WORKING", "TASK_STATE_COMPLETED",
	"TASK_STATE_FAILED", "TASK_STATE_CANCELED", "TASK_STATE_INPUT_REQUIRED", "TASK_STATE_REJECTED",
	"TASK_STATE_AUTH_REQUIRED",
}

type jsonPart struct {
	Text    *string `json:"text"` // FormatWire
	Content *struct {
		Case  string          `json:"$case"`
		Value json.RawMessage `json:"value"`
	} `json:"content"` // FormatSDK
}

type jsonMessage struct {
	MessageID string     `json:"messageId"`
	TaskID    string     `json:"taskId"`
	ContextID string     `json:"contextId"`
	Parts     []jsonPart `json:"parts"`
}

type jsonStatus struct {
	State   json.RawMessage `json:"state"` // number (sdk) or string (wire)
	Message *jsonMessage    `json:"message"`
}

type jsonBody struct {
	ID        string      `json:"id"`
	TaskID    string      `json:"taskId"`
	ContextID string      `json:"contextId"`
	MessageID string      `json:"messageId"`
	Status    *jsonStatus `json:"status"`
	Parts     []jsonPart  `json:"parts"`
	Artifact  *struct {
		Name  string     `json:"name"`
		Parts []jsonPart `json:"parts"`
	} `json:"artifact"`
}

func partsText(parts []jsonPart) string {
	var texts []string
	for _, p := range parts {
		switch {
		case p.Text != nil:
			texts = append(texts, *p.Text)
		case p.Content != nil && p.Content.Case == "text":
			var s string
			if json.Unmarshal(p.Content.Value, &s) == nil {
				texts = append(texts, s)
			}
		}
	}
	return strings.Join(texts, "\n")
}

func stateName(raw json.RawMessage) string {
	if len(raw) == 0 {
		return ""
	}
	var s string
	if json.Unmarshal(raw, &s) == nil {
		return s
	}
	var n int
	if json.Unmarshal(raw, &n) == nil {
		if n >= 0 && n < len(taskStates) {
			return taskStates[n]
		}
		return "TASK_STATE_" + strconv.Itoa(n)
	}
	return ""
}

// Summarize decodes one event line printed by client.mjs, in either format:
// a streamed StreamResponse ({"payload":{"$case":..}} or {"task":..} etc.) or
// a unary result (a bare Task or Message).
func Summarize(raw json.RawMessage) (Event, error) {
	var top map[string]json.RawMessage
	if err := json.Unmarshal(raw, &top); err != nil {
		return Event{}, fmt.Errorf("nodepeer: event is not a JSON object: %w", err)
	}
	kind, body := "", raw
	if p, ok := top["payload"]; ok { // FormatSDK StreamResponse
		var payload struct {
			Case  string          `json:"$case"`
			Value json.RawMessage `json:"value"`
		}
		if err := json.Unmarshal(p, &payload); err != nil {
			return Event{}, fmt.Errorf("nodepeer: bad payload: %w", err)
		}
		kind, body = payload.Case, payload.Value
	} else {
		for _, k := range []string{"task", "message", "statusUpdate", "artifactUpdate"} { // FormatWire
			if v, ok := top[k]; ok && len(top) == 1 {
				kind, body = k, v
			}
		}
		if kind == "" { // unary: bare Task or Message
			if _, ok := top["messageId"]; ok {
				kind = "message"
			} else if _, ok := top["status"]; ok {
				kind = "task"
			}
		}
	}
	var b jsonBody
	if err := json.Unmarshal(body, &b); err != nil {
		return Event{}, fmt.Errorf("nodepeer: bad %s body: %w", kind, err)
	}
	ev := Event{ContextID: b.ContextID}
	switch kind {
	case "task", "statusUpdate":
		ev.Kind, ev.TaskID = KindTask, b.ID
		if kind == "statusUpdate" {
			ev.Kind, ev.TaskID = KindStatusUpdate, b.TaskID
		}
		if b.Status != nil {
			ev.State = stateName(b.Status.State)
			if b.Status.Message != nil {
				ev.Text = partsText(b.Status.Message.Parts)
			}
		}
	case "artifactUpdate":
		ev.Kind, ev.TaskID = KindArtifactUpdate, b.TaskID
		if b.Artifact != nil {
			ev.ArtifactName, ev.Text = b.Artifact.Name, partsText(b.Artifact.Parts)
		}
	case "message":
		ev.Kind, ev.TaskID, ev.Text = KindMessage, b.TaskID, partsText(b.Parts)
	default:
		return Event{}, errors.New("nodepeer: unknown event shape: " + string(raw))
	}
	return ev, nil
}

// SummarizeAll decodes every event of r, failing t on an undecodable one.
func (r ClientResult) SummarizeAll(t testing.TB) []Event {
	t.Helper()
	evs := make([]Event, 0, len(r.Events))
	for i, raw := range r.Events {
		ev, err := Summarize(raw)
		if err != nil {
			t.Fatalf("event %d: %v", i, err)
		}
		evs = append(evs, ev)
	}
	return evs
}
