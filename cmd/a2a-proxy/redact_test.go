package main

import (
	"bytes"
	"context"
	"encoding/json"
	"fmt"
	"io"
	"net/http"
	"net/http/httptest"
	"os"
	"strings"
	"testing"
	"time"

	"github.com/a2aproxy/a2a-proxy/internal/a2awire"
	"github.com/a2aproxy/a2a-proxy/recorder"
)

// planted are the secrets TestNothingSecretIsStored sends, one per place a
// secret can travel through the proxy. Each is distinct, so a hit names the
// place that leaked.
var planted = map[string]string{
	"Authorization header":         "pl4nted-authorization-0001",
	"X-Auth header":                "pl4nted-x-auth-0002",
	"X-My-Session header":          "pl4nted-session-0003",
	"access_token query":           "pl4nted-access-token-0004",
	"api_key query":                "pl4nted-api-key-0005",
	"sig query":                    "pl4nted-sig-0006",
	"apiKey in request metadata":   "pl4nted-apikey-0007",
	"password in request metadata": "pl4nted-password-0008",
	"--redact-field tenantPin":     "pl4nted-tenant-pin-0009",
	"clientSecret in an event":     "pl4nted-client-secret-0010",
	"refreshToken in a unary body": "pl4nted-refresh-token-0011",
	"--redact-header X-Tenant":     "pl4nted-tenant-header-0012",
}

// secretAgent is an A2A agent written for the test: message/stream answers
// with a task, an artifact whose metadata holds a client secret, and the
// final status; message/send with a task whose metadata holds a refresh
// token. It keeps what it received, to check the secrets reached it.
func secretAgent(t *testing.T, received chan<- *http.Request) *httptest.Server {
	srv := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		body, _ := io.ReadAll(r.Body)
		r.Body = io.NopCloser(bytes.NewReader(body))
		received <- r
		var rpc struct {
			ID     json.RawMessage `json:"id"`
			Method string          `json:"method"`
		}
		json.Unmarshal(body, &rpc)
		if rpc.Method == "message/send" {
			w.Header().Set("Content-Type", "application/json")
			fmt.Fprintf(w, `{"jsonrpc":"2.0","id":%s,"result":{"kind":"task","id":"T-secret","contextId":"C-secret",`+
				`"status":{"state":"completed"},"metadata":{"grant":{"refreshToken":%q}}}}`, rpc.ID, planted["refreshToken in a unary body"])
			return
		}
		w.Header().Set("Content-Type", "text/event-stream")
		for _, ev := range []string{
			`{"kind":"task","id":"T-secret","contextId":"C-secret","status":{"state":"submitted"}}`,
			fmt.Sprintf(`{"kind":"artifact-update","taskId":"T-secret","contextId":"C-secret","artifact":{"artifactId":"A1",`+
				`"parts":[{"kind":"text","text":"done"}],"metadata":{"oauth":{"clientSecret":%q}}},"lastChunk":true}`, planted["clientSecret in an event"]),
			`{"kind":"status-update","taskId":"T-secret","contextId":"C-secret","status":{"state":"completed"},"final":true}`,
		} {
			fmt.Fprintf(w, "id: e1\ndata: {\"jsonrpc\":\"2.0\",\"id\":%s,\"result\":%s}\n\n", rpc.ID, ev)
			w.(http.Flusher).Flush()
		}
	}))
	t.Cleanup(srv.Close)
	return srv
}

// TestNothingSecretIsStored pins issue 10's point 7 on the real server:
// secrets in headers, query parameters, request JSON at depth, streamed
// events and unary responses reach the agent and the client unchanged, and
// none of them is in the SQLite database file or its WAL, read raw while
// the WAL still holds the recording and again after the store is closed;
// the API shows "[REDACTED]" in their place, and the events still parse to
// the same kinds and ids.
func TestNothingSecretIsStored(t *testing.T) {
	received := make(chan *http.Request, 4)
	agent := secretAgent(t, received)
	s := startServer(t, func(c *ServeConfig) {
		c.Builtin = false
		c.Agents = []string{"sec=" + agent.URL}
		c.RedactFields = []string{"tenantPin"}
		c.RedactHeaders = []string{"X-Tenant"}
	})

	streamBody := fmt.Sprintf(`{"jsonrpc":"2.0","id":1,"method":"message/stream","params":{"message":{"kind":"message",`+
		`"role":"user","messageId":"m1","parts":[{"kind":"text","text":"hi"}],"metadata":{"client":{"creds":[`+
		`{"apiKey":%q,"password":%q}],"tenantPin":%q}}}}}`,
		planted["apiKey in request metadata"], planted["password in request metadata"], planted["--redact-field tenantPin"])
	query := fmt.Sprintf("?access_token=%s&api_key=%s&sig=%s&historyLength=2",
		planted["access_token query"], planted["api_key query"], planted["sig query"])
	send := func(body string) (*http.Response, []byte) {
		req, _ := http.NewRequest(http.MethodPost, s.DataURL()+"/agents/sec/"+query, strings.NewReader(body))
		req.Header.Set("Content-Type", "application/json")
		req.Header.Set("Authorization", "Bearer "+planted["Authorization header"])
		req.Header.Set("X-Auth", planted["X-Auth header"])
		req.Header.Set("X-My-Session", planted["X-My-Session header"])
		req.Header.Set("X-Tenant", planted["--redact-header X-Tenant"])
		resp, err := http.DefaultClient.Do(req)
		if err != nil {
			t.Fatal(err)
		}
		defer resp.Body.Close()
		got, err := io.ReadAll(resp.Body)
		if err != nil {
			t.Fatal(err)
		}
		return resp, got
	}

	_, stream := send(streamBody)
	up := within(t, received, "the streaming request at the agent")
	upBody, _ := io.ReadAll(up.Body)
	if up.Header.Get("Authorization") != "Bearer "+planted["Authorization header"] || up.Header.Get("X-Auth") != planted["X-Auth header"] ||
		up.URL.Query().Get("sig") != planted["sig query"] || string(upBody) != streamBody {
		t.Errorf("the agent did not get the request unchanged: %v %s %s", up.Header, up.URL, upBody)
	}
	if !bytes.Contains(stream, []byte(planted["clientSecret in an event"])) {
		t.Errorf("the client did not get the event's secret: %s", stream)
	}
	resp, unary := send(`{"jsonrpc":"2.0","id":2,"method":"message/send","params":{"message":{"kind":"message","role":"user",` +
		`"messageId":"m2","taskId":"T-secret","parts":[{"kind":"text","text":"again"}]}}}`)
	within(t, received, "the unary request at the agent")
	if resp.StatusCode != http.StatusOK || !bytes.Contains(unary, []byte(planted["refreshToken in a unary body"])) {
		t.Errorf("the client did not get the unary body unchanged: %d %s", resp.StatusCode, unary)
	}

	ctx, cancel := context.WithTimeout(context.Background(), 10*time.Second)
	defer cancel()
	if err := s.Store().Flush(ctx); err != nil {
		t.Fatal(err)
	}
	// The writer is idle now: what it committed is in the WAL, not yet
	// checkpointed into the main file.
	wal := assertNoSecretIn(t, s.Config.DB, s.Config.DB+"-wal")
	if !bytes.Contains(wal, []byte(recorder.OutcomeCompleted)) {
		t.Error("the WAL holds no exchange: the check read the wrong file")
	}

	var detail recorder.TaskDetail
	getJSON(t, s.AdminURL()+"/api/tasks/T-secret", &detail)
	if len(detail.Exchanges) != 2 || len(detail.Events) != 4 {
		t.Fatalf("recorded %d exchanges, %d events; want 2 and 4", len(detail.Exchanges), len(detail.Events))
	}
	x := detail.Exchanges[0]
	for _, h := range []string{"Authorization", "X-Auth", "X-My-Session", "X-Tenant"} {
		if got := x.RequestHeaders[h]; len(got) != 1 || got[0] != "[REDACTED]" {
			t.Errorf("stored header %s = %q", h, got)
		}
	}
	if want := "/agents/sec/?access_token=[REDACTED]&api_key=[REDACTED]&sig=[REDACTED]&historyLength=2"; x.Path != want {
		t.Errorf("stored path %q, want %q", x.Path, want)
	}
	if n := bytes.Count(x.RequestBody, []byte(`"[REDACTED]"`)); n != 3 || !bytes.Contains(x.RequestBody, []byte(`"messageId":"m1"`)) {
		t.Errorf("stored request body has %d redactions: %s", n, x.RequestBody)
	}
	wantKinds := []string{"task", "artifact-update", "status-update", "task"}
	for i, ev := range detail.Events {
		if ev.Kind != wantKinds[i] || ev.TaskID != "T-secret" {
			t.Errorf("event %d: kind %q task %q, want %q T-secret", i, ev.Kind, ev.TaskID, wantKinds[i])
		}
	}
	if !bytes.Contains(detail.Events[1].Data, []byte(`"clientSecret":"[REDACTED]"`)) || detail.Events[1].ArtifactID != "A1" {
		t.Errorf("stored artifact event: %s", detail.Events[1].Data)
	}
	if !bytes.Contains(detail.Events[3].Data, []byte(`"refreshToken":"[REDACTED]"`)) {
		t.Errorf("stored unary event: %s", detail.Events[3].Data)
	}

	if err := s.Close(); err != nil {
		t.Fatal(err)
	}
	if main := assertNoSecretIn(t, s.Config.DB, s.Config.DB+"-wal"); !bytes.Contains(main, []byte("[REDACTED]")) {
		t.Error("after Close the files hold no redacted value: the check read the wrong file")
	}
}

// assertNoSecretIn fails for each planted secret found in the raw bytes of
// the files, and returns their contents. A missing file (no WAL after
// Close) reads as empty.
func assertNoSecretIn(t *testing.T, files ...string) []byte {
	t.Helper()
	var all []byte
	for _, f := range files {
		b, err := os.ReadFile(f)
		if err != nil && !os.IsNotExist(err) {
			t.Fatal(err)
		}
		for place, secret := range planted {
			if bytes.Contains(b, []byte(secret)) {
				t.Errorf("%s: the secret of the %s is stored", f, place)
			}
		}
		all = append(all, b...)
	}
	return all
}

// TestRejectedBodyKeepsOnlyAPrefix pins issue 10's point 8: a body over
// --max-body-bytes gets 413 and is stored as its first 1 KiB, flagged
// truncated, not as megabytes of it.
func TestRejectedBodyKeepsOnlyAPrefix(t *testing.T) {
	s := startServer(t, func(c *ServeConfig) { c.MaxBodyBytes = 10 << 20 })
	body := `{"padding":"` + strings.Repeat("x", 11<<20) + `"}`
	resp, err := http.Post(s.DataURL()+"/v1/tasks/T-413:cancel", "application/json", strings.NewReader(body))
	if err != nil {
		t.Fatal(err)
	}
	resp.Body.Close()
	if resp.StatusCode != http.StatusRequestEntityTooLarge {
		t.Fatalf("status %d, want 413", resp.StatusCode)
	}
	ctx, cancel := context.WithTimeout(context.Background(), 10*time.Second)
	defer cancel()
	if err := s.Store().Flush(ctx); err != nil {
		t.Fatal(err)
	}
	rec, err := s.Store().Recording(ctx, "T-413")
	if err != nil {
		t.Fatal(err)
	}
	if len(rec.Exchanges) != 1 {
		t.Fatalf("%d exchanges recorded", len(rec.Exchanges))
	}
	x := rec.Exchanges[0]
	if len(x.RequestBody) != 1024 || !x.RequestBodyTruncated || x.End == nil || x.End.Outcome != recorder.OutcomeRejected {
		t.Errorf("stored %d bytes, truncated %v, end %+v; want 1024, true, rejected", len(x.RequestBody), x.RequestBodyTruncated, x.End)
	}
	if !strings.HasPrefix(body, string(x.RequestBody)) {
		t.Error("the stored prefix is not the body's start")
	}
}

// within receives from ch, failing the test after a generous deadline.
func within[T any](t *testing.T, ch <-chan T, what string) T {
	t.Helper()
	select {
	case v := <-ch:
		return v
	case <-time.After(10 * time.Second):
		t.Fatalf("timed out waiting for %s", what)
		panic("unreachable")
	}
}

// TestImportRedacts pins that `a2a-proxy import` stores a file from
// elsewhere as serve would have recorded it: secrets in its headers, path,
// request body and events are redacted before they reach the database.
func TestImportRedacts(t *testing.T) {
	dir := t.TempDir()
	start := time.Date(2026, 1, 2, 3, 4, 5, 0, time.UTC)
	secrets := []string{"pl4nted-import-header", "pl4nted-import-query", "pl4nted-import-body", "pl4nted-import-event"}
	rec := &recorder.Recording{
		Task: recorder.RecordedTask{TaskID: "T-import", ContextID: "C-import", Agent: "a"},
		Exchanges: []recorder.RecordedExchange{{Exchange: recorder.Exchange{
			ID: "0190c0de-0000-7000-8000-000000000001", Agent: "a", HTTPMethod: http.MethodPost,
			Path:           "/?token=" + secrets[1],
			RequestHeaders: http.Header{"Authorization": {"Bearer " + secrets[0]}},
			RequestBody:    []byte(`{"jsonrpc":"2.0","id":1,"method":"message/send","params":{"password":"` + secrets[2] + `"}}`),
			StartedAt:      start,
		}}},
		Events: []recorder.Event{{
			ExchangeID: "0190c0de-0000-7000-8000-000000000001", Agent: "a", At: start,
			Raw:    []byte(`{"jsonrpc":"2.0","id":1,"result":{"kind":"task","id":"T-import","contextId":"C-import","status":{"state":"completed"},"metadata":{"apiKey":"` + secrets[3] + `"}}}`),
			Fields: a2awire.Fields{Kind: "task", TaskID: "T-import", ContextID: "C-import", State: "completed"},
		}},
	}
	file := dir + "/secret.ndjson"
	var buf bytes.Buffer
	if err := recorder.WriteRecordings(&buf, rec); err != nil {
		t.Fatal(err)
	}
	if err := os.WriteFile(file, buf.Bytes(), 0o644); err != nil {
		t.Fatal(err)
	}
	db := dir + "/imported.db"
	if code, _, stderr := runCLI(t, "import", "--db", db, file); code != 0 {
		t.Fatalf("import: exit %d: %s", code, stderr)
	}
	var stored []byte
	for _, f := range []string{db, db + "-wal"} {
		b, _ := os.ReadFile(f)
		stored = append(stored, b...)
	}
	for _, s := range secrets {
		if bytes.Contains(stored, []byte(s)) {
			t.Errorf("import stored %s", s)
		}
	}
	if !bytes.Contains(stored, []byte("T-import")) || !bytes.Contains(stored, []byte("[REDACTED]")) {
		t.Error("the database holds no imported task: the check read the wrong file")
	}
}
