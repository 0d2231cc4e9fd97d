package main

import (
	"context"
	"errors"
	"fmt"
	"io"
	"net/url"
	"strings"
	"time"

	"github.com/a2aproxy/a2a-proxy/internal/diffrec"
	"github.com/a2aproxy/a2a-proxy/recorder"
)

const rerunUsage = `Usage: a2a-proxy rerun [flags] TASK_ID

Sends a recorded task's requests again, in order, through the running proxy
to a live agent, so that the new run is recorded too; waits until the proxy
has recorded it, then prints the diff against the original, as a2a-proxy diff
does (its flags apply). For regression testing an agent after a change.

Each message gets a fresh message id; task and context ids of the original
run are replaced with the new run's as its responses reveal them, and
dropped from a message when they are not known. Only the headers the
protocol needs are sent again (Content-Type, Accept, A2A-Version and the
extensions headers): recorded credentials never are (they are redacted
anyway). --db must be the database the proxy records into.

Exit status: 0 equal, 1 different, 2 bad usage or error.

Examples:
  a2a-proxy rerun TASK_ID
  a2a-proxy rerun --agent staging TASK_ID      # the proxy's agent "staging"
  a2a-proxy rerun --proxy http://proxy:8080 --agent http://proxy:8080/agents/v2/ TASK_ID

  # The built-in agent's artifact says when it ran: ignore it to see the
  # runs equal.
  a2a-proxy rerun --ignore '$..artifact.parts[*].text' TASK_ID`

func runRerun(ctx context.Context, args []string, stdout, stderr io.Writer) error {
	fs := newFlagSet("rerun", rerunUsage, stderr)
	db := fs.String("db", "a2a-proxy.db", "recording database of the running proxy: the original is read from it, the new run awaited in it")
	agent := fs.String("agent", "", "send to the proxy's agent of this NAME, or to this absolute URL on the proxy\n(default: the agent that answered the original)")
	proxyURL := fs.String("proxy", "http://localhost:8080", "the running proxy's data plane")
	timeout := fs.Duration("timeout", 5*time.Minute, "how long the requests of the rerun may take, together")
	wait := fs.Duration("wait", 30*time.Second, "how long to wait, after the last response, for the proxy to record the new run")
	var df diffFlags
	df.register(fs)
	operands, err := parseOperands(fs, args)
	if err != nil {
		return flagError(err)
	}
	if len(operands) != 1 {
		return usageErrorf("want one TASK_ID, got %d arguments", len(operands))
	}
	if err := df.opts.Validate(); err != nil {
		return usageErrorf("%v", err)
	}
	target, err := newRerunTarget(*proxyURL, *agent)
	if err != nil {
		return usageErrorf("%v", err)
	}
	if *wait <= 0 || *timeout <= 0 {
		return usageErrorf("--wait and --timeout must be positive")
	}
	fail := func(err error) error { return exitError{code: 2, err: err} }

	store, err := openRecording(ctx, *db)
	if err != nil {
		return fail(err)
	}
	defer store.Close()
	orig, err := store.Recording(ctx, operands[0])
	if errors.Is(err, recorder.ErrNotFound) {
		return fail(fmt.Errorf("no task %q in %s (a2a-proxy tasks lists them)", operands[0], *db))
	}
	if err != nil {
		return fail(err)
	}
	sendCtx, cancel := context.WithTimeout(ctx, *timeout)
	defer cancel()
	newTaskID, linked, err := newRerun(orig, target).send(sendCtx)
	if errors.Is(err, context.DeadlineExceeded) {
		return fail(fmt.Errorf("%w: the rerun took longer than --timeout %s", err, *timeout))
	}
	if err != nil {
		return fail(err)
	}
	fmt.Fprintf(stderr, "rerun of task %s is task %s; waiting for the proxy to record it\n", orig.Task.TaskID, newTaskID)
	rec, err := awaitRecorded(ctx, store, newTaskID, linked, *wait)
	if err != nil {
		return fail(err)
	}
	res := diffrec.Compare(orig.Task.TaskID, orig, newTaskID, rec, df.opts)
	return df.print(stdout, res)
}

// rerunTarget says where the requests of a rerun go.
type rerunTarget struct {
	proxy *url.URL // the data plane
	agent string   // a named agent of the proxy, or ""
	base  string   // an absolute agent URL, or ""
}

func newRerunTarget(proxyURL, agent string) (rerunTarget, error) {
	p, err := url.Parse(proxyURL)
	if err != nil || (p.Scheme != "http" && p.Scheme != "https") || p.Host == "" {
		return rerunTarget{}, fmt.Errorf("--proxy %q: want an http(s) URL", proxyURL)
	}
	t := rerunTarget{proxy: p}
	switch u, err := url.Parse(agent); {
	case agent == "":
	case err == nil && u.IsAbs():
		if u.Scheme != "http" && u.Scheme != "https" || u.Host == "" {
			return rerunTarget{}, fmt.Errorf("--agent %q: want a name or an http(s) URL", agent)
		}
		t.base = strings.TrimSuffix(agent, "/")
	case strings.ContainsAny(agent, "/?#"):
		return rerunTarget{}, fmt.Errorf("--agent %q: want a name or an absolute URL", agent)
	default:
		t.agent = agent
	}
	return t, nil
}

// url is where to send a recorded request: by default the path the client
// used on the proxy, else that path relative to the recorded agent's base,
// on the chosen agent.
func (t rerunTarget) url(x *recorder.RecordedExchange) string {
	base := strings.TrimSuffix(t.proxy.String(), "/")
	if t.agent == "" && t.base == "" {
		return base + x.Path
	}
	rel := x.Path
	if prefix := "/agents/" + x.Agent; x.Agent != "" && strings.HasPrefix(rel, prefix) {
		if rest := rel[len(prefix):]; rest == "" || rest[0] == '/' || rest[0] == '?' {
			rel = rest
		}
	}
	if t.base != "" {
		return t.base + rel
	}
	return base + "/agents/" + url.PathEscape(t.agent) + rel
}

// awaitRecorded polls the store until the task is recorded with at least
// want exchanges, all of them ended, or the deadline passes.
func awaitRecorded(ctx context.Context, store recorder.Reader, taskID string, want int, wait time.Duration) (*recorder.Recording, error) {
	ctx, cancel := context.WithTimeout(ctx, wait)
	defer cancel()
	tick := time.NewTicker(20 * time.Millisecond)
	defer tick.Stop()
	for {
		rec, err := store.Recording(ctx, taskID)
		if err != nil && !errors.Is(err, recorder.ErrNotFound) && ctx.Err() == nil {
			return nil, fmt.Errorf("read the new run: %w", err)
		}
		if err == nil && recordedWhole(rec, want) {
			return rec, nil
		}
		select {
		case <-ctx.Done():
			return nil, fmt.Errorf("the proxy did not record task %s within %s: is --db the proxy's database?", taskID, wait)
		case <-tick.C:
		}
	}
}

func recordedWhole(rec *recorder.Recording, want int) bool {
	if len(rec.Exchanges) < want {
		return false
	}
	for _, x := range rec.Exchanges {
		if x.End == nil {
			return false
		}
	}
	return true
}
