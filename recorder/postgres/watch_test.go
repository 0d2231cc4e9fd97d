package postgres

import (
	"context"
	"fmt"
	"slices"
	"sync/atomic"
	"testing"
	"time"

	"github.com/a2aproxy/a2a-proxy/internal/pgtest"
	"github.com/a2aproxy/a2a-proxy/recorder"
)

// watchInto runs s.Watch until the test ends (before s closes) and returns
// what it hands over.
func watchInto(t *testing.T, s *Store) <-chan []recorder.Event {
	t.Helper()
	ch := make(chan []recorder.Event, 1024)
	ctx, cancel := context.WithCancel(context.Background())
	done := make(chan struct{})
	go func() {
		defer close(done)
		if err := s.Watch(ctx, func(evs []recorder.Event) { ch <- evs }); err != nil {
			t.Errorf("watch: %v", err)
		}
	}()
	t.Cleanup(func() { cancel(); <-done })
	return ch
}

var probes atomic.Int64

// probeUntilSeen commits one-event probe exchanges on from until watch hands
// one over: then the watcher is listening, and what from commits next
// reaches it. Commits that fail (a server restarting) are retried.
func probeUntilSeen(t *testing.T, from *Store, watch <-chan []recorder.Event) {
	t.Helper()
	deadline := time.After(60 * time.Second)
	tick := time.NewTicker(50 * time.Millisecond)
	defer tick.Stop()
	for {
		id := fmt.Sprintf("probe-%d", probes.Add(1))
		ex := newExchange(id, "probe", t0)
		items := []recorder.Item{{Start: ex}, {Event: newEvent(ex, 0, []byte(`{}`), nil)}, {End: finish(id, t0, 1)}}
		_ = from.Commit(testContext(t), batchOf(items)) // a failure is retried with the next probe
		for {
			select {
			case evs := <-watch:
				if evs[0].Agent == "probe" {
					drain(watch)
					return
				}
				continue
			case <-tick.C:
			case <-deadline:
				t.Fatal("the watcher never handed over a probe")
			}
			break
		}
	}
}

// drain discards what was handed over so far, probes that crossed included.
func drain(ch <-chan []recorder.Event) {
	for {
		select {
		case <-ch:
		case <-time.After(200 * time.Millisecond):
			return
		}
	}
}

func next(t *testing.T, ch <-chan []recorder.Event) []recorder.Event {
	t.Helper()
	select {
	case evs := <-ch:
		return evs
	case <-time.After(30 * time.Second):
		t.Fatal("nothing handed over in 30s")
		return nil
	}
}

// TestWatchHandsOverOtherReplicasCommits pins the live feed across replicas:
// a replica's Watch gets the events another replica commits, whole (raw
// bytes, fields, the exchange's agent) and in queue order, and never the
// ones it committed itself.
func TestWatchHandsOverOtherReplicasCommits(t *testing.T) {
	t.Parallel()
	dsn := pgtest.Start(t)
	a, b := openPG(t, dsn), openPG(t, dsn)
	fromB, fromA := watchInto(t, a), watchInto(t, b) // fromB: what a hears
	probeUntilSeen(t, a, fromA)
	probeUntilSeen(t, b, fromB)

	x1, x2 := newExchange("x1", "alpha", t0), newExchange("x2", "beta", t0.Add(time.Millisecond))
	want := []*recorder.Event{
		statusEvent(x1, 0, "t1", "c1", "working", "one"),
		statusEvent(x2, 0, "t2", "c2", "working", "two"),
		statusEvent(x1, 1, "t1", "c1", "completed", "done"),
	}
	items := []recorder.Item{{Start: x1}, {Start: x2}, {Event: want[0]}, {Event: want[1]}, {Event: want[2]}, {End: finish("x1", t0.Add(time.Second), 2)}}
	if err := a.Commit(testContext(t), batchOf(items)); err != nil {
		t.Fatalf("commit on a: %v", err)
	}
	got := next(t, fromA)
	if len(got) != len(want) {
		t.Fatalf("b got %d events, want %d", len(got), len(want))
	}
	for i, w := range want {
		g := got[i]
		w.Text = "" // not stored: the feed does not show it
		if fmt.Sprint(g) != fmt.Sprint(*w) {
			t.Errorf("event %d:\n got %+v\nwant %+v", i, g, *w)
		}
	}

	// a hears b's next commit, and nothing before it: its own batch was
	// notified first, so it would have come first.
	y := newExchange("y", "gamma", t0)
	if err := b.Commit(testContext(t), batchOf([]recorder.Item{{Start: y}, {Event: newEvent(y, 0, []byte(`{}`), nil)}})); err != nil {
		t.Fatalf("commit on b: %v", err)
	}
	if got := next(t, fromB); len(got) != 1 || got[0].ExchangeID != "y" {
		t.Fatalf("a heard %+v, want b's event of y only", got)
	}
}

// TestWatchLargeBatch pins that a batch naming more exchanges than one
// notification holds reaches the other replica whole, split under
// PostgreSQL's 8000-byte payload limit.
func TestWatchLargeBatch(t *testing.T) {
	t.Parallel()
	dsn := pgtest.Start(t)
	a, b := openPG(t, dsn), openPG(t, dsn)
	fromA := watchInto(t, b)
	probeUntilSeen(t, a, fromA)

	const exchanges = 400
	var items []recorder.Item
	for i := range exchanges {
		ex := newExchange(fmt.Sprintf("0198a7c2-7f00-7000-8000-%012d", i), "alpha", t0)
		items = append(items, recorder.Item{Start: ex}, recorder.Item{Event: newEvent(ex, 0, []byte(`{}`), nil)},
			recorder.Item{Event: newEvent(ex, 1, []byte(`{}`), nil)})
	}
	batch := batchOf(items)
	payloads, err := noticePayloads(a.ReplicaID(), batch)
	if err != nil {
		t.Fatal(err)
	}
	if len(payloads) < 2 {
		t.Fatalf("%d payloads: the test no longer splits", len(payloads))
	}
	for _, p := range payloads {
		if len(p) >= 8000 {
			t.Fatalf("payload of %d bytes: over PostgreSQL's limit", len(p))
		}
	}
	if err := a.Commit(testContext(t), batch); err != nil {
		t.Fatalf("commit: %v", err)
	}
	seen := map[string]int{}
	for n := 0; n < 2*exchanges; {
		for _, ev := range next(t, fromA) {
			seen[fmt.Sprintf("%s/%d", ev.ExchangeID, ev.Seq)]++
			n++
		}
	}
	if len(seen) != 2*exchanges {
		t.Fatalf("%d distinct events handed over, want %d", len(seen), 2*exchanges)
	}
}

// TestWatchReconnectsAfterServerRestart pins that the feed of other
// replicas comes back by itself after PostgreSQL restarts.
func TestWatchReconnectsAfterServerRestart(t *testing.T) {
	t.Parallel()
	srv := pgtest.New(t)
	dsn := srv.CreateDatabase(t)
	a, b := openPG(t, dsn), openPG(t, dsn)
	fromA := watchInto(t, b)
	probeUntilSeen(t, a, fromA)
	srv.Restart(t)
	probeUntilSeen(t, a, fromA) // fails after 60s if b never listens again
}

// TestRecorderFeedShowsEveryReplicaOnce pins the wiring in recorder.New: on
// PostgreSQL, OnCommit gets the events of every replica, each exactly once.
func TestRecorderFeedShowsEveryReplicaOnce(t *testing.T) {
	t.Parallel()
	dsn := pgtest.Start(t)
	feeds := [2]chan []recorder.Event{make(chan []recorder.Event, 1024), make(chan []recorder.Event, 1024)}
	var recs [2]*recorder.Recorder
	for i := range recs {
		r, err := OpenRecorder(testContext(t), dsn, recorder.Options{OnCommit: func(evs []recorder.Event) { feeds[i] <- evs }})
		if err != nil {
			t.Fatalf("open recorder: %v", err)
		}
		t.Cleanup(func() { r.Close() })
		recs[i] = r
	}
	// Record on replica 0 until replica 1's feed shows it: its watcher is on.
	for i := 0; ; i++ {
		ex := newExchange(fmt.Sprintf("warm-%d", i), "probe", t0)
		recs[0].StartExchange(ex)
		recs[0].RecordEvent(newEvent(ex, 0, []byte(`{}`), nil))
		if err := recs[0].Flush(testContext(t)); err != nil {
			t.Fatal(err)
		}
		select {
		case <-feeds[1]:
		case <-time.After(100 * time.Millisecond):
			if i > 600 {
				t.Fatal("replica 1 never saw replica 0's events")
			}
			continue
		}
		break
	}
	drain(feeds[0])
	drain(feeds[1])

	ex := newExchange("split", "alpha", t0)
	recs[0].StartExchange(ex)
	for seq := range 5 {
		recs[0].RecordEvent(statusEvent(ex, seq, "t", "c", "working", ""))
	}
	if err := recs[0].Flush(testContext(t)); err != nil {
		t.Fatal(err)
	}
	for i, feed := range feeds {
		var seqs []int
		for len(seqs) < 5 {
			for _, ev := range next(t, feed) {
				seqs = append(seqs, ev.Seq)
			}
		}
		quiet := time.After(300 * time.Millisecond) // a duplicate would follow at once
	more:
		for {
			select {
			case evs := <-feed:
				for _, ev := range evs {
					seqs = append(seqs, ev.Seq)
				}
			case <-quiet:
				break more
			}
		}
		if !slices.Equal(seqs, []int{0, 1, 2, 3, 4}) {
			t.Errorf("replica %d's feed: seqs %v, want each of 0..4 once, in order", i, seqs)
		}
	}
}
