package replay_test

import (
	"slices"
	"testing"
	"time"

	"github.com/a2aproxy/a2a-proxy/internal/a2awire"
	"github.com/a2aproxy/a2a-proxy/recorder"
	"github.com/a2aproxy/a2a-proxy/replay"
)

// A task's timeline spans its exchanges, and the pause between them.
func TestTaskTimeline(t *testing.T) {
	rec := session(a2awire.V03, "task-1", "hi")
	get := recorder.RecordedExchange{Exchange: recorder.Exchange{ID: "ex-get", StartedAt: t0.Add(2 * time.Second)}}
	rec.Exchanges = append(rec.Exchanges, get)
	rec.Events = append(rec.Events, recorder.Event{ExchangeID: get.ID, Seq: 0, Offset: 3 * time.Millisecond, Raw: []byte("{}")})

	var seqs []int
	var offsets []time.Duration
	for _, ev := range replay.TaskTimeline(rec) {
		seqs, offsets = append(seqs, ev.Seq), append(offsets, ev.Offset)
	}
	ms := time.Millisecond
	if !slices.Equal(seqs, []int{0, 1, 2, 3, 4, 5}) ||
		!slices.Equal(offsets, []time.Duration{10 * ms, 20 * ms, 30 * ms, 40 * ms, 50 * ms, 2003 * ms}) {
		t.Errorf("timeline seqs %v offsets %v", seqs, offsets)
	}

	evs, ok := replay.ExchangeTimeline(rec, "ex-get")
	if !ok || len(evs) != 1 || evs[0].Seq != 0 || evs[0].Offset != 3*ms {
		t.Errorf("exchange timeline %+v (%v)", evs, ok)
	}
	if _, ok := replay.ExchangeTimeline(rec, "nope"); ok {
		t.Error("an unknown exchange has a timeline")
	}
}
