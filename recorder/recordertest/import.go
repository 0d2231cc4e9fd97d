package recordertest

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

func testExportImportExportIsIdentical(t *testing.T, h *rig) {
	ctx := context.Background()
	src := h.openStore(t, recorder.Options{})
	RecordSession(t, src)
	exported := ExportTask(t, src, "task-1")

	dst := h.openStore(t, recorder.Options{})
	res, err := dst.Import(ctx, readRecordings(t, exported))
	if err != nil {
		t.Fatalf("import: %v", err)
	}
	if res != (recorder.ImportResult{Recordings: 1, Exchanges: 3, Events: 5}) {
		t.Errorf("import result %+v", res)
	}
	if again := ExportTask(t, dst, "task-1"); !bytes.Equal(again, exported) {
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

func testImportContextWithSharedExchange(t *testing.T, h *rig) {
	ctx := context.Background()
	src := h.openStore(t, recorder.Options{})
	RecordTask(t, src, "ex-a", "alpha", "task-a", "ctx-1", T0, "input-required")
	// A follow-up naming task-a whose answer starts task-b.
	ex := NewExchange("ex-b", "alpha", T0.Add(time.Second))
	ex.TaskID = "task-a"
	src.StartExchange(ex)
	MustRecord(t, src, StatusEvent(ex, 0, "task-b", "ctx-1", "completed", "done"))
	src.FinishExchange(Finish(ex.ID, ex.StartedAt.Add(time.Second), 1))
	Flush(t, src)

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

	dst := h.openStore(t, recorder.Options{})
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

func testImportIsAllOrNothing(t *testing.T, h *rig) {
	ctx := context.Background()
	src := h.openStore(t, recorder.Options{})
	RecordTask(t, src, "ex-1", "alpha", "task-1", "ctx-1", T0, "completed")
	RecordTask(t, src, "ex-2", "alpha", "task-2", "ctx-2", T0.Add(time.Second), "completed")
	Flush(t, src)
	first := ExportTask(t, src, "task-1")
	both := append(ExportTask(t, src, "task-2"), first...)

	dst := h.openStore(t, recorder.Options{})
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

func testImportAfterClose(t *testing.T, h *rig) {
	src := h.openStore(t, recorder.Options{})
	RecordSession(t, src)
	recs := readRecordings(t, ExportTask(t, src, "task-1"))
	dst := h.openStore(t, recorder.Options{})
	dst.Close()
	if _, err := dst.Import(context.Background(), recs); err == nil {
		t.Error("import into a closed store succeeded")
	}
}

// Hand-written fixtures may leave out at, and list events in any order.
