package diff

import (
	"bufio"
	"bytes"
	"context"
	"encoding/json"
	"io"
	"log/slog"
	"net/http"
	"net/http/httptest"
	"strings"
	"testing"
	"time"

	builtinagent "github.com/a2aproxy/a2a-proxy/builtin-agent"
)

// startBuiltinAgent serves the real built-in agent, without pauses, on a
// loopback port.
func startBuiltinAgent(t *testing.T) string {
	t.Helper()
	srv := httptest.NewUnstartedServer(nil)
	url := "http://" + srv.Listener.Addr().String() + "/"
	srv.Config.Handler = builtinagent.NewHandler(builtinagent.Options{
		URL: url, StepDelay: -1, Logger: slog.New(slog.DiscardHandler),
	})
	srv.Start()
	t.Cleanup(srv.Close)
	return url
}

// runBuiltinAgent sends one message/stream to the agent and records the
// stream's events as the proxy does: each SSE data document, its kind and
// offset from the request.
func runBuiltinAgent(t *testing.T, url, name, input string) Recording {
	t.Helper()
	ctx, cancel := context.WithTimeout(context.Background(), 30*time.Second)
	defer cancel()
	body := `{"jsonrpc":"2.0","id":"` + name + `","method":"message/stream","params":{"message":{"kind":"message","role":"user","messageId":"` + name + `-m","parts":[{"kind":"text","text":"` + input + `"}]}}}`
	req, err := http.NewRequestWithContext(ctx, http.MethodPost, url, strings.NewReader(body))
	if err != nil {
		t.Fatal(err)
	}
	req.Header.Set("Content-Type", "application/json")
	start := time.Now()
	resp, err := http.DefaultClient.Do(req)
	if err != nil {
		t.Fatal(err)
	}
	defer resp.Body.Close()
	if ct := resp.Header.Get("Content-Type"); !strings.HasPrefix(ct, "text/event-stream") {
		b, _ := io.ReadAll(resp.Body)
		t.Fatalf("content type %q: %s", ct, b)
	}
	rec := Recording{Name: name}
	sc := bufio.NewScanner(resp.Body)
	sc.Buffer(nil, 1<<20)
	for sc.Scan() {
		data, ok := bytes.CutPrefix(sc.Bytes(), []byte("data: "))
		if !ok {
			continue
		}
		var doc struct {
			Result struct {
				Kind string `json:"kind"`
			} `json:"result"`
		}
		if err := json.Unmarshal(data, &doc); err != nil {
			t.Fatalf("event %q: %v", data, err)
		}
		rec.Events = append(rec.Events, Event{
			Seq: len(rec.Events), Offset: time.Since(start), Kind: doc.Result.Kind,
			Exchange: "message/stream", Data: bytes.Clone(data),
		})
	}
	if err := sc.Err(); err != nil {
		t.Fatal(err)
	}
	if len(rec.Events) < 4 {
		t.Fatalf("only %d events from the built-in agent", len(rec.Events))
	}
	return rec
}

// Pins the example: two runs of the built-in agent with the same
// input differ only in the artifact's "Processed at: <time>" text (ids and
// timestamps are ignored by default, a time inside a text is not), reported
// at exactly that path; ignoring the artifact's text makes them equal; and
// Strict reports the ids too.
func TestBuiltinAgentRunsDifferAtProcessedAt(t *testing.T) {
	url := startBuiltinAgent(t)
	a := runBuiltinAgent(t, url, "run-1", "Process my data")
	b := runBuiltinAgent(t, url, "run-2", "Process my data")

	res := Compare(a, b, Options{})
	t.Logf("default:\n%s", text(res))
	wantCounts(t, res, 1, 0, 0, 0)
	c := res.Changed[0]
	if c.A.Kind != "artifact-update" || len(c.Diffs) != 1 {
		t.Fatalf("want one difference in the artifact:\n%s", text(res))
	}
	d := c.Diffs[0]
	if d.Path != "$.result.artifact.parts[0].text" {
		t.Errorf("path = %q", d.Path)
	}
	for _, v := range []string{d.Old, d.New} {
		if !strings.HasPrefix(v, `"✅ Completed processing: 'Process my data'\n\nProcessed at: `) {
			t.Errorf("value %s is not the artifact text", v)
		}
	}
	if d.Old == d.New {
		t.Errorf("old and new are both %s", d.Old)
	}
	if res.Same != len(a.Events)-1 {
		t.Errorf("same = %d, want %d", res.Same, len(a.Events)-1)
	}

	ignored := Compare(a, b, Options{Ignore: []string{"$..artifact.parts[*].text"}})
	wantCounts(t, ignored, 0, 0, 0, 0)

	strict := Compare(a, b, Options{Strict: true})
	t.Logf("strict:\n%s", text(strict))
	if len(strict.Changed) != len(a.Events) {
		t.Fatalf("strict: want every event changed (ids):\n%s", text(strict))
	}
	first := strings.Join(paths(strict.Changed[0]), " ")
	for _, p := range []string{"$.id", "$.result.id", "$.result.contextId"} {
		if !strings.Contains(first, p) {
			t.Errorf("strict: first event's differences %s lack %s", first, p)
		}
	}

	// A different input is a real difference, in the history and the
	// artifact: not ignored.
	other := runBuiltinAgent(t, url, "run-3", "Process other data")
	res = Compare(a, other, Options{Ignore: []string{"$..artifact.parts[*].text"}})
	if res.Equal {
		t.Fatalf("different inputs compare equal:\n%s", text(res))
	}
}
