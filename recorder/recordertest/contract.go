package recordertest

import (
	"context"
	"errors"
	"strings"
	"testing"
	"time"

	"github.com/a2aproxy/a2a-proxy/recorder"
)

// testImportWaitsForWhatWasQueuedBefore pins that an import runs on the
// writer, after what was queued before it: an exchange started live and not
// flushed yet is already stored when an import of the same exchange runs,
// so the import fails with ErrExists instead of writing it a second time.
func testImportWaitsForWhatWasQueuedBefore(t *testing.T, h *rig) {
	ctx := context.Background()
	src := h.openStore(t, recorder.Options{})
	RecordTask(t, src, "ex-1", "a", "task-1", "ctx-1", T0, "completed")
	Flush(t, src)
	recs, err := recorder.ReadRecordings(strings.NewReader(string(ExportTask(t, src, "task-1"))), "src.ndjson")
	if err != nil {
		t.Fatal(err)
	}

	dst := h.openStore(t, recorder.Options{FlushInterval: time.Hour, BatchSize: 1 << 20}) // only a marker commits
	dst.StartExchange(NewExchange("ex-1", "a", T0))
	if _, err := dst.Import(ctx, recs); !errors.Is(err, recorder.ErrExists) {
		t.Fatalf("import after a queued start of the same exchange: err = %v, want ErrExists", err)
	}
	if n := EventCount(t, dst, "ex-1"); n != 0 {
		t.Errorf("events of ex-1 = %d, want 0 (the import wrote nothing)", n)
	}
}

// testFailedItemIsLostAloneAndMarked pins that an item the store refuses
// (here an event recorded twice with the same seq) is lost alone: the batch
// it came in is retried item by item, the others are stored, the loss is
// counted as commit_failed and marked on its exchange, whose recording shows
// as incomplete.
func testFailedItemIsLostAloneAndMarked(t *testing.T, h *rig) {
	s := h.openStore(t, recorder.Options{})
	ex := NewExchange("ex-1", "a", T0)
	s.StartExchange(ex)
	const events = 6
	for seq := range events {
		MustRecord(t, s, StatusEvent(ex, seq, "task-1", "ctx", "working", ""))
		if seq == 3 {
			MustRecord(t, s, StatusEvent(ex, seq, "task-1", "ctx", "working", "again"))
		}
	}
	s.FinishExchange(Finish(ex.ID, T0.Add(time.Minute), events+1))
	Flush(t, s)

	if n := EventCount(t, s, ex.ID); n != events {
		t.Errorf("events stored = %d, want %d", n, events)
	}
	st := s.Stats()
	if st.Lost[recorder.LossCommitFailed] != 1 || len(st.Lost) != 1 || st.FailedItems != 1 || st.WrittenEvents != events {
		t.Errorf("stats = %+v, want 1 lost (commit_failed), %d written", st, events)
	}
	got, err := s.GetTask(context.Background(), "task-1")
	if err != nil {
		t.Fatal(err)
	}
	if x := got.Exchanges[0]; x.DroppedEvents != 1 || x.RecordingComplete || x.Outcome != recorder.OutcomeCompleted {
		t.Errorf("exchange = dropped %d, complete %t, outcome %q; want 1 dropped, incomplete, completed", x.DroppedEvents, x.RecordingComplete, x.Outcome)
	}
	if got.Task.EventCount != events {
		t.Errorf("task event count = %d, want %d (the lost event is not counted)", got.Task.EventCount, events)
	}
}
