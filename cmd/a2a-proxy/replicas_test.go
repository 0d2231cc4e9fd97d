package main

import (
	"bufio"
	"context"
	"encoding/json"
	"fmt"
	"net/http"
	"os/exec"
	"slices"
	"strings"
	"syscall"
	"testing"
	"time"

	"github.com/a2aproxy/a2a-proxy/internal/pgtest"
	"github.com/a2aproxy/a2a-proxy/recorder"
)

// TestReplicasShareOneStore pins issue 11's replicas on the real binary:
// two `serve` processes on one PostgreSQL database in front of one agent,
// and an admin-only third (--listen ""). A task streamed through one
// replica and fetched with tasks/get through the other is one task, with
// both exchanges, every event and its final state, and all three admin
// planes list it and show the same task.
func TestReplicasShareOneStore(t *testing.T) {
	t.Parallel()
	bin := buildBinary(t)
	dsn := pgtest.Start(t)
	agent := startAgent(t, bin)
	a, b := startReplica(t, bin, dsn, agent), startReplica(t, bin, dsn, agent)
	admin := startReplica(t, bin, dsn, "", "--listen", "")
	if admin.data != "off" {
		t.Fatalf("admin-only replica logged data=%s", admin.data)
	}

	blocks := streamAll(t, a.data+"/")
	taskID := taskIDOf(t, blocks)
	getTaskRPC(t, b.data+"/", taskID)

	want := waitForTask(t, a.admin, taskID, 2)
	if got := want.Task; got.State != "completed" || got.ExchangeCount != 2 || got.EventCount != len(blocks)+1 {
		t.Errorf("task on a: state %q, %d exchanges, %d events; want completed, 2, %d (the stream's and tasks/get's)",
			got.State, got.ExchangeCount, got.EventCount, len(blocks)+1)
	}
	if len(want.Events) != len(blocks)+1 {
		t.Errorf("task on a has %d events, want %d", len(want.Events), len(blocks)+1)
	}
	methods := []string{want.Exchanges[0].Method, want.Exchanges[1].Method}
	if !slices.Equal(methods, []string{"message/stream", "tasks/get"}) {
		t.Errorf("exchanges %v, want the stream then tasks/get", methods)
	}
	if raw := streamRaw(storedTask(t, dsn, taskID), want.Exchanges[0].ID); !slices.Equal(raw, blocks) {
		t.Errorf("recorded\n%q\nthe client got\n%q", raw, blocks)
	}
	wantJSON, _ := json.Marshal(want)
	for name, r := range map[string]replica{"b": b, "admin-only": admin} {
		got := waitForTask(t, r.admin, taskID, 2)
		if gotJSON, _ := json.Marshal(got); string(gotJSON) != string(wantJSON) {
			t.Errorf("replica %s shows the task differently:\n%s\nwant\n%s", name, gotJSON, wantJSON)
		}
		if ids := listedTasks(t, r.admin); !slices.Contains(ids, taskID) {
			t.Errorf("replica %s lists %v, not %s", name, ids, taskID)
		}
	}
	resp, err := http.Get(admin.admin + "/agents")
	if err != nil {
		t.Fatal(err)
	}
	resp.Body.Close()
	if resp.StatusCode != http.StatusOK {
		t.Errorf("admin-only agents page: %s", resp.Status)
	}
}

// liveEvent is what GET /api/live sends, as far as the tests read it.
type liveEvent struct {
	ExchangeID string          `json:"exchangeId"`
	Seq        int             `json:"seq"`
	Agent      string          `json:"agent"`
	TaskID     string          `json:"taskId"`
	Data       json.RawMessage `json:"data"`
	seen       time.Time
}

func (e liveEvent) key() string { return fmt.Sprintf("%s/%d", e.ExchangeID, e.Seq) }

// watchLive follows admin's /api/live until the test ends.
func watchLive(t *testing.T, admin string) <-chan liveEvent {
	t.Helper()
	ctx, cancel := context.WithCancel(context.Background())
	t.Cleanup(cancel)
	req, _ := http.NewRequestWithContext(ctx, http.MethodGet, admin+"/api/live", nil)
	resp, err := http.DefaultClient.Do(req)
	if err != nil {
		t.Fatal(err)
	}
	r := bufio.NewReader(resp.Body)
	if _, err := readBlock(r); err != nil { // the hello: subscribed
		t.Fatal(err)
	}
	ch := make(chan liveEvent, 4096)
	go func() {
		defer resp.Body.Close()
		for {
			block, err := readBlock(r)
			now := time.Now()
			for _, data := range sseData([]string{block}) {
				var ev liveEvent
				if json.Unmarshal([]byte(data), &ev) == nil {
					ev.seen = now
					ch <- ev
				}
			}
			if err != nil {
				return
			}
		}
	}()
	return ch
}

// warmUp sends tasks/get calls for an unknown task through via until feed
// shows one: the feed's replica listens for the others' commits.
func warmUp(t *testing.T, via string, feed <-chan liveEvent) {
	t.Helper()
	body := `{"jsonrpc":"2.0","id":9,"method":"tasks/get","params":{"id":"warm-up"}}`
	for range 300 {
		resp, err := http.Post(via+"/", "application/json", strings.NewReader(body))
		if err != nil {
			t.Fatal(err)
		}
		resp.Body.Close()
		select {
		case <-feed:
			for {
				select {
				case <-feed: // other warm-ups
				case <-time.After(300 * time.Millisecond):
					return
				}
			}
		case <-time.After(100 * time.Millisecond):
		}
	}
	t.Fatal("the feed never showed the other replica's events")
}

// collect reads feed until it has every key of want, then a little longer
// for duplicates.
func collect(t *testing.T, feed <-chan liveEvent, want map[string]bool) map[string][]liveEvent {
	t.Helper()
	got := map[string][]liveEvent{}
	deadline := time.After(30 * time.Second)
	for missing := len(want); missing > 0; {
		select {
		case ev := <-feed:
			if want[ev.key()] && len(got[ev.key()]) == 0 {
				missing--
			}
			got[ev.key()] = append(got[ev.key()], ev)
		case <-deadline:
			t.Fatalf("the feed showed %d of %d events in 30s", len(want)-missing, len(want))
		}
	}
	quiet := time.After(300 * time.Millisecond) // a duplicate would follow at once
	for {
		select {
		case ev := <-feed:
			got[ev.key()] = append(got[ev.key()], ev)
		case <-quiet:
			return got
		}
	}
}

// TestLiveFeedAcrossReplicas pins that GET /api/live on every replica (the
// admin-only one too) shows the events any replica records, each once and
// as recorded, and measures how much later than on the recording replica
// they show up elsewhere (LISTEN/NOTIFY, then a read by key).
func TestLiveFeedAcrossReplicas(t *testing.T) {
	t.Parallel()
	bin := buildBinary(t)
	dsn := pgtest.Start(t)
	agent := startAgent(t, bin)
	a, b := startReplica(t, bin, dsn, agent), startReplica(t, bin, dsn, agent)
	admin := startReplica(t, bin, dsn, "", "--listen", "")
	feeds := map[string]<-chan liveEvent{"a": watchLive(t, a.admin), "b": watchLive(t, b.admin), "admin-only": watchLive(t, admin.admin)}
	warmUp(t, a.data, feeds["b"])
	warmUp(t, a.data, feeds["admin-only"])
	warmUp(t, b.data, feeds["a"])
	for _, feed := range feeds { // the warm-ups seen there
		for len(feed) > 0 {
			<-feed
		}
	}

	const streams = 5
	var taskIDs []string
	for i := range streams {
		via := []replica{a, b}[i%2]
		taskIDs = append(taskIDs, taskIDOf(t, streamAll(t, via.data+"/")))
	}
	want := map[string]bool{}
	var recorded []recorder.EventDoc
	for _, id := range taskIDs {
		d := waitForTask(t, a.admin, id, 1)
		recorded = append(recorded, d.Events...)
		for _, ev := range d.Events {
			want[fmt.Sprintf("%s/%d", ev.ExchangeID, ev.Seq)] = true
		}
	}
	got := map[string]map[string][]liveEvent{}
	for name, feed := range feeds {
		got[name] = collect(t, feed, want)
		for _, ev := range recorded {
			shown := got[name][fmt.Sprintf("%s/%d", ev.ExchangeID, ev.Seq)]
			if len(shown) != 1 {
				t.Errorf("feed of %s showed %s/%d %d times, want once", name, ev.ExchangeID, ev.Seq, len(shown))
				continue
			}
			if string(shown[0].Data) != string(ev.Data) || shown[0].Agent != "builtin" || shown[0].TaskID != ev.TaskID {
				t.Errorf("feed of %s showed %s/%d as %s (agent %q), recorded %s", name, ev.ExchangeID, ev.Seq, shown[0].Data, shown[0].Agent, ev.Data)
			}
		}
	}
	// Latency: an event shows on the recording replica's feed right after
	// its commit; how much later does it show on the others?
	var lags []time.Duration
	for key := range want {
		fromA, fromB, fromAdmin := got["a"][key][0].seen, got["b"][key][0].seen, got["admin-only"][key][0].seen
		recorded, other := fromA, fromB // the earlier is the recording replica
		if fromB.Before(fromA) {
			recorded, other = fromB, fromA
		}
		lags = append(lags, other.Sub(recorded), fromAdmin.Sub(recorded))
	}
	slices.Sort(lags)
	if len(lags) > 0 {
		t.Logf("live feed lag, recording replica -> other replica: %d samples, median %v, p99 %v, max %v",
			len(lags), lags[len(lags)/2], lags[len(lags)*99/100], lags[len(lags)-1])
	}
}

// TestAdminOnlyServe pins `serve --listen ""`: no data plane, no built-in
// agent, no agents required; the admin plane serves the store and the
// process stops cleanly. --agent without a data plane is refused.
func TestAdminOnlyServe(t *testing.T) {
	t.Parallel()
	bin := buildBinary(t)
	db := t.TempDir() + "/admin.db"
	p, m := runProcess(t, "admin-only", bin, replicaServing,
		"serve", "--listen", "", "--admin-listen", "127.0.0.1:0", "--builtin-listen", "127.0.0.1:0", "--db", db)
	r := replica{process: p, data: m[1], admin: m[2]}
	if r.data != "off" {
		t.Errorf("data=%s, want off", r.data)
	}
	for _, path := range []string{"/api/tasks", "/api/status", "/agents", "/"} {
		resp, err := http.Get(r.admin + path)
		if err != nil {
			t.Fatal(err)
		}
		resp.Body.Close()
		if resp.StatusCode != http.StatusOK {
			t.Errorf("GET %s: %s", path, resp.Status)
		}
	}
	if err := r.cmd.Process.Signal(syscall.SIGTERM); err != nil {
		t.Fatal(err)
	}
	if err := r.cmd.Wait(); err != nil {
		t.Errorf("exit after SIGTERM: %v", err)
	}
	r.mu.Lock()
	log := r.log.String()
	r.mu.Unlock()
	if strings.Contains(log, "built-in agent") || strings.Contains(log, "msg=agent ") {
		t.Errorf("admin-only mode started an agent:\n%s", log)
	}

	out, err := exec.Command(bin, "serve", "--listen", "", "--admin-listen", "127.0.0.1:0", "--db", db, "--agent", "x=http://127.0.0.1:1/").CombinedOutput()
	if err == nil || !strings.Contains(string(out), "--agent needs the data plane") {
		t.Errorf("--agent with --listen '': %v, %s", err, out)
	}
}
