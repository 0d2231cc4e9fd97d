package main

import (
	"bytes"
	"context"
	"crypto/sha256"
	"fmt"
	"hash"
	"io"
	"net/http"
	"net/http/httptest"
	"os"
	"path/filepath"
	"regexp"
	"strconv"
	"strings"
	"syscall"
	"testing"
	"time"

	"github.com/a2aproxy/a2a-proxy/recorder"
)

// hugeEventBytes is the size of the event the agent below never ends.
const hugeEventBytes = 100 << 20

// endlessEventAgent streams one event of hugeEventBytes with no blank line,
// then keeps the stream open until release is closed; sent hashes what it
// wrote. A request whose message text is "small" gets one ordinary event
// instead, to warm up.
func endlessEventAgent(sent hash.Hash, release <-chan struct{}) http.Handler {
	return http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		body, _ := io.ReadAll(r.Body)
		w.Header().Set("Content-Type", "text/event-stream")
		if bytes.Contains(body, []byte(`"small"`)) {
			io.WriteString(w, "data: {\"jsonrpc\":\"2.0\",\"id\":1,\"result\":{\"kind\":\"task\",\"id\":\"T-small\",\"contextId\":\"C\",\"status\":{\"state\":\"completed\"}}}\n\n")
			return
		}
		out := io.MultiWriter(w, sent)
		io.WriteString(out, "data: ")
		xs := bytes.Repeat([]byte{'x'}, 32<<10)
		for left := hugeEventBytes - len("data: "); left > 0; left -= len(xs) {
			if _, err := out.Write(xs[:min(len(xs), left)]); err != nil {
				return
			}
		}
		w.(http.Flusher).Flush()
		select {
		case <-release:
		case <-r.Context().Done():
		}
	})
}

func postMessage(t *testing.T, url, taskID, text string) *http.Response {
	t.Helper()
	body := fmt.Sprintf(`{"jsonrpc":"2.0","id":1,"method":"message/stream","params":{"message":{"kind":"message","role":"user","messageId":"m","taskId":%q,"parts":[{"kind":"text","text":%q}]}}}`, taskID, text)
	resp, err := http.Post(url, "application/json", strings.NewReader(body))
	if err != nil {
		t.Fatal(err)
	}
	return resp
}

// A 100 MB event the agent never ends passes through the real binary byte for
// byte, is recorded as its first --max-event-bytes only, flagged oversized,
// and, while the stream is open, raises the proxy's RSS by less than twice
// the cap; with the cap passed explicitly and with the default.
//
// Why this is not flaky: the bound does not depend on timing. Whatever the
// scheduling, the proxy keeps nothing of the event but its first cap bytes:
// the rest goes through the copy buffers it reuses and is only counted, so
// the stream allocates nothing after the prefix is full. The prefix grows by
// doubling up to an eighth of the cap, then takes the cap at once, so the
// buffers it outgrew (its only garbage) add up to less than a quarter of the
// cap, even if no GC ran at all (it runs with the default GOGC=100). The
// rise is measured from the RSS after a warm-up exchange to the peak
// (VmHWM) once the client has read all 100 MB, which can only overstate it.
//
// Beyond the cap, a busy stream costs about 2 MiB whatever the cap (measured
// with a 64 KiB cap); with an 8 MiB cap that leaves a margin of about 4 MiB.
//
// Storing the prefix costs more, briefly, once the stream ends: the SQLite
// driver copies the blob to bind it and SQLite copies it again into the
// row, next to the Go copy. That peak (VmHWM once the exchange is stored)
// is bounded by three copies of the cap and some slack, and logged.
func TestHugeEventHasBoundedMemory(t *testing.T) {
	bin := buildBinary(t)
	for _, tt := range []struct {
		name string
		cap  int
		args []string
	}{
		{"8MiB", 8 << 20, []string{"--max-event-bytes", strconv.Itoa(8 << 20)}},
		{"default", 16 << 20, nil},
	} {
		t.Run(tt.name, func(t *testing.T) {
			sent, release := sha256.New(), make(chan struct{})
			agent := httptest.NewServer(endlessEventAgent(sent, release))
			defer agent.Close()
			db := filepath.Join(t.TempDir(), "rec.db")
			args := append([]string{"--builtin=false", "--agent", "big=" + agent.URL, "--log-level", "info"}, tt.args...)
			cmd, url, _ := startProcess(t, bin, db, args...)

			warm := postMessage(t, url, "T-small", "small")
			io.Copy(io.Discard, warm.Body)
			warm.Body.Close()
			rssBefore, hwmBefore := procMemory(t, cmd.Process.Pid)

			resp := postMessage(t, url, "T-big", "big")
			got := sha256.New()
			if n, err := io.CopyN(got, resp.Body, hugeEventBytes); err != nil {
				t.Fatalf("client got %d bytes (%v), want %d", n, err, hugeEventBytes)
			}
			_, hwmOpen := procMemory(t, cmd.Process.Pid)
			close(release)
			if rest, err := io.ReadAll(resp.Body); err != nil || len(rest) != 0 || !bytes.Equal(got.Sum(nil), sent.Sum(nil)) {
				t.Fatalf("after the 100 MB: %d more bytes (%v), hash equal %v", len(rest), err, bytes.Equal(got.Sum(nil), sent.Sum(nil)))
			}
			resp.Body.Close()
			waitStored(t, db, "T-big")
			_, peak := procMemory(t, cmd.Process.Pid)
			if err := cmd.Process.Signal(syscall.SIGTERM); err != nil {
				t.Fatal(err)
			}
			if err := cmd.Wait(); err != nil {
				t.Fatalf("a2a-proxy exit: %v", err)
			}
			mib := func(n int64) float64 { return float64(n) / (1 << 20) }
			t.Logf("cap %d MiB: VmRSS before %.1f MiB (VmHWM %.1f); VmHWM with the stream open %.1f MiB: +%.1f MiB (%.2fx the cap); peak after storing %.1f MiB: +%.1f MiB (%.2fx)",
				tt.cap>>20, mib(rssBefore), mib(hwmBefore), mib(hwmOpen), mib(hwmOpen-rssBefore), float64(hwmOpen-rssBefore)/float64(tt.cap),
				mib(peak), mib(peak-rssBefore), float64(peak-rssBefore)/float64(tt.cap))
			if rise := hwmOpen - rssBefore; rise >= 2*int64(tt.cap) {
				t.Errorf("RSS rose by %.1f MiB with the stream open, for a %d MiB cap: not bounded by 2x the cap", mib(rise), tt.cap>>20)
			}
			if rise := peak - rssBefore; rise >= 3*int64(tt.cap)+storeSlack {
				t.Errorf("RSS rose by %.1f MiB to store the event, for a %d MiB cap: more than 3 copies of it", mib(rise), tt.cap>>20)
			}

			evs := storedStreamEvents(t, db, "T-big")
			if len(evs) != 1 || evs[0].Flag != recorder.FlagOversized || len(evs[0].Raw) != tt.cap ||
				!bytes.HasPrefix(evs[0].Raw, []byte("data: xxx")) {
				t.Fatalf("recorded %d events; first %d bytes, flag %q; want 1 oversized of %d bytes",
					len(evs), len(evs[0].Raw), evs[0].Flag, tt.cap)
			}
		})
	}
}

// storeSlack is what storing an event may add to RSS beyond copies of it
// (measured: up to 10 MiB): SQLite's page cache (2 MiB by default) and the
// dirty pages it spills writing the row's overflow pages, the WAL index, the
// GC's headroom over the Go copy.
const storeSlack = 16 << 20

var procField = regexp.MustCompile(`(?m)^(VmRSS|VmHWM):\s+(\d+) kB$`)

// procMemory reads a process's resident set size and its peak, in bytes.
func procMemory(t *testing.T, pid int) (rss, hwm int64) {
	t.Helper()
	status, err := os.ReadFile(fmt.Sprintf("/proc/%d/status", pid))
	if err != nil {
		t.Fatalf("read process memory (needs Linux /proc): %v", err)
	}
	for _, m := range procField.FindAllStringSubmatch(string(status), -1) {
		kb, _ := strconv.ParseInt(m[2], 10, 64)
		if m[1] == "VmRSS" {
			rss = kb << 10
		} else {
			hwm = kb << 10
		}
	}
	return rss, hwm
}

// waitStored waits until the proxy has stored the end of the task's
// streaming exchange, which it does after storing its events.
func waitStored(t *testing.T, db, taskID string) {
	t.Helper()
	ctx := context.Background()
	store, err := openRecorder(ctx, db, recorder.Options{})
	if err != nil {
		t.Fatal(err)
	}
	defer store.Close()
	tick := time.NewTicker(20 * time.Millisecond)
	defer tick.Stop()
	deadline := time.After(30 * time.Second)
	for {
		if detail, err := store.GetTask(ctx, taskID); err == nil {
			for _, ex := range detail.Exchanges {
				if ex.Streaming && ex.Outcome != "" {
					return
				}
			}
		}
		select {
		case <-tick.C:
		case <-deadline:
			t.Fatalf("the proxy did not store the end of task %s's stream", taskID)
		}
	}
}

// storedStreamEvents reads the events of a task's streaming exchange from the
// database of a process that has exited.
func storedStreamEvents(t *testing.T, db, taskID string) []recorder.EventDoc {
	t.Helper()
	ctx := context.Background()
	store, err := openRecorder(ctx, db, recorder.Options{})
	if err != nil {
		t.Fatal(err)
	}
	defer store.Close()
	detail, err := store.GetTask(ctx, taskID)
	if err != nil {
		t.Fatalf("task %s: %v", taskID, err)
	}
	_, evs := streamEvents(t, detail)
	return evs
}
