package postgres

import (
	"context"
	"fmt"
	"net/http"
	"path/filepath"
	"testing"
	"time"

	"github.com/a2aproxy/a2a-proxy/internal/pgtest"
	"github.com/a2aproxy/a2a-proxy/recorder"
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

// openSQLite opens today's SQLite store in a temp file.
func openSQLite(t *testing.T) *recorder.Store {
	t.Helper()
	s, err := recorder.Open(context.Background(), filepath.Join(t.TempDir(), "parity.db"), recorder.Options{})
	if err != nil {
		t.Fatalf("open sqlite: %v", err)
	}
	t.Cleanup(func() {
		if err := s.Close(); err != nil {
			t.Errorf("close sqlite: %v", err)
		}
	})
	return s
}

// twin feeds the same items to a SQLite store, through its writer, and to a
// PostgreSQL store, in batches as the writer cuts them.
type twin struct {
	t       *testing.T
	lite    *recorder.Store
	pg      *Store
	pending []Item
}

func (w *twin) start(ex *recorder.Exchange) {
	w.lite.StartExchange(ex)
	w.pending = append(w.pending, Item{Start: ex})
}

func (w *twin) event(ev *recorder.Event) {
	if !w.lite.RecordEvent(ev) {
		w.t.Fatalf("sqlite dropped event %s/%d", ev.ExchangeID, ev.Seq)
	}
	w.pending = append(w.pending, Item{Event: ev})
}

func (w *twin) end(end *recorder.ExchangeEnd) {
	w.lite.FinishExchange(end)
	w.pending = append(w.pending, Item{End: end})
}

// flush commits what was fed since the last flush: one batch on each side.
func (w *twin) flush() {
	w.t.Helper()
	if err := w.lite.Flush(context.Background()); err != nil {
		w.t.Fatalf("flush sqlite: %v", err)
	}
	if len(w.pending) == 0 {
		return
	}
	if err := w.pg.Commit(context.Background(), rollup(w.pending)); err != nil {
		w.t.Fatalf("commit postgres: %v", err)
	}
	w.pending = nil
}

func newExchange(id, agent string, start time.Time) *recorder.Exchange {
	return &recorder.Exchange{
		ID:              id,
		Agent:           agent,
		Method:          "message/stream",
		ProtocolVersion: "0.3",
		Binding:         "jsonrpc",
		HTTPMethod:      http.MethodPost,
		Path:            "/",
		RequestHeaders:  http.Header{"Content-Type": {"application/json"}},
		RequestBody:     []byte(`{"jsonrpc":"2.0","id":1,"method":"message/stream","params":{}}`),
		RPCID:           "1",
		StartedAt:       start,
		TraceID:         "trace-" + id,
		SpanID:          "span-" + id,
	}
}

func finish(id string, end time.Time, events int) *recorder.ExchangeEnd {
	return &recorder.ExchangeEnd{
		ExchangeID:  id,
		Status:      http.StatusOK,
		ContentType: "text/event-stream",
		Streaming:   true,
		EndedAt:     end,
		Outcome:     recorder.OutcomeCompleted,
		EventCount:  events,
	}
}

// statusEvent is a v0.3 JSON-RPC status-update as an a2a-go server frames it.
func statusEvent(ex *recorder.Exchange, seq int, taskID, contextID, state, text string) *recorder.Event {
	message := ""
	if text != "" {
		message = fmt.Sprintf(`,"message":{"kind":"message","role":"agent","messageId":"m%d","parts":[{"kind":"text","text":%q}]}`, seq, text)
	}
	data := fmt.Sprintf(`{"jsonrpc":"2.0","id":1,"result":{"kind":"status-update","taskId":%q,"contextId":%q,"status":{"state":%q%s},"final":%t}}`,
		taskID, contextID, state, message, state == "completed")
	return newEvent(ex, seq, []byte("id: e"+fmt.Sprint(seq)+"\ndata: "+data+"\n\n"), func(ev *recorder.Event) {
		ev.Kind = "status-update"
		ev.TaskID = taskID
		ev.ContextID = contextID
		ev.State = state
		ev.Final = state == "completed"
	})
}

func newEvent(ex *recorder.Exchange, seq int, raw []byte, set func(*recorder.Event)) *recorder.Event {
	offset := time.Duration(seq+1) * 100 * time.Millisecond
	ev := &recorder.Event{
		ExchangeID: ex.ID,
		Agent:      ex.Agent,
		Seq:        seq,
		Offset:     offset,
		At:         ex.StartedAt.Add(offset),
		Raw:        raw,
	}
	if set != nil {
		set(ev)
	}
	return ev
}
