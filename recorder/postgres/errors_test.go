package postgres

import (
	"context"
	"errors"
	"fmt"
	"log/slog"
	"strings"
	"testing"
	"time"

	"github.com/jackc/pgx/v5"
	"github.com/jackc/pgx/v5/pgconn"

	"github.com/a2aproxy/a2a-proxy/internal/pgtest"
	"github.com/a2aproxy/a2a-proxy/recorder"
)

// TestLossReasonBySQLState pins the classification of failed commits by
// PostgreSQL's codes, for the ones a test server cannot easily be made to
// return (a full disk, a server shutting down).
func TestLossReasonBySQLState(t *testing.T) {
	s := &Store{}
	for _, tc := range []struct {
		err       error
		want      recorder.LossReason
		retryable bool
	}{
		{&pgconn.PgError{Code: "53100"}, recorder.LossDiskFull, false},
		{&pgconn.PgError{Code: "55P03"}, recorder.LossLocked, false},
		{&pgconn.PgError{Code: "40P01"}, recorder.LossLocked, false},
		{&pgconn.PgError{Code: "25006"}, recorder.LossUnwritable, false},
		{&pgconn.PgError{Code: "42501"}, recorder.LossUnwritable, false},
		{&pgconn.PgError{Code: "23505"}, recorder.LossCommitFailed, false},
		{&pgconn.PgError{Code: "57P01"}, recorder.LossUnreachable, true},
		{&pgconn.PgError{Code: "08006"}, recorder.LossUnreachable, true},
		{&pgconn.PgError{Code: "53300"}, recorder.LossUnreachable, true},
		{fmt.Errorf("commit: %w", context.DeadlineExceeded), recorder.LossUnreachable, true},
		{errors.New("something else"), recorder.LossCommitFailed, false},
		{context.Canceled, recorder.LossCommitFailed, false},
	} {
		if got := s.LossReason(tc.err); got != tc.want {
			t.Errorf("LossReason(%v) = %s, want %s", tc.err, got, tc.want)
		}
		if got := s.Retryable(tc.err); got != tc.retryable {
			t.Errorf("Retryable(%v) = %v, want %v", tc.err, got, tc.retryable)
		}
	}
}

func execSQL(t *testing.T, dsn, sql string) {
	t.Helper()
	conn, err := pgx.Connect(testContext(t), dsn)
	if err != nil {
		t.Fatalf("connect: %v", err)
	}
	defer conn.Close(context.Background())
	if _, err := conn.Exec(testContext(t), sql); err != nil {
		t.Fatalf("%s: %v", sql, err)
	}
}

// TestOpenFailsOnReadOnlyDatabase pins that a store which cannot be written
// (a standby, or default_transaction_read_only) fails Open with a clear
// error, and that a commit refused so is classified unwritable.
func TestOpenFailsOnReadOnlyDatabase(t *testing.T) {
	t.Parallel()
	dsn := pgtest.Start(t)
	s := openPG(t, dsn) // migrated while writable
	dbName := dsn[strings.LastIndex(dsn, "/")+1 : strings.Index(dsn, "?")]
	execSQL(t, dsn, "ALTER DATABASE "+dbName+" SET default_transaction_read_only = on")

	_, err := Open(testContext(t), dsn)
	if err == nil || !strings.Contains(err.Error(), "cannot write the PostgreSQL database") {
		t.Fatalf("open read-only: err = %v, want a clear unwritable error", err)
	}
	s.writes.Reset() // new connections read the setting
	ex := newExchange("ex-ro", "alpha", t0)
	err = s.Commit(testContext(t), batchOf([]recorder.Item{{Start: ex}}))
	if got := s.LossReason(err); got != recorder.LossUnwritable || s.Retryable(err) {
		t.Fatalf("commit on read-only: %v classified %s (retryable %v), want unwritable, not retryable", err, got, s.Retryable(err))
	}
}

// TestLockedTableIsLocked pins that a commit waiting on another session's
// lock past lock_timeout fails as locked, not as unreachable, and does not
// wait for CommitTimeout.
func TestLockedTableIsLocked(t *testing.T) {
	t.Parallel()
	dsn := pgtest.Start(t)
	s := openPG(t, dsn+"&lock_timeout=200")
	ctx := testContext(t)
	conn, err := pgx.Connect(ctx, dsn)
	if err != nil {
		t.Fatalf("connect: %v", err)
	}
	defer conn.Close(context.Background())
	tx, err := conn.Begin(ctx)
	if err != nil {
		t.Fatalf("begin: %v", err)
	}
	defer tx.Rollback(context.Background())
	if _, err := tx.Exec(ctx, "LOCK TABLE exchanges IN ACCESS EXCLUSIVE MODE"); err != nil {
		t.Fatalf("lock: %v", err)
	}
	began := time.Now()
	err = s.Commit(ctx, batchOf([]recorder.Item{{Start: newExchange("ex-locked", "alpha", t0)}}))
	if got := s.LossReason(err); got != recorder.LossLocked {
		t.Fatalf("commit under a lock: %v classified %s, want locked", err, got)
	}
	if waited := time.Since(began); waited > 10*time.Second {
		t.Errorf("commit waited %v for the lock, want about lock_timeout", waited)
	}
}

// TestServerStoppedMidRun pins what the writer relies on when PostgreSQL
// goes away: commits fail fast as retryable (unreachable), whether the
// server was stopped or crashed, and the same batch commits once it is
// back, through the same store, with nothing lost or doubled.
func TestServerStoppedMidRun(t *testing.T) {
	t.Parallel()
	for _, stop := range []string{"stop", "crash"} {
		t.Run(stop, func(t *testing.T) {
			srv := pgtest.New(t)
			s := openPG(t, srv.CreateDatabase(t))
			ctx := testContext(t)
			openWork(t, s, "ex-before", "task-1", t0)

			if stop == "stop" {
				srv.Stop(t)
			} else {
				srv.Crash(t)
			}
			ex := newExchange("ex-during", "alpha", t0.Add(time.Second))
			batch := batchOf([]recorder.Item{
				{Start: ex},
				{Event: statusEvent(ex, 0, "task-1", "ctx", "completed", "done")},
				{End: finish(ex.ID, t0.Add(2*time.Second), 1)},
			})
			for range 3 { // each attempt fails the same way, fast
				began := time.Now()
				err := s.Commit(ctx, batch)
				if err == nil {
					t.Fatal("commit with the server down succeeded")
				}
				if !s.Retryable(err) || s.LossReason(err) != recorder.LossUnreachable {
					t.Fatalf("commit with the server down: %v: retryable %v, reason %s; want retryable, unreachable", err, s.Retryable(err), s.LossReason(err))
				}
				if waited := time.Since(began); waited > 10*time.Second {
					t.Fatalf("commit with the server down took %v", waited)
				}
			}
			srv.Restart(t)
			var err error
			for attempt := 0; attempt < 3; attempt++ { // a pooled connection may still be the dead one's
				if err = s.Commit(ctx, batch); err == nil || !s.Retryable(err) {
					break
				}
			}
			if err != nil {
				t.Fatalf("commit after restart: %v", err)
			}
			detail, err := s.GetTask(ctx, "task-1")
			if err != nil {
				t.Fatalf("get task: %v", err)
			}
			if detail.Task.State != "completed" || detail.Task.EventCount != 2 || detail.Task.ExchangeCount != 2 || len(detail.Events) != 2 {
				t.Errorf("after restart: state %s, %d events, %d exchanges, %d events read; want completed, 2, 2, 2",
					detail.Task.State, detail.Task.EventCount, detail.Task.ExchangeCount, len(detail.Events))
			}
		})
	}
}

// TestOpenFailsWhenUnreachable pins that a start against a server that does
// not answer fails at once with an error that says so.
func TestOpenFailsWhenUnreachable(t *testing.T) {
	t.Parallel()
	srv := pgtest.New(t)
	dsn := srv.CreateDatabase(t)
	srv.Stop(t)
	_, err := Open(testContext(t), dsn)
	if err == nil || !strings.Contains(err.Error(), "cannot reach the PostgreSQL server") {
		t.Fatalf("open with the server stopped: err = %v, want a clear unreachable error", err)
	}
}

// TestRecorderRidesOutAnOutage pins the whole pipeline on PostgreSQL going
// away mid-stream: the proxy's sends never fail while the server is down,
// the writer retries, and once the server is back every event is stored
// and nothing is counted lost.
func TestRecorderRidesOutAnOutage(t *testing.T) {
	t.Parallel()
	srv := pgtest.New(t)
	retrying := make(chan struct{}, 1)
	log := slog.New(&notifyHandler{msg: "recorder store unreachable, retrying", seen: retrying})
	r, err := OpenRecorder(testContext(t), srv.CreateDatabase(t), recorder.Options{Mode: recorder.ModeLossless, Logger: log})
	if err != nil {
		t.Fatalf("open: %v", err)
	}
	defer r.Close()
	ctx := testContext(t)
	ex := newExchange("ex-1", "alpha", t0)
	r.StartExchange(ex)
	const before, during = 10, 200
	for seq := range before {
		if !r.RecordEvent(statusEvent(ex, seq, "task-1", "ctx", "working", "")) {
			t.Fatalf("event %d refused", seq)
		}
	}
	if err := r.Flush(ctx); err != nil {
		t.Fatalf("flush: %v", err)
	}

	srv.Crash(t)
	for seq := before; seq < before+during; seq++ {
		if !r.RecordEvent(statusEvent(ex, seq, "task-1", "ctx", "working", "")) {
			t.Fatalf("event %d refused with the server down", seq)
		}
	}
	r.FinishExchange(finish(ex.ID, t0.Add(time.Minute), before+during))
	select { // the writer met the outage: the restart is what it waits for
	case <-retrying:
	case <-time.After(30 * time.Second):
		t.Fatal("the writer did not retry within 30s of the crash")
	}
	srv.Restart(t)
	if err := r.Flush(ctx); err != nil {
		t.Fatalf("flush after restart: %v", err)
	}
	events, err := r.ExchangeEvents(ctx, ex.ID)
	if err != nil {
		t.Fatalf("read back: %v", err)
	}
	if len(events) != before+during {
		t.Errorf("stored %d events, want %d", len(events), before+during)
	}
	if st := r.Stats(); len(st.Lost) != 0 || st.WrittenEvents != before+during {
		t.Errorf("stats after the outage: %+v, want nothing lost, %d written", st, before+during)
	}
	detail, err := r.GetTask(ctx, "task-1")
	if err != nil || detail.Task.EventCount != before+during || !detail.Exchanges[0].RecordingComplete {
		t.Errorf("task after the outage: %+v (%v), want %d events and a complete recording", detail, err, before+during)
	}
}

// notifyHandler signals seen when a record with message msg is logged.
type notifyHandler struct {
	msg  string
	seen chan struct{}
}

func (h *notifyHandler) Enabled(context.Context, slog.Level) bool { return true }
func (h *notifyHandler) WithAttrs([]slog.Attr) slog.Handler       { return h }
func (h *notifyHandler) WithGroup(string) slog.Handler            { return h }

func (h *notifyHandler) Handle(_ context.Context, r slog.Record) error {
	if r.Message == h.msg {
		select {
		case h.seen <- struct{}{}:
		default:
		}
	}
	return nil
}
