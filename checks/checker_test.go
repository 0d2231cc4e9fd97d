package checks

import (
	"bytes"
	"context"
	"log/slog"
	"net/http"
	"os"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/a2aproxy/a2a-proxy/conformance"
	"github.com/a2aproxy/a2a-proxy/recorder"
)

// fakeStore serves recordings from a map and keeps what is stored; read
// blocks, when set, until it is closed.
type fakeStore struct {
	mu     sync.Mutex
	recs   map[string]*recorder.Recording
	stored []*recorder.ExchangeChecks
	block  chan struct{}
}

func (s *fakeStore) ExchangeRecording(_ context.Context, id string, _ int) (*recorder.Recording, error) {
	if s.block != nil {
		<-s.block
	}
	s.mu.Lock()
	defer s.mu.Unlock()
	rec, ok := s.recs[id]
	if !ok {
		return nil, recorder.ErrNotFound
	}
	return rec, nil
}

func (s *fakeStore) RecordChecks(c *recorder.ExchangeChecks) {
	s.mu.Lock()
	defer s.mu.Unlock()
	s.stored = append(s.stored, c)
}

// unaryPlain is a message/send of agent "a" answered as text/plain.
func unaryPlain(id string) *recorder.Recording {
	x := recorder.RecordedExchange{
		Exchange: recorder.Exchange{ID: id, Agent: "a", Method: "message/send", ProtocolVersion: "0.3", Binding: "jsonrpc",
			HTTPMethod: "POST", Path: "/agents/a/", RequestHeaders: http.Header{},
			RequestBody: []byte(`{"jsonrpc":"2.0","id":1,"method":"message/send","params":{"message":{"kind":"message","role":"user","messageId":"m","parts":[{"kind":"text","text":"hi"}]}}}`), RPCID: "1"},
		End: &recorder.ExchangeEnd{ExchangeID: id, Status: 200, ContentType: "text/plain", Outcome: recorder.OutcomeCompleted, EndedAt: time.Unix(1, 0)},
	}
	ev := recorder.Event{ExchangeID: id, Seq: 0, Raw: []byte(`{"jsonrpc":"2.0","id":1,"result":{"kind":"message","role":"agent","messageId":"r","parts":[{"kind":"text","text":"ok"}]}}`)}
	return &recorder.Recording{Exchanges: []recorder.RecordedExchange{x}, Events: []recorder.Event{ev}}
}

// Pins that the checker checks what ended and stores its findings, with
// the exchange's version; that a clean exchange stores nothing; and that
// an exchange it cannot read is counted as skipped.
func TestCheckerStoresFindings(t *testing.T) {
	store := &fakeStore{recs: map[string]*recorder.Recording{"bad": unaryPlain("bad")}}
	clean := unaryPlain("clean")
	clean.Exchanges[0].End.ContentType = "application/json"
	store.recs["clean"] = clean
	var counted []recorder.Finding
	c := New(Options{Store: store, OnFindings: func(fs []recorder.Finding) { counted = append(counted, fs...) }})
	c.Ended([]recorder.ExchangeEnd{{ExchangeID: "bad"}, {ExchangeID: "clean"}, {ExchangeID: "gone"}})
	if err := c.Flush(context.Background()); err != nil {
		t.Fatal(err)
	}
	c.Close()
	if len(store.stored) != 1 || store.stored[0].ExchangeID != "bad" {
		t.Fatalf("stored %+v, want the findings of bad alone", store.stored)
	}
	f := store.stored[0].Findings
	if len(f) != 1 || f[0].Rule != conformance.RuleHTTPContentType || f[0].Severity != "error" || f[0].Version != "0.3" || f[0].Seq != -1 || f[0].ExchangeID != "bad" {
		t.Errorf("findings %+v, want one http.content-type error on the exchange", f)
	}
	if len(counted) != 1 {
		t.Errorf("OnFindings got %d findings, want 1", len(counted))
	}
	if c.Checked() != 2 || c.Skipped() != 1 {
		t.Errorf("checked %d skipped %d, want 2 and 1", c.Checked(), c.Skipped())
	}
}

// Pins that a full queue never makes Ended wait: the ends that do not fit
// are counted as skipped, and so are ends after Close.
func TestCheckerQueueBounded(t *testing.T) {
	store := &fakeStore{recs: map[string]*recorder.Recording{"x": unaryPlain("x")}, block: make(chan struct{})}
	var logs bytes.Buffer
	c := New(Options{Store: store, Queue: 2, Logger: slog.New(slog.NewTextHandler(&logs, nil))})
	ends := make([]recorder.ExchangeEnd, 10)
	for i := range ends {
		ends[i].ExchangeID = "x"
	}
	done := make(chan struct{})
	go func() { c.Ended(ends); close(done) }()
	select {
	case <-done:
	case <-time.After(10 * time.Second):
		t.Fatal("Ended waited for the worker")
	}
	// The worker holds at most one, the queue two: at least 7 skipped.
	if got := c.Skipped(); got < 7 {
		t.Errorf("skipped %d of 10 with a queue of 2, want at least 7", got)
	}
	// Said in the log, once for the burst rather than once per exchange.
	if n := strings.Count(logs.String(), "conformance checker behind"); n != 1 {
		t.Errorf("the full queue was logged %d times, want once:\n%s", n, logs.String())
	}
	close(store.block)
	c.Close()
	before := c.Skipped()
	c.Ended(ends[:1])
	if c.Skipped() != before+1 {
		t.Errorf("an end after Close was not counted as skipped")
	}
	if c.Checked()+before != 10 {
		t.Errorf("checked %d + skipped %d != 10", c.Checked(), before)
	}
}

// Pins that a card fetch through the proxy is checked as a card: a card
// without capabilities.streaming is flagged once the agent streamed.
func TestRunCard(t *testing.T) {
	x := &recorder.RecordedExchange{
		Exchange: recorder.Exchange{ID: "c", Agent: "a", HTTPMethod: "GET", Path: "/agents/a/.well-known/agent-card.json", RequestHeaders: http.Header{}},
		End:      &recorder.ExchangeEnd{Status: 200, ContentType: "application/json", Outcome: recorder.OutcomeCompleted},
	}
	card := `{"protocolVersion":"0.3.0","name":"a","description":"d","url":"http://h/","version":"1","capabilities":{},"defaultInputModes":[],"defaultOutputModes":[],"skills":[]}`
	events := []recorder.Event{{ExchangeID: "c", Raw: []byte(card)}}
	if fs := Run(x, events, false); len(fs) != 0 {
		t.Errorf("card before any stream: %+v, want none", fs)
	}
	fs := Run(x, events, true)
	if len(fs) != 1 || fs[0].Rule != conformance.RuleCardStreaming {
		t.Errorf("card of a streaming agent: %+v, want card.streaming", fs)
	}
	if got := relativePath(&recorder.RecordedExchange{Exchange: recorder.Exchange{Agent: "a", Path: "/agents/a?x=1"}}); got != "/?x=1" {
		t.Errorf("relative path %q", got)
	}
	if got := relativePath(&recorder.RecordedExchange{Exchange: recorder.Exchange{Agent: "a", Path: "/agents/ab/v1/x"}}); got != "/agents/ab/v1/x" {
		t.Errorf("another agent's prefix was cut: %q", got)
	}
}

// Pins that Describe gives each finding its rule's text, the spec section
// of the exchange's version, and the TCK ids.
func TestDescribe(t *testing.T) {
	d := Describe([]recorder.Finding{
		{Rule: conformance.RuleStreamFirstEvent, Version: "1.0"},
		{Rule: "no.such-rule", Version: "0.3"},
	})
	if d[0].Title == "" || d[0].Spec == nil || d[0].Spec.Version != "1.0" || !strings.Contains(d[0].Spec.URL, "v1.0.0") || len(d[0].TCK) == 0 {
		t.Errorf("described %+v", d[0])
	}
	if d[1].Spec != nil || d[1].TCK == nil {
		t.Errorf("unknown rule described %+v, want no spec and an empty TCK list", d[1])
	}
}

// ruleTable is the README's rule table, made from the catalogue.
func ruleTable() string {
	var b strings.Builder
	b.WriteString("| rule | severity | what it checks | spec (v0.3 / v1.0) | A2A TCK |\n|---|---|---|---|---|\n")
	for _, r := range conformance.Rules() {
		var specs []string
		for _, s := range r.Specs {
			specs = append(specs, "["+s.Version+" "+strings.SplitN(s.Section, " ", 2)[0]+"]("+s.URL+")"+map[bool]string{true: " (" + string(s.Severity) + ")", false: ""}[s.Severity != r.Severity])
		}
		tck := strings.Join(r.TCK, ", ")
		if tck == "" {
			tck = "—"
		}
		b.WriteString("| `" + r.ID + "` | " + string(r.Severity) + " | " + strings.ReplaceAll(r.Title, "|", "\\|") + " | " + strings.Join(specs, ", ") + " | " + tck + " |\n")
	}
	return b.String()
}

// Pins the README's rule table to the catalogue: once the README has the
// table, a rule added or changed without it fails here. Run with
// A2A_PROXY_PRINT_RULES=1 to print the table.
func TestREADMERuleTable(t *testing.T) {
	table := ruleTable()
	if os.Getenv("A2A_PROXY_PRINT_RULES") != "" {
		t.Log("\n" + table)
	}
	readme, err := os.ReadFile("../README.md")
	if err != nil {
		t.Fatal(err)
	}
	if !strings.Contains(string(readme), "## Conformance checks") {
		t.Fatal(`README has no "## Conformance checks" section`)
	}
	if !strings.Contains(string(readme), table) {
		t.Errorf("README's rule table is not the catalogue's; want:\n%s", table)
	}
}
