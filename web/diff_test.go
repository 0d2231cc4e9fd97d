package web_test

import (
	"context"
	"fmt"
	"io"
	"net/http"
	"net/http/httptest"
	"net/url"
	"path/filepath"
	"strings"
	"testing"
	"time"

	"github.com/a2aproxy/a2a-proxy/diff"
	"github.com/a2aproxy/a2a-proxy/internal/a2awire"
	"github.com/a2aproxy/a2a-proxy/recorder"
	"github.com/a2aproxy/a2a-proxy/recorder/sqlite"
	"github.com/a2aproxy/a2a-proxy/web"
)

// recordRun records one message/stream of task taskID whose events carry
// the given artifact texts, between a working and a completed status.
func recordRun(t *testing.T, s *recorder.Recorder, taskID string, texts ...string) {
	t.Helper()
	x := &recorder.Exchange{
		ID: "ex-" + taskID, Agent: "alpha", Method: "message/stream", ProtocolVersion: "0.3", Binding: "jsonrpc",
		HTTPMethod: http.MethodPost, Path: "/", StartedAt: t0,
		RequestBody: []byte(`{"jsonrpc":"2.0","id":1,"method":"message/stream","params":{"message":{"messageId":"m"}}}`),
	}
	s.StartExchange(x)
	docs := []string{fmt.Sprintf(`{"kind":"status-update","taskId":%q,"status":{"state":"working"}}`, taskID)}
	for _, text := range texts {
		docs = append(docs, fmt.Sprintf(`{"kind":"artifact-update","taskId":%q,"artifact":{"artifactId":"a-%s","parts":[{"kind":"text","text":%q}]}}`, taskID, taskID, text))
	}
	docs = append(docs, fmt.Sprintf(`{"kind":"status-update","taskId":%q,"status":{"state":"completed"},"final":true}`, taskID))
	for i, doc := range docs {
		kind := "status-update"
		if strings.Contains(doc, "artifact-update") {
			kind = "artifact-update"
		}
		s.RecordEvent(&recorder.Event{
			ExchangeID: x.ID, Agent: "alpha", Seq: i, Offset: time.Duration(i) * time.Millisecond, At: t0,
			Raw:    []byte(`data: {"jsonrpc":"2.0","id":1,"result":` + doc + "}\n\n"),
			Fields: a2awire.Fields{Kind: kind, TaskID: taskID},
		})
	}
	s.FinishExchange(&recorder.ExchangeEnd{ExchangeID: x.ID, Status: 200, ContentType: "text/event-stream", Streaming: true,
		EndedAt: t0.Add(time.Second), Outcome: recorder.OutcomeCompleted, EventCount: len(docs)})
}

func diffServer(t *testing.T, token string) *httptest.Server {
	t.Helper()
	s, err := sqlite.OpenRecorder(context.Background(), filepath.Join(t.TempDir(), "diff.db"), recorder.Options{})
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { s.Close() })
	recordRun(t, s, "task-a", "answer: 1", "kept")
	recordRun(t, s, "task-b", `<script>alert("b")</script>`, "kept", "extra")
	if err := s.Flush(context.Background()); err != nil {
		t.Fatal(err)
	}
	return newServer(t, web.Options{Store: s, Recordings: s, Token: token})
}

func getBody(t *testing.T, srv *httptest.Server, path, token string) (int, string) {
	t.Helper()
	req, _ := http.NewRequest(http.MethodGet, srv.URL+path, nil)
	if token != "" {
		req.Header.Set("Authorization", "Bearer "+token)
	}
	resp, err := srv.Client().Do(req)
	if err != nil {
		t.Fatal(err)
	}
	defer resp.Body.Close()
	body, _ := io.ReadAll(resp.Body)
	return resp.StatusCode, string(body)
}

// Pins GET /api/diff behind the token: the Result of the two recordings,
// 400 for options that do not parse or a missing task id, 404 for an
// unknown task, in the API's error shape.
func TestDiffAPI(t *testing.T) {
	srv := diffServer(t, "s3cret")
	if resp := get(t, srv, "/api/diff?a=task-a&b=task-b", "", nil); resp.StatusCode != http.StatusUnauthorized {
		t.Errorf("without the token: %d, want 401", resp.StatusCode)
	}
	var res diff.Result
	get(t, srv, "/api/diff?a=task-a&b=task-b", "s3cret", &res)
	if res.Equal || len(res.Changed) != 1 || len(res.Added) != 1 || res.Same != 3 {
		t.Fatalf("want 1 changed, 1 added, 3 same: %+v", res)
	}
	if d := res.Changed[0].Diffs[0]; d.Path != "$.result.artifact.parts[0].text" || d.Old != `"answer: 1"` {
		t.Errorf("change %+v", d)
	}
	for path, want := range map[string]int{
		"/api/diff?a=task-a&b=task-b&ignore=" + url.QueryEscape("$..["): http.StatusBadRequest,
		"/api/diff?a=task-a&b=task-b&timing=0.5":                        http.StatusBadRequest,
		"/api/diff?a=task-a":                                            http.StatusBadRequest,
		"/api/diff?a=task-a&b=nope":                                     http.StatusNotFound,
	} {
		var doc errorDoc
		if resp := get(t, srv, path, "s3cret", &doc); resp.StatusCode != want || doc.Error.Code == "" {
			t.Errorf("GET %s: %d %+v, want %d", path, resp.StatusCode, doc, want)
		}
	}
}

// Pins the diff page: behind the token, the changed path with both values,
// the added event, the options in the form; a recorded payload is text,
// never markup; bad options show the form with the reason (400), and an
// unknown task is the 404 page.
func TestDiffPage(t *testing.T) {
	srv := diffServer(t, "s3cret")
	if _, body := getBody(t, srv, "/diff?a=task-a&b=task-b", ""); strings.Contains(body, "diff-path") || !strings.Contains(body, "/login") {
		t.Errorf("the page without the token is not the login: %s", body)
	}
	code, body := getBody(t, srv, "/diff?a=task-a&b=task-b&ignore="+url.QueryEscape("$.id"), "s3cret")
	if code != http.StatusOK {
		t.Fatalf("%d: %s", code, body)
	}
	for _, want := range []string{
		`<code class="diff-path">$.result.artifact.parts[0].text</code>`,
		`<code class="diff-old">&#34;answer: 1&#34;</code>`,
		`&lt;script&gt;alert(\&#34;b\&#34;)&lt;/script&gt;`,
		`data-status="added"`, `data-status="same"`, `data-status="changed"`,
		`<textarea name="ignore" rows="2" spellcheck="false" placeholder="$..artifact.parts[*].text (one per line)">$.id</textarea>`,
	} {
		if !strings.Contains(body, want) {
			t.Errorf("page lacks %s", want)
		}
	}
	if strings.Contains(body, `<script>alert`) {
		t.Errorf("a recorded payload is rendered as markup")
	}
	// The rows are in recording order: same, changed, same, added, same.
	var order []string
	for _, part := range strings.Split(body, `class="diff-row diff-`)[1:] {
		order = append(order, part[:strings.IndexByte(part, '"')])
	}
	if got := strings.Join(order, " "); got != "same changed same added same" {
		t.Errorf("rows %s", got)
	}
	if code, body := getBody(t, srv, "/diff?a=task-a&b=task-b&timing=fast", "s3cret"); code != http.StatusBadRequest || !strings.Contains(body, `class="form-error"`) || !strings.Contains(body, `name="a" value="task-a"`) {
		t.Errorf("bad timing: %d, want 400 with the form and the reason", code)
	}
	if code, _ := getBody(t, srv, "/diff?a=task-a&b=nope", "s3cret"); code != http.StatusNotFound {
		t.Errorf("unknown task: %d, want 404", code)
	}
	if code, body := getBody(t, srv, "/diff", "s3cret"); code != http.StatusOK || !strings.Contains(body, `action="/diff"`) {
		t.Errorf("no tasks yet: %d, want the form", code)
	}
	if code, body := getBody(t, srv, "/tasks/task-a", "s3cret"); code != http.StatusOK || !strings.Contains(body, `<form class="compare" method="get" action="/diff"`) {
		t.Errorf("the task page offers no compare form")
	}
}
