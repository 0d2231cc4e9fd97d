package diff

import (
	"encoding/json"
	"fmt"
	"slices"
	"strings"
	"testing"
	"time"
)

const (
	recordingFile = "../recorder/recordertest/testdata/recording.ndjson"
	fixtureFile   = "../replay/testdata/fixture.ndjson"
)

// Pins that a recording equals itself, whatever it holds (a stream, a
// unary body, an event that is not JSON).
func TestIdenticalRecordingsAreEqual(t *testing.T) {
	for _, file := range []string{recordingFile, fixtureFile} {
		t.Run(file, func(t *testing.T) {
			rec := loadNDJSON(t, file)
			res := Compare(rec, rec, Options{Strict: true})
			wantCounts(t, res, 0, 0, 0, 0)
			if res.Same != len(rec.Events) || res.A.Events != len(rec.Events) {
				t.Fatalf("same = %d of %d", res.Same, len(rec.Events))
			}
			if out := text(res); !strings.Contains(out, fmt.Sprintf("equal: %d events", len(rec.Events))) {
				t.Errorf("text:\n%s", out)
			}
		})
	}
}

// Pins the default ignore list: the same run with other task, context,
// message and JSON-RPC ids and other timestamps is equal, and Strict
// reports each of those values at its path.
func TestIdsAndTimestampsIgnoredByDefault(t *testing.T) {
	a := loadNDJSON(t, fixtureFile)
	a = rewrite(a, `"status":{"state":"working"}`, `"status":{"state":"working","timestamp":"2025-01-01T00:00:00.3Z"}`)
	b := rewrite(a,
		`"id":1,`, `"id":"rpc-7",`, `"t1"`, `"t9"`, `"c1"`, `"c9"`, `"m2"`, `"m9"`,
		`"2025-01-01T00:00:00.3Z"`, `"2026-02-03T04:05:06+01:00"`)

	wantCounts(t, Compare(a, b, Options{}), 0, 0, 0, 0)

	strict := Compare(a, b, Options{Strict: true})
	wantCounts(t, strict, 2, 0, 0, 0)
	got := [][]string{paths(strict.Changed[0]), paths(strict.Changed[1])}
	want := [][]string{
		{"$.id", "$.result.contextId", "$.result.id", "$.result.status.timestamp"},
		{"$.id", "$.result.contextId", "$.result.status.message.messageId", "$.result.taskId"},
	}
	for i := range want {
		if !slices.Equal(got[i], want[i]) {
			t.Errorf("event %d: paths %v, want %v", i, got[i], want[i])
		}
	}
	if d := strict.Changed[0].Diffs[0]; d.Old != `1` || d.New != `"rpc-7"` {
		t.Errorf("JSON-RPC id: old %s new %s", d.Old, d.New)
	}
}

// Pins which ids count as volatile: the id of a task in each shape (v0.3
// kind, v1.0 wrapper, bare REST body), not the id of any other object, and
// any RFC 3339 string, not a string that merely looks like a date.
func TestVolatileValues(t *testing.T) {
	for _, tc := range []struct {
		name, a, b string
		equal      bool
	}{
		{"v0.3 task", `{"kind":"task","id":"t1","status":{}}`, `{"kind":"task","id":"t2","status":{}}`, true},
		{"v1.0 task", `{"task":{"id":"t1"}}`, `{"task":{"id":"t2"}}`, true},
		{"REST task", `{"id":"t1","contextId":"c1","status":{"state":"TASK_STATE_WORKING"}}`, `{"id":"t2","contextId":"c2","status":{"state":"TASK_STATE_WORKING"}}`, true},
		{"task list", `{"tasks":[{"id":"t1","contextId":"c1","status":{}}]}`, `{"tasks":[{"id":"t2","contextId":"c2","status":{}}]}`, true},
		{"referenceTaskIds", `{"referenceTaskIds":["a"]}`, `{"referenceTaskIds":["b","c"]}`, true},
		{"JSON-RPC error id", `{"jsonrpc":"2.0","id":3,"error":{"code":-32602}}`, `{"jsonrpc":"2.0","id":null,"error":{"code":-32602}}`, true},
		{"RFC 3339 anywhere", `{"metadata":{"at":"2025-01-01T00:00:00Z"}}`, `{"metadata":{"at":"2031-07-08T09:10:11.5-03:00"}}`, true},
		{"other object's id", `{"metadata":{"id":"x"}}`, `{"metadata":{"id":"y"}}`, false},
		{"nested JSON-RPC-looking id", `{"result":{"jsonrpc":"2.0","id":1}}`, `{"result":{"jsonrpc":"2.0","id":2}}`, false},
		{"date only", `{"text":"2025-01-01"}`, `{"text":"2025-01-02"}`, false},
		{"timestamp vs text", `{"at":"2025-01-01T00:00:00Z"}`, `{"at":"soon"}`, false},
		{"number inside text", `{"text":"Processed at: 1.5"}`, `{"text":"Processed at: 2.5"}`, false},
		{"numbers exact", `{"n":12345678901234567890}`, `{"n":12345678901234567891}`, false},
		{"numbers by value", `{"n":1.0}`, `{"n":1e0}`, true},
	} {
		t.Run(tc.name, func(t *testing.T) {
			res := Compare(one(tc.a), one(tc.b), Options{})
			if res.Equal != tc.equal {
				t.Fatalf("Equal = %v, want %v\n%s", res.Equal, tc.equal, text(res))
			}
		})
	}
}

// one is a recording of one event with data.
func one(data string) Recording {
	return Recording{Events: []Event{{Kind: "x", Data: []byte(data)}}}
}

// Pins that an inserted event is one added event and a dropped one is one
// removed event, the events after it still paired and not reported, also
// when the extra event repeats an existing one.
func TestInsertedEventIsOneAdded(t *testing.T) {
	a := loadNDJSON(t, recordingFile)
	extra := Event{Kind: "status-update", Exchange: "message/stream", Data: []byte(
		`{"jsonrpc":"2.0","id":1,"result":{"kind":"status-update","taskId":"task-1","contextId":"ctx-1","status":{"state":"working","message":{"kind":"message","role":"agent","messageId":"m7","parts":[{"kind":"text","text":"one more step"}]}},"final":false}}`)}
	for _, tc := range []struct {
		name string
		at   int
		ev   Event
	}{
		{"new event", 2, extra},
		{"new first event", 0, extra},
		{"new last event", len(a.Events), extra},
		{"repeated event", 2, a.Events[1]},
	} {
		t.Run(tc.name, func(t *testing.T) {
			b := insert(a, tc.at, tc.ev)
			res := Compare(a, b, Options{})
			wantCounts(t, res, 0, 1, 0, 0)
			if got := res.Added[0]; got.Index != tc.at && !(tc.name == "repeated event" && got.Index == 1) {
				t.Errorf("added at %d, want %d", got.Index, tc.at)
			}
			if res.Same != len(a.Events) {
				t.Errorf("same = %d, want %d", res.Same, len(a.Events))
			}
			if !strings.Contains(res.Added[0].Preview, `"status-update"`) {
				t.Errorf("preview %q", res.Added[0].Preview)
			}

			back := Compare(b, a, Options{})
			wantCounts(t, back, 0, 0, 1, 0)
		})
	}
}

// Pins that Strict still aligns on content without ids: a rerun (new ids
// everywhere) with one extra event is one added event, and the other events
// change only at their ids, not shifted onto their neighbours.
func TestStrictInsertionStillAligned(t *testing.T) {
	a := loadNDJSON(t, recordingFile)
	extra := Event{Kind: "status-update", Exchange: "message/stream", Data: []byte(
		`{"jsonrpc":"2.0","id":1,"result":{"kind":"status-update","taskId":"task-1","status":{"state":"working"}}}`)}
	b := rewrite(insert(a, 1, extra), "task-1", "task-9", "ctx-1", "ctx-9")
	res := Compare(a, b, Options{Strict: true})
	if len(res.Added) != 1 || res.Added[0].Index != 1 || len(res.Removed) != 0 {
		t.Fatalf("want one added event at 1:\n%s", text(res))
	}
	for _, c := range res.Changed {
		want := c.A.Index
		if want >= 1 {
			want++ // after the insertion
		}
		if c.B.Index != want {
			t.Errorf("a#%d paired with b#%d", c.A.Index, c.B.Index)
		}
		for _, d := range c.Diffs {
			if !strings.HasSuffix(d.Path, "Id") && !strings.HasSuffix(d.Path, ".id") {
				t.Errorf("a#%d: difference at %s", c.A.Index, d.Path)
			}
		}
	}
	if len(res.Changed) != 4 { // the events that carry task-1 or ctx-1
		t.Errorf("%d changed:\n%s", len(res.Changed), text(res))
	}
}

// Pins that an inserted event and a changed one together are reported as
// such: the insertion does not shift the pairing of the change.
func TestInsertedAndChangedEvents(t *testing.T) {
	a := loadNDJSON(t, recordingFile)
	b := rewrite(a, "<b>thinking</b> & more", "thinking harder")
	b = insert(b, 4, Event{Kind: "status-update", Exchange: "message/stream", Data: []byte(`{"jsonrpc":"2.0","id":1,"result":{"kind":"status-update","status":{"state":"working"}}}`)})
	res := Compare(a, b, Options{})
	wantCounts(t, res, 1, 1, 0, 0)
	c := res.Changed[0]
	if c.A.Index != 1 || c.B.Index != 1 || len(c.Diffs) != 1 {
		t.Fatalf("changed:\n%s", text(res))
	}
	if d := c.Diffs[0]; d.Path != "$.result.status.message.parts[0].text" || d.Old != `"<b>thinking</b> & more"` || d.New != `"thinking harder"` {
		t.Errorf("diff %+v", d)
	}
	if res.Added[0].Index != 4 {
		t.Errorf("added at %d", res.Added[0].Index)
	}
}

// Pins that two events swapped are one move, not two changes.
func TestReorderedEventsAreMoved(t *testing.T) {
	a := loadNDJSON(t, recordingFile)
	b := Recording{Events: slices.Clone(a.Events)}
	b.Events[0], b.Events[1] = b.Events[1], b.Events[0]
	res := Compare(a, b, Options{})
	wantCounts(t, res, 0, 0, 0, 1)
	m := res.Moved[0]
	if !(m.A.Index == 0 && m.B.Index == 1) && !(m.A.Index == 1 && m.B.Index == 0) {
		t.Errorf("moved %d -> %d", m.A.Index, m.B.Index)
	}
	if res.Same != len(a.Events)-1 {
		t.Errorf("same = %d", res.Same)
	}
}

// Pins that events of different kinds never pair: a task where a message
// was is one removed and one added event.
func TestKindsDoNotPair(t *testing.T) {
	a := Recording{Events: []Event{{Kind: "task", Data: []byte(`{"result":{"kind":"task","status":{}}}`)}}}
	b := Recording{Events: []Event{{Kind: "message", Data: []byte(`{"result":{"kind":"message","parts":[]}}`)}}}
	wantCounts(t, Compare(a, b, Options{}), 0, 1, 1, 0)
}

// Pins that data that is not JSON is compared as text, reported at $ as
// JSON strings, and that text against JSON is a change too.
func TestNonJSONEventsComparedAsText(t *testing.T) {
	a := loadNDJSON(t, recordingFile)
	if json.Valid(a.Events[2].Data) {
		t.Fatalf("fixture event 2 is JSON: %q", a.Events[2].Data)
	}
	b := rewrite(a, "not utf-8", "still not utf-8")
	res := Compare(a, b, Options{})
	wantCounts(t, res, 1, 0, 0, 0)
	d := res.Changed[0].Diffs[0]
	if d.Path != "$" || d.Old != `"\ufffd\ufffd not utf-8"` && d.Old != "\"\uFFFD\uFFFD not utf-8\"" || !strings.HasSuffix(d.New, `still not utf-8"`) {
		t.Errorf("diff %+v", d)
	}

	text := Recording{Events: []Event{{Kind: "x", Data: []byte("upstream said: 42")}}}
	asJSON := Recording{Events: []Event{{Kind: "x", Data: []byte(`{"n":42}`)}}}
	res = Compare(text, asJSON, Options{})
	wantCounts(t, res, 1, 0, 0, 0)
	if d := res.Changed[0].Diffs[0]; d.Path != "$" || d.Old != `"upstream said: 42"` || d.New != `{"n":42}` {
		t.Errorf("diff %+v", d)
	}
	wantCounts(t, Compare(text, text, Options{}), 0, 0, 0, 0)
}

// Pins the Ignore paths: each pattern ignores the values it names (with
// what is below them) and nothing else.
func TestIgnorePaths(t *testing.T) {
	a := one(`{"result":{"status":{"state":"working","message":{"parts":[{"text":"a"},{"text":"b"}]}},"metadata":{"run.id":1,"n":[1,2,3]}}}`)
	b := one(`{"result":{"status":{"state":"working","message":{"parts":[{"text":"x"},{"text":"y"}]}},"metadata":{"run.id":2,"n":[1,9,3]}}}`)
	const (
		n     = "$.result.metadata.n[1]"
		runID = `$.result.metadata["run.id"]`
		text0 = "$.result.status.message.parts[0].text"
		text1 = "$.result.status.message.parts[1].text"
	)
	all := []string{n, runID, text0, text1} // in the report's order: members sorted
	if got := paths(Compare(a, b, Options{}).Changed[0]); !slices.Equal(got, all) {
		t.Fatalf("paths %v, want %v", got, all)
	}
	for _, tc := range []struct {
		ignore []string
		left   []string
	}{
		{[]string{"$.result.status.message.parts[*].text"}, []string{n, runID}},
		{[]string{"$..parts[0].text"}, []string{n, runID, text1}},
		{[]string{"$..text"}, []string{n, runID}},
		{[]string{"result.status"}, []string{n, runID}},
		{[]string{"$.result.*.message"}, []string{n, runID}},
		{[]string{`$["result"].metadata["run.id"]`, "$..n[*]"}, []string{text0, text1}},
		{[]string{"$.result.metadata"}, []string{text0, text1}},
		{[]string{"$..metadata..*"}, []string{text0, text1}},
		{[]string{"$"}, nil},
		{all, nil},
		{[]string{"$.result.status.message.parts"}, []string{n, runID}},
		{[]string{"$.status"}, all}, // names nothing here
	} {
		t.Run(strings.Join(tc.ignore, " "), func(t *testing.T) {
			opts := Options{Ignore: tc.ignore}
			if err := opts.Validate(); err != nil {
				t.Fatal(err)
			}
			res := Compare(a, b, opts)
			var got []string
			if len(res.Changed) > 0 {
				got = paths(res.Changed[0])
			}
			if !slices.Equal(got, tc.left) {
				t.Errorf("left %v, want %v", got, tc.left)
			}
		})
	}
}

// Pins the timing factor: off by default; on, a pair whose offsets differ
// by more than the factor either way is reported with both offsets, and
// offsets under MinTimingOffset are not told apart.
func TestTimingFactor(t *testing.T) {
	at := func(offsets ...time.Duration) Recording {
		var rec Recording
		for i, o := range offsets {
			rec.Events = append(rec.Events, Event{Seq: i, Offset: o, Kind: "x", Data: []byte(`{}`)})
		}
		return rec
	}
	ms := time.Millisecond
	a := at(100*ms, 200*ms, 300*ms, 1*ms, 40*ms)
	b := at(150*ms, 500*ms, 100*ms, 9*ms, 2*ms)

	wantCounts(t, Compare(a, b, Options{}), 0, 0, 0, 0)

	res := Compare(a, b, Options{Timing: 2})
	if res.Equal || len(res.Timing) != 3 {
		t.Fatalf("want 3 timing differences:\n%s", text(res))
	}
	for i, want := range []struct {
		index int
		ratio float64
	}{{1, 2.5}, {2, 1.0 / 3}, {4, 0.25}} {
		got := res.Timing[i]
		if got.A.Index != want.index || fmt.Sprintf("%.3f", got.Ratio) != fmt.Sprintf("%.3f", want.ratio) {
			t.Errorf("timing %d: %+v, want index %d ratio %.3f", i, got, want.index, want.ratio)
		}
	}
	if d := res.Timing[0]; d.A.Offset != 200*ms || d.B.Offset != 500*ms {
		t.Errorf("offsets %v, %v", d.A.Offset, d.B.Offset)
	}
	if out := text(res); !strings.Contains(out, "timing a#1 x -> b#1 x: 200ms -> 500ms (x2.50)") {
		t.Errorf("text:\n%s", out)
	}
	wantCounts(t, Compare(a, b, Options{Timing: 5}), 0, 0, 0, 0)
}

// Pins Validate: bad paths and timing factors are reported, good ones not.
func TestValidate(t *testing.T) {
	good := Options{Ignore: []string{"$", "a.b", "$..x[*]", `$["a b"][3]`, "..*"}, Timing: 1.5}
	if err := good.Validate(); err != nil {
		t.Errorf("good options: %v", err)
	}
	for _, bad := range []Options{
		{Ignore: []string{"$."}}, {Ignore: []string{"$.a["}}, {Ignore: []string{"$[x]"}},
		{Ignore: []string{`$["a`}}, {Ignore: []string{"$a"}}, {Ignore: []string{"$[-1]"}},
		{Ignore: []string{"$...a"}}, {Timing: 0.5}, {Timing: -1},
	} {
		if err := bad.Validate(); err == nil {
			t.Errorf("%+v: no error", bad)
		}
	}
}

// Pins that a path in a report parses back to a pattern naming exactly
// that value, so users can paste it into --ignore.
func TestReportedPathsParseBack(t *testing.T) {
	for _, path := range [][]step{
		nil,
		{member("result"), member("parts"), element(0), member("text")},
		{member("a.b"), member(`q"uote`), member("*"), member(""), member("sp ace"), element(12)},
	} {
		s := formatPath(path)
		p, err := ParsePattern(s)
		if err != nil {
			t.Fatalf("%s: %v", s, err)
		}
		if !p.match(path) {
			t.Errorf("%s does not match its own path", s)
		}
		if len(path) > 0 && p.match(path[:len(path)-1]) {
			t.Errorf("%s matches its parent", s)
		}
	}
}

// Pins the API shape: lists are [] rather than null, and values are JSON
// text.
func TestResultJSON(t *testing.T) {
	res := Compare(one(`{"a":1}`), one(`{"a":2}`), Options{})
	b, err := json.Marshal(res)
	if err != nil {
		t.Fatal(err)
	}
	want := `{"equal":false,"a":{"events":1},"b":{"events":1},"same":0,"added":[],"removed":[],"moved":[],` +
		`"changed":[{"a":{"index":0,"seq":0,"kind":"x","offsetNs":0},"b":{"index":0,"seq":0,"kind":"x","offsetNs":0},"diffs":[{"path":"$.a","old":"1","new":"2"}]}],"timing":[]}`
	if string(b) != want {
		t.Errorf("JSON\n got %s\nwant %s", b, want)
	}
}

// Pins the text rendering of every kind of difference, in a stable order.
func TestWriteText(t *testing.T) {
	a := Recording{Name: "task-a", Events: []Event{
		{Kind: "task", Data: []byte(`{"kind":"task","status":{"state":"working"}}`)},
		{Kind: "status-update", Data: []byte(`{"s":1}`)},
		{Kind: "status-update", Data: []byte(`{"s":2}`)},
		{Kind: "artifact-update", Data: []byte(`{"text":"old"}`)},
	}}
	b := Recording{Name: "task-b", Events: []Event{
		{Kind: "task", Data: []byte(`{"kind":"task","status":{"state":"working"},"extra":true}`)},
		{Kind: "status-update", Data: []byte(`{"s":2}`)},
		{Kind: "status-update", Data: []byte(`{"s":1}`)},
		{Kind: "message", Data: []byte(`{"text":"new"}`)},
	}}
	want := `--- a: task-a (4 events)
+++ b: task-b (4 events)
different: 1 same, 1 changed, 1 removed, 1 added, 1 moved

changed a#0 task -> b#0 task: 1 difference
  $.extra
  + true

removed a#3 artifact-update
  - {"text":"old"}

added b#3 message
  + {"text":"new"}

moved a#1 status-update -> b#2 status-update
`
	if got := text(Compare(a, b, Options{})); got != want {
		t.Errorf("text\n%s\nwant\n%s", got, want)
	}
}

// Pins that Event.Exchange keeps exchanges apart: the task a tasks/get
// returned never pairs with the task that opened a stream.
func TestExchangesDoNotPair(t *testing.T) {
	task := []byte(`{"jsonrpc":"2.0","id":1,"result":{"kind":"task","id":"t","contextId":"c","status":{"state":"working"}}}`)
	a := Recording{Events: []Event{{Kind: "task", Exchange: "message/stream", Data: task}, {Kind: "task", Exchange: "tasks/get", Data: task}}}
	b := Recording{Events: []Event{{Kind: "task", Exchange: "tasks/get", Data: task}}}
	res := Compare(a, b, Options{})
	wantCounts(t, res, 0, 0, 1, 0)
	if r := res.Removed[0]; r.Index != 0 || r.Exchange != "message/stream" {
		t.Errorf("removed %+v", r)
	}
}
