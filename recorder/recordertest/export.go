package recordertest

import (
	"bytes"
	"context"
	_ "embed" // goldenRecording
	"encoding/json"
	"errors"
	"net/http"
	"os"
	"path/filepath"
	"runtime"
	"strings"
	"testing"
	"time"

	"github.com/a2aproxy/a2a-proxy/recorder"
)

// goldenRecording is the export of RecordSession's task-1.
//
//go:embed testdata/recording.ndjson
var goldenRecording []byte

// RecordSession records task-1 of context ctx-1: a stream (with an odd
// payload: HTML characters, bytes that are not UTF-8), a tasks/get naming the
// task, and a resubscribe still open.
func RecordSession(t testing.TB, s *recorder.Recorder) {
	t.Helper()
	stream := NewExchange("ex-1", "builtin", T0)
	stream.MessageID = "msg-1"
	stream.RequestBody = []byte(`{"jsonrpc":"2.0","id":1,"method":"message/stream","params":{"message":{"kind":"message","role":"user","messageId":"msg-1","parts":[{"kind":"text","text":"<b>hi</b> & bye"}]}}}`)
	s.StartExchange(stream)
	for _, ev := range []*recorder.Event{
		StatusEvent(stream, 0, "task-1", "ctx-1", "submitted", ""),
		StatusEvent(stream, 1, "task-1", "ctx-1", "working", "<b>thinking</b> & more"),
		NewEvent(stream, 2, []byte("data: \xff\xfe not utf-8\n\n"), func(ev *recorder.Event) {
			ev.TaskID, ev.Flag = "task-1", recorder.FlagNonJSON
		}),
		StatusEvent(stream, 3, "task-1", "ctx-1", "completed", ""),
	} {
		MustRecord(t, s, ev)
	}
	s.FinishExchange(Finish(stream.ID, T0.Add(time.Second), 4))

	get := NewExchange("ex-2", "builtin", T0.Add(2*time.Second))
	get.Method, get.TaskID, get.RPCID = "tasks/get", "task-1", `"g"`
	get.RequestBody = []byte(`{"jsonrpc":"2.0","id":"g","method":"tasks/get","params":{"id":"task-1"}}`)
	s.StartExchange(get)
	MustRecord(t, s, NewEvent(get, 0, []byte(`{"jsonrpc":"2.0","id":"g","result":{"kind":"task","id":"task-1","contextId":"ctx-1","status":{"state":"completed"}}}`), func(ev *recorder.Event) {
		ev.Kind, ev.TaskID, ev.ContextID, ev.State = "task", "task-1", "ctx-1", "completed"
	}))
	s.FinishExchange(&recorder.ExchangeEnd{
		ExchangeID: get.ID, Status: http.StatusOK, ContentType: "application/json",
		EndedAt: get.StartedAt.Add(5 * time.Millisecond), Outcome: recorder.OutcomeCompleted, EventCount: 1,
	})

	open := NewExchange("ex-3", "builtin", T0.Add(3*time.Second))
	open.Method, open.TaskID = "tasks/resubscribe", "task-1"
	s.StartExchange(open)
	Flush(t, s)
}

func MustRecord(t testing.TB, s *recorder.Recorder, ev *recorder.Event) {
	t.Helper()
	if !s.RecordEvent(ev) {
		t.Fatalf("event %s/%d dropped", ev.ExchangeID, ev.Seq)
	}
}

func ExportTask(t testing.TB, s *recorder.Recorder, taskID string) []byte {
	t.Helper()
	rec, err := s.Recording(context.Background(), taskID)
	if err != nil {
		t.Fatalf("read recording: %v", err)
	}
	var b bytes.Buffer
	if err := recorder.WriteRecordings(&b, rec); err != nil {
		t.Fatalf("write recording: %v", err)
	}
	return b.Bytes()
}

func testRecordingHoldsTheTaskInTimelineOrder(t *testing.T, h *rig) {
	s := h.openStore(t, recorder.Options{})
	RecordSession(t, s)

	rec, err := s.Recording(context.Background(), "task-1")
	if err != nil {
		t.Fatal(err)
	}
	want := recorder.RecordedTask{TaskID: "task-1", ContextID: "ctx-1", Agent: "builtin", State: "completed"}
	if rec.Task != want {
		t.Errorf("task = %+v, want %+v", rec.Task, want)
	}
	var ids []string
	for _, x := range rec.Exchanges {
		ids = append(ids, x.ID)
	}
	if strings.Join(ids, ",") != "ex-1,ex-2,ex-3" {
		t.Fatalf("exchanges %v, want ex-1,ex-2,ex-3", ids)
	}
	if x := rec.Exchanges[1]; x.TaskID != "task-1" || x.RPCID != `"g"` || x.End == nil || x.End.ContentType != "application/json" {
		t.Errorf("tasks/get exchange = %+v, end %+v", x.Exchange, x.End)
	}
	if rec.Exchanges[2].End != nil {
		t.Errorf("open exchange has an end: %+v", rec.Exchanges[2].End)
	}
	if len(rec.Events) != 5 || rec.Events[2].Flag != recorder.FlagNonJSON || rec.Events[4].ExchangeID != "ex-2" {
		t.Fatalf("events = %+v", rec.Events)
	}
	if rec.Events[1].Agent != "builtin" || rec.Events[1].Offset != 200*time.Millisecond {
		t.Errorf("event 1 = %+v", rec.Events[1])
	}
}

func testRecordingOfUnknownTask(t *testing.T, h *rig) {
	s := h.openStore(t, recorder.Options{})
	if _, err := s.Recording(context.Background(), "nope"); !errors.Is(err, recorder.ErrNotFound) {
		t.Errorf("err = %v, want ErrNotFound", err)
	}
	if _, err := s.ContextRecordings(context.Background(), "nope"); !errors.Is(err, recorder.ErrNotFound) {
		t.Errorf("context: err = %v, want ErrNotFound", err)
	}
}

// The replay stream sends the API's events; they must be GetTask's.
func testEventDocsAreTheAPIEvents(t *testing.T, h *rig) {
	s := h.openStore(t, recorder.Options{})
	RecordSession(t, s)
	ctx := context.Background()
	rec, err := s.Recording(ctx, "task-1")
	if err != nil {
		t.Fatal(err)
	}
	detail, err := s.GetTask(ctx, "task-1")
	if err != nil {
		t.Fatal(err)
	}
	got, _ := json.Marshal(rec.EventDocs())
	want, _ := json.Marshal(detail.Events)
	if !bytes.Equal(got, want) {
		t.Errorf("EventDocs:\n%s\nGetTask events:\n%s", got, want)
	}
}

// The golden file documents the format: see docs/replay.md.
func testWriteRecordingsFormat(t *testing.T, h *rig) {
	s := h.openStore(t, recorder.Options{})
	RecordSession(t, s)
	got := ExportTask(t, s, "task-1")

	if os.Getenv("UPDATE_GOLDEN") != "" {
		_, self, _, _ := runtime.Caller(0)
		path := filepath.Join(filepath.Dir(self), "testdata", "recording.ndjson")
		if err := os.WriteFile(path, got, 0o644); err != nil {
			t.Fatal(err)
		}
	}
	if want := goldenRecording; !bytes.Equal(got, want) {
		t.Errorf("export differs from recorder/recordertest/testdata/recording.ndjson (UPDATE_GOLDEN=1 go test ./recorder/sqlite rewrites it):\n--- got\n%s--- want\n%s", got, want)
	}
	for i, line := range bytes.Split(bytes.TrimSuffix(got, []byte("\n")), []byte("\n")) {
		if !json.Valid(line) {
			t.Errorf("line %d is not one JSON document: %s", i+1, line)
		}
	}
	if !bytes.Contains(got, []byte(`<b>thinking</b> & more`)) {
		t.Error("HTML characters are escaped; the export should keep payloads readable")
	}
	if !bytes.Contains(got, []byte(`"raw":{"base64":"ZGF0YTog//4gbm90IHV0Zi04Cgo="}`)) {
		t.Error("bytes that are not UTF-8 are not written as base64")
	}
}
