package recordertest

import (
	"context"
	"testing"
	"time"

	"github.com/a2aproxy/a2a-proxy/recorder"
)

// TestOpenFailsWhenUnwritable pins that Open refuses, with an error that

// names the file and says what to fix, a database it cannot write, instead

// of starting and losing every write. Tests run as root, for whom chmod does

// not stop writes, so read-only cases use a tmpfs remounted read-only (and

// chmod when not root).

// readOnlyDir returns a directory that makeReadOnly can make read-only, and

// a database path in it.

// makeReadOnly stops this process from writing in dir (and to file, if

// set): a read-only remount for root, chmod otherwise.

// createDB creates and migrates a database at path, and closes it.

// holdWriteLock holds an exclusive transaction on path from another

// connection until the test ends, as another writer process would.

// TestOpenClosesInterruptedExchanges pins that an exchange left open by a

// previous run (a crash: no end was ever written) is closed by the next Open

// with outcome interrupted, at its last recorded event, with the events it

// has, as an incomplete recording; its task keeps the state it had.

func testOpenClosesInterruptedExchanges(t *testing.T, h *rig) {
	s := h.openStore(t, recorder.Options{})
	open := NewExchange("ex-open", "a", T0)
	s.StartExchange(open)
	for seq, state := range []string{"submitted", "working"} {
		s.RecordEvent(StatusEvent(open, seq, "task-1", "ctx", state, ""))
	}
	done := RecordTask(t, s, "ex-done", "a", "task-2", "ctx", T0.Add(time.Second), "completed")
	if err := s.Close(); err != nil { // the open exchange stays open, as after kill -9
		t.Fatal(err)
	}

	s = h.reopen(t, s, recorder.Options{})
	got, err := s.GetTask(context.Background(), "task-1")
	if err != nil {
		t.Fatal(err)
	}
	x := got.Exchanges[0]
	lastEvent := T0.Add(200 * time.Millisecond) // NewEvent's offset of seq 1
	if x.Outcome != recorder.OutcomeInterrupted || x.EndedAt == nil || !x.EndedAt.Equal(lastEvent) ||
		x.EventCount != 2 || x.RecordingComplete || x.Error == "" {
		t.Errorf("interrupted exchange = outcome %q, ended %v, %d events, complete %t, error %q; want interrupted at %v, 2 events, incomplete",
			x.Outcome, x.EndedAt, x.EventCount, x.RecordingComplete, x.Error, lastEvent)
	}
	if got.Task.State != "working" {
		t.Errorf("task state = %q, want working (left as recorded)", got.Task.State)
	}
	other, err := s.GetTask(context.Background(), "task-2")
	if err != nil {
		t.Fatal(err)
	}
	if x := other.Exchanges[0]; x.ID != done.ID || x.Outcome != recorder.OutcomeCompleted || !x.RecordingComplete {
		t.Errorf("finished exchange = %+v, want it untouched", x)
	}
}
