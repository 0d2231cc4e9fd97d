package postgres

import (
	"context"
	"fmt"
	"sync"
	"testing"
	"time"

	"github.com/jackc/pgx/v5/pgxpool"

	"github.com/a2aproxy/a2a-proxy/internal/pgtest"
	"github.com/a2aproxy/a2a-proxy/recorder"
)

// crash stops a store as a kill would: no more heartbeats, its row and its
// open exchanges left behind.
func crash(t *testing.T, s *Store) {
	t.Helper()
	s.closeOnce.Do(func() {
		s.stopBeat()
		<-s.beatDone
		s.writes.Close()
		s.pool.Close()
	})
}

// ageHeartbeat makes a replica's heartbeat look d old, as if it had died d
// ago, instead of waiting for it.
func ageHeartbeat(t *testing.T, dsn, replicaID string, d time.Duration) {
	t.Helper()
	ctx := testContext(t)
	pool, err := pgxpool.New(ctx, dsn)
	if err != nil {
		t.Fatalf("connect: %v", err)
	}
	defer pool.Close()
	tag, err := pool.Exec(ctx, `UPDATE replicas SET heartbeat_at = now() - $2::bigint * interval '1 microsecond' WHERE id = $1`,
		replicaID, d.Microseconds())
	if err != nil || tag.RowsAffected() != 1 {
		t.Fatalf("age heartbeat of %s: %v (%d rows)", replicaID, err, tag.RowsAffected())
	}
}

// openWork commits the start and one event of an exchange that stays open.
func openWork(t *testing.T, s *Store, exID, taskID string, start time.Time) {
	t.Helper()
	ex := newExchange(exID, "alpha", start)
	items := []recorder.Item{{Start: ex}, {Event: statusEvent(ex, 0, taskID, "ctx", "working", "busy")}}
	if err := s.Commit(testContext(t), batchOf(items)); err != nil {
		t.Fatalf("commit: %v", err)
	}
}

func exchangeOf(t *testing.T, r recorder.Reader, taskID string) recorder.ExchangeDoc {
	t.Helper()
	detail, err := r.GetTask(testContext(t), taskID)
	if err != nil {
		t.Fatalf("get task %s: %v", taskID, err)
	}
	return detail.Exchanges[0]
}

// TestConcurrentOpenOnOneDatabase pins that replicas starting together on
// an empty database all open (migrations under the advisory lock, each its
// own replica row) and each sees what the others commit.
func TestConcurrentOpenOnOneDatabase(t *testing.T) {
	t.Parallel()
	dsn := pgtest.Start(t)
	const replicas = 3
	stores := make([]*Store, replicas)
	errs := make([]error, replicas)
	start := make(chan struct{})
	var wg sync.WaitGroup
	for i := range stores {
		wg.Go(func() {
			<-start
			stores[i], errs[i] = Open(testContext(t), dsn)
		})
	}
	close(start)
	wg.Wait()
	for i, err := range errs {
		if err != nil {
			t.Fatalf("replica %d: %v", i, err)
		}
		t.Cleanup(func() { stores[i].Close() })
	}
	if stores[0].ReplicaID() == stores[1].ReplicaID() {
		t.Fatalf("two replicas share the id %s", stores[0].ReplicaID())
	}
	openWork(t, stores[0], "ex-0", "task-0", t0)
	if got := exchangeOf(t, stores[2], "task-0"); got.ID != "ex-0" {
		t.Errorf("replica 2 reads exchange %s of task-0, want ex-0", got.ID)
	}
}

// TestDeadReplicaExchangesAreInterrupted pins crash recovery across
// replicas: the exchanges a replica left open when it died are closed as
// interrupted (ended at their last event, with the events they have) by the
// next replica to open once its heartbeat is old; those of a live replica
// stay open; and a replica restarting under its own id closes its own at
// once.
func TestDeadReplicaExchangesAreInterrupted(t *testing.T) {
	t.Parallel()
	dsn := pgtest.Start(t)
	dead := openPG(t, dsn, WithReplicaID("dead"))
	live := openPG(t, dsn, WithReplicaID("live"))
	openWork(t, dead, "ex-dead", "task-dead", t0)
	openWork(t, live, "ex-live", "task-live", t0)
	crash(t, dead)

	// Dead for less than DeadAfter: it may be a replica cut off for a moment.
	openPG(t, dsn)
	if x := exchangeOf(t, live, "task-dead"); x.EndedAt != nil {
		t.Fatalf("exchange of a replica dead for a moment closed: %+v", x)
	}

	ageHeartbeat(t, dsn, "dead", time.Hour)
	openPG(t, dsn)
	x := exchangeOf(t, live, "task-dead")
	if x.Outcome != recorder.OutcomeInterrupted || x.EndedAt == nil || x.RecordingComplete || x.EventCount != 1 {
		t.Fatalf("exchange of the dead replica = outcome %q, ended %v, complete %v, %d events; want interrupted, ended, incomplete, 1 event",
			x.Outcome, x.EndedAt, x.RecordingComplete, x.EventCount)
	}
	if want := t0.Add(100 * time.Millisecond); !x.EndedAt.Equal(want) {
		t.Errorf("ended at %v, want its last event's time %v", x.EndedAt, want)
	}
	if x := exchangeOf(t, live, "task-live"); x.EndedAt != nil {
		t.Errorf("exchange of a live replica closed: %+v", x)
	}

	// The same id restarting: its own open exchanges are its crash's.
	crash(t, live)
	openPG(t, dsn, WithReplicaID("live"))
	reader := openPG(t, dsn)
	if x := exchangeOf(t, reader, "task-live"); x.Outcome != recorder.OutcomeInterrupted {
		t.Errorf("after a restart under the same id, its open exchange has outcome %q, want interrupted", x.Outcome)
	}
}

// TestHeartbeatSweepsDeadReplicas pins that a running replica, once it has
// been connected for DeadAfter, closes what a replica that died since left
// open, without any restart.
func TestHeartbeatSweepsDeadReplicas(t *testing.T) {
	t.Parallel()
	dsn := pgtest.Start(t)
	dead := openPG(t, dsn, WithReplicaID("dead"))
	openWork(t, dead, "ex-dead", "task-dead", t0)
	crash(t, dead)
	ageHeartbeat(t, dsn, "dead", time.Hour)
	// The open below closes it already; a second dead exchange comes after.
	survivor := openPG(t, dsn, WithReplicaID("survivor"), WithHeartbeat(20*time.Millisecond, 100*time.Millisecond))
	late := openPG(t, dsn, WithReplicaID("late"))
	openWork(t, late, "ex-late", "task-late", t0)
	crash(t, late)
	// No ageHeartbeat here: the survivor's 100ms deadAfter ages it by
	// itself, and on a loaded machine it may already have swept "late"
	// (and removed its row) before the test could touch the row.

	deadline := time.Now().Add(30 * time.Second)
	for exchangeOf(t, survivor, "task-late").Outcome != recorder.OutcomeInterrupted {
		if time.Now().After(deadline) {
			t.Fatal("the heartbeat did not close the dead replica's exchange within 30s")
		}
		time.Sleep(10 * time.Millisecond) // polling a condition, not timing it
	}
}

// TestCloseRemovesTheReplica pins that a clean Close leaves no replica row
// behind: the replicas table lists the running ones.
func TestCloseRemovesTheReplica(t *testing.T) {
	t.Parallel()
	dsn := pgtest.Start(t)
	s, err := Open(testContext(t), dsn, WithReplicaID("gone"))
	if err != nil {
		t.Fatalf("open: %v", err)
	}
	if err := s.Close(); err != nil {
		t.Fatalf("close: %v", err)
	}
	pool, err := pgxpool.New(context.Background(), dsn)
	if err != nil {
		t.Fatalf("connect: %v", err)
	}
	defer pool.Close()
	var n int
	if err := pool.QueryRow(context.Background(), `SELECT count(*) FROM replicas WHERE id = 'gone'`).Scan(&n); err != nil || n != 0 {
		t.Errorf("replica rows after Close = %d (%v), want 0", n, err)
	}
}

// TestReplicasShareTasks pins that replicas committing to the same tasks at
// the same time, each batch touching them in another order, neither
// deadlock nor lose a count: each task row ends with every event and
// exchange of every replica, and its first exchange is the earliest link.
func TestReplicasShareTasks(t *testing.T) {
	t.Parallel()
	dsn := pgtest.Start(t)
	stores := []*Store{openPG(t, dsn), openPG(t, dsn)}
	const batches = 20
	tasks := []string{"task-a", "task-b", "task-c"}
	errs := make(chan error, len(stores)*batches)
	var wg sync.WaitGroup
	for r, s := range stores {
		wg.Go(func() {
			for i := range batches {
				ex := newExchange(fmt.Sprintf("ex-%d-%02d", r, i), "alpha", t0.Add(time.Duration(i)*time.Second))
				items := []recorder.Item{{Start: ex}}
				for j := range tasks {
					k := (i + j + r) % len(tasks) // another order each batch and replica
					items = append(items, recorder.Item{Event: statusEvent(ex, j, tasks[k], "ctx", "working", "")})
				}
				items = append(items, recorder.Item{End: finish(ex.ID, ex.StartedAt.Add(time.Second), len(tasks))})
				errs <- s.Commit(testContext(t), batchOf(items))
			}
		})
	}
	wg.Wait()
	close(errs)
	for err := range errs {
		if err != nil {
			t.Fatalf("commit: %v", err)
		}
	}
	for _, id := range tasks {
		detail, err := stores[0].GetTask(testContext(t), id)
		if err != nil {
			t.Fatalf("get %s: %v", id, err)
		}
		if got, want := detail.Task.EventCount, len(stores)*batches; got != want {
			t.Errorf("%s: %d events, want %d", id, got, want)
		}
		if got, want := detail.Task.ExchangeCount, len(stores)*batches; got != want || len(detail.Exchanges) != want {
			t.Errorf("%s: exchange count %d, %d exchanges read, want %d", id, got, len(detail.Exchanges), want)
		}
	}
}
