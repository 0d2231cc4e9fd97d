package postgres

import (
	"context"
	"path/filepath"
	"testing"
	"time"

	"github.com/a2aproxy/a2a-proxy/internal/pgtest"
	"github.com/a2aproxy/a2a-proxy/recorder"
	"github.com/a2aproxy/a2a-proxy/recorder/recordertest"
	"github.com/a2aproxy/a2a-proxy/recorder/sqlite"
)

func TestMain(m *testing.M) { pgtest.Main(m) }

// t0 is when the recorded traffic of the tests starts.
var t0 = time.Date(2025, 6, 1, 12, 0, 0, 0, time.UTC)

func testContext(t *testing.T) context.Context {
	ctx, cancel := context.WithTimeout(context.Background(), 2*time.Minute)
	t.Cleanup(cancel)
	return ctx
}

// openPG opens a store on dsn, closed when the test ends.
func openPG(t *testing.T, dsn string, opts ...Option) *Store {
	t.Helper()
	s, err := Open(testContext(t), dsn, opts...)
	if err != nil {
		t.Fatalf("open postgres: %v", err)
	}
	t.Cleanup(func() {
		if err := s.Close(); err != nil {
			t.Errorf("close postgres: %v", err)
		}
	})
	return s
}

// openSQLite opens a SQLite recorder in a temp file.
func openSQLite(t *testing.T) *recorder.Recorder {
	t.Helper()
	r, err := sqlite.OpenRecorder(context.Background(), filepath.Join(t.TempDir(), "parity.db"), recorder.Options{})
	if err != nil {
		t.Fatalf("open sqlite: %v", err)
	}
	t.Cleanup(func() {
		if err := r.Close(); err != nil {
			t.Errorf("close sqlite: %v", err)
		}
	})
	return r
}

// openPGRecorder opens a recorder on a new PostgreSQL database.
func openPGRecorder(t *testing.T) *recorder.Recorder {
	t.Helper()
	r, err := OpenRecorder(testContext(t), pgtest.Start(t), recorder.Options{})
	if err != nil {
		t.Fatalf("open postgres: %v", err)
	}
	t.Cleanup(func() {
		if err := r.Close(); err != nil {
			t.Errorf("close postgres: %v", err)
		}
	})
	return r
}

// twin feeds the same items to a SQLite recorder and a PostgreSQL one, each
// through its writer.
type twin struct {
	t        *testing.T
	lite, pg *recorder.Recorder
}

func (w *twin) start(ex *recorder.Exchange) {
	w.lite.StartExchange(ex)
	w.pg.StartExchange(ex)
}

func (w *twin) event(ev *recorder.Event) {
	if !w.lite.RecordEvent(ev) || !w.pg.RecordEvent(ev) {
		w.t.Fatalf("event %s/%d dropped", ev.ExchangeID, ev.Seq)
	}
}

func (w *twin) end(end *recorder.ExchangeEnd) {
	w.lite.FinishExchange(end)
	w.pg.FinishExchange(end)
}

// flush commits what was fed: what follows lands in later batches.
func (w *twin) flush() {
	w.t.Helper()
	for _, r := range []*recorder.Recorder{w.lite, w.pg} {
		if err := r.Flush(context.Background()); err != nil {
			w.t.Fatalf("flush: %v", err)
		}
	}
}

// batchOf is the batch the writer would commit for items, for the tests
// that call Commit directly (the status message text left out).
func batchOf(items []recorder.Item) *recorder.Batch {
	b := &recorder.Batch{Items: items}
	index := map[string]int{}
	linked := map[recorder.TaskLink]bool{}
	touch := func(taskID, exchangeID, contextID, agent string, at time.Time) *recorder.TaskChange {
		if l := (recorder.TaskLink{TaskID: taskID, ExchangeID: exchangeID}); !linked[l] {
			linked[l] = true
			b.Links = append(b.Links, l)
		}
		i, ok := index[taskID]
		if !ok {
			i = len(b.Tasks)
			index[taskID] = i
			b.Tasks = append(b.Tasks, recorder.TaskChange{TaskID: taskID, FirstSeen: at, LastSeen: at, FirstExchangeID: exchangeID})
		}
		c := &b.Tasks[i]
		if at.Before(c.FirstSeen) {
			c.FirstSeen = at
		}
		if at.After(c.LastSeen) {
			c.LastSeen = at
		}
		if c.ContextID == "" {
			c.ContextID = contextID
		}
		if c.Agent == "" {
			c.Agent = agent
		}
		return c
	}
	for _, it := range items {
		switch {
		case it.Start != nil && it.Start.TaskID != "":
			touch(it.Start.TaskID, it.Start.ID, it.Start.ContextID, it.Start.Agent, it.Start.StartedAt)
		case it.Event != nil && it.Event.TaskID != "":
			c := touch(it.Event.TaskID, it.Event.ExchangeID, it.Event.ContextID, it.Event.Agent, it.Event.At)
			c.Events++
			if it.Event.State != "" {
				c.State = it.Event.State
			}
		}
	}
	return b
}

// The recorder's test fixtures, shared with the contract suite.
var (
	newExchange = recordertest.NewExchange
	finish      = recordertest.Finish
	statusEvent = recordertest.StatusEvent
	newEvent    = recordertest.NewEvent
)
