package recorder_test

import (
	"bytes"
	"context"
	"encoding/json"
	"errors"
	"strings"
	"testing"
	"time"

	"github.com/a2aproxy/a2a-proxy/recorder"
)

func readRecordings(t *testing.T, data []byte) []*recorder.Recording {
	t.Helper()
	recs, err := recorder.ReadRecordings(bytes.NewReader(data), "test.ndjson")
	if err != nil {
		t.Fatalf("read recordings: %v", err)
	}
	return recs
}

func TestExportImportExportIsIdentical(t *testing.T) {
	ctx := context.Background()
	src, _ := openStore(t, recorder.Options{})
	recordSession(t, src)
	exported := exportTask(t, src, "task-1")

	dst, _ := openStore(t, recorder.Options{})
	res, err := dst.Import(ctx, readRecordings(t, exported))
	if err != nil {
		t.Fatalf("import: %v", err)
	}
	if res != (recorder.ImportResult{Recordings: 1, Exchanges: 3, Events: 5}) {
		t.Errorf("import result %+v", res)
	}
	if again := exportTask(t, dst, "task-1"); !bytes.Equal(again, exported) {
		t.Fatalf("export after import differs:\n--- first\n%s--- again\n%s", exported, again)
	}

	// The task row and the API document come out as recorded, too.
	want, err := src.GetTask(ctx, "task-1")
	if err != nil {
		t.Fatal(err)
	}
	got, err := dst.GetTask(ctx, "task-1")
	if err != nil {
		t.Fatal(err)
	}
	wantJSON, _ := json.Marshal(want)
	gotJSON, _ := json.Marshal(got)
	if !bytes.Equal(gotJSON, wantJSON) {
		t.Errorf("imported task:\n%s\nrecorded:\n%s", gotJSON, wantJSON)
	}
}

// A context export holds each task's recording; an exchange linked to two of
// its tasks appears in both and is imported once.
func TestImportContextWithSharedExchange(t *testing.T) {
	ctx := context.Background()
	src, _ := openStore(t, recorder.Options{})
	recordTask(t, src, "ex-a", "alpha", "task-a", "ctx-1", t0, "input-required")
	// A follow-up naming task-a whose answer starts task-b.
	ex := newExchange("ex-b", "alpha", t0.Add(time.Second))
	ex.TaskID = "task-a"
	src.StartExchange(ex)
	mustRecord(t, src, statusEvent(ex, 0, "task-b", "ctx-1", "completed", "done"))
	src.FinishExchange(finish(ex.ID, ex.StartedAt.Add(time.Second), 1))
	flush(t, src)

	recs, err := src.ContextRecordings(ctx, "ctx-1")
	if err != nil {
		t.Fatal(err)
	}
	if len(recs) != 2 || recs[0].Task.TaskID != "task-a" || recs[1].Task.TaskID != "task-b" {
		t.Fatalf("context recordings: %+v", recs)
	}
	var exported bytes.Buffer
	if err := recorder.WriteRecordings(&exported, recs...); err != nil {
		t.Fatal(err)
	}

	dst, _ := openStore(t, recorder.Options{})
	res, err := dst.Import(ctx, readRecordings(t, exported.Bytes()))
	if err != nil {
		t.Fatalf("import: %v", err)
	}
	if res.Exchanges != 2 || res.Events != 3 {
		t.Errorf("import result %+v, want 2 exchanges and 3 events", res)
	}
	again, err := dst.ContextRecordings(ctx, "ctx-1")
	if err != nil {
		t.Fatal(err)
	}
	var reexported bytes.Buffer
	if err := recorder.WriteRecordings(&reexported, again...); err != nil {
		t.Fatal(err)
	}
	if !bytes.Equal(reexported.Bytes(), exported.Bytes()) {
		t.Errorf("context export after import differs:\n%s\n%s", exported.Bytes(), reexported.Bytes())
	}
}

// Importing a file twice is an error, and writes nothing the second time:
// not even the recordings of the file that are not in the store yet.
func TestImportIsAllOrNothing(t *testing.T) {
	ctx := context.Background()
	src, _ := openStore(t, recorder.Options{})
	recordTask(t, src, "ex-1", "alpha", "task-1", "ctx-1", t0, "completed")
	recordTask(t, src, "ex-2", "alpha", "task-2", "ctx-2", t0.Add(time.Second), "completed")
	flush(t, src)
	first := exportTask(t, src, "task-1")
	both := append(exportTask(t, src, "task-2"), first...)

	dst, _ := openStore(t, recorder.Options{})
	if _, err := dst.Import(ctx, readRecordings(t, first)); err != nil {
		t.Fatalf("first import: %v", err)
	}
	_, err := dst.Import(ctx, readRecordings(t, both))
	if !errors.Is(err, recorder.ErrExists) || !strings.Contains(err.Error(), "ex-1") {
		t.Fatalf("second import: err = %v, want ErrExists naming ex-1", err)
	}
	if _, err := dst.GetTask(ctx, "task-2"); !errors.Is(err, recorder.ErrNotFound) {
		t.Errorf("task-2 was written by a failed import (err = %v)", err)
	}
}

func TestImportAfterClose(t *testing.T) {
	src, _ := openStore(t, recorder.Options{})
	recordSession(t, src)
	recs := readRecordings(t, exportTask(t, src, "task-1"))
	dst, _ := openStore(t, recorder.Options{})
	dst.Close()
	if _, err := dst.Import(context.Background(), recs); err == nil {
		t.Error("import into a closed store succeeded")
	}
}

// Hand-written fixtures may leave out at, and list events in any order.
func TestReadRecordingsHandWritten(t *testing.T) {
	file := `{"format":"a2a-proxy.recording","version":1,"task":{"taskId":"T"},"exchanges":[{"id":"x","startedAt":"2025-06-01T12:00:00Z"}]}

{"exchangeId":"x","seq":1,"offsetNs":2000000,"raw":"data: {\"b\":2}\n\n"}
{"exchangeId":"x","seq":0,"offsetNs":1000000,"raw":"data: {\"a\":1}\n\n"}
`
	recs := readRecordings(t, []byte(file))
	evs := recs[0].Events
	if len(evs) != 2 || evs[0].Seq != 0 || evs[1].Seq != 1 {
		t.Fatalf("events %+v, want seq 0 then 1", evs)
	}
	if !evs[0].At.Equal(t0.Add(time.Millisecond)) || string(evs[1].Raw) != "data: {\"b\":2}\n\n" {
		t.Errorf("event 0 at %v, event 1 raw %q", evs[0].At, evs[1].Raw)
	}
	if recs[0].Exchanges[0].End != nil {
		t.Error("an exchange without endedAt has an end")
	}
}

func TestReadRecordingsRejectsCorruptFiles(t *testing.T) {
	const header = `{"format":"a2a-proxy.recording","version":1,"task":{"taskId":"T"},"exchanges":[{"id":"x","startedAt":"2025-06-01T12:00:00Z"}]}`
	const event = `{"exchangeId":"x","seq":0,"offsetNs":0,"raw":"data: {}\n\n"}`
	for _, tc := range []struct {
		name, file string
		line       int
		why        string
	}{
		{"empty", "", 0, "no recording"},
		{"not JSON", header + "\n{oops\n", 2, "not a JSON object"},
		{"truncated line", header + "\n" + event[:20], 2, "not a JSON object"},
		{"event first", event + "\n" + header + "\n", 1, "before any header"},
		{"wrong format", `{"format":"other","version":1,"task":{"taskId":"T"},"exchanges":[]}`, 1, `format "other"`},
		{"newer version", strings.Replace(header, `"version":1`, `"version":2`, 1), 1, "reads version 1"},
		{"no task id", strings.Replace(header, `"taskId":"T"`, `"taskId":""`, 1), 1, "taskId is empty"},
		{"duplicate exchange", strings.Replace(header, `[{"id":"x"`, `[{"id":"x"},{"id":"x"`, 1), 1, "appears twice"},
		{"unknown field", header + "\n" + strings.Replace(event, `"seq"`, `"sequence"`, 1), 2, "unknown field"},
		{"unknown exchange", header + "\n" + strings.Replace(event, `"x"`, `"y"`, 1), 2, "does not list"},
		{"negative offset", header + "\n" + strings.Replace(event, `"offsetNs":0`, `"offsetNs":-1`, 1), 2, "negative offsetNs"},
		{"no raw", header + "\n" + `{"exchangeId":"x","seq":0,"offsetNs":0}`, 2, "no raw bytes"},
		{"bad base64", header + "\n" + strings.Replace(event, `"data: {}\n\n"`, `{"base64":"!!"}`, 1), 2, "base64"},
		{"duplicate event", header + "\n" + event + "\n" + event + "\n", 3, "appears twice"},
		{"second recording", header + "\n" + event + "\n" + header + "\n" + `{"exchangeId":"x","seq":-1,"offsetNs":0,"raw":""}`, 4, "negative seq"},
	} {
		t.Run(tc.name, func(t *testing.T) {
			recs, err := recorder.ReadRecordings(strings.NewReader(tc.file), "fixture.ndjson")
			var fe *recorder.FormatError
			if !errors.As(err, &fe) {
				t.Fatalf("err = %v (%d recordings), want a *FormatError", err, len(recs))
			}
			if fe.Source != "fixture.ndjson" || fe.Line != tc.line || !strings.Contains(err.Error(), tc.why) {
				t.Errorf("err = %q (line %d), want fixture.ndjson:%d with %q", err, fe.Line, tc.line, tc.why)
			}
			if recs != nil {
				t.Errorf("a corrupt file yielded %d recordings", len(recs))
			}
		})
	}
}
