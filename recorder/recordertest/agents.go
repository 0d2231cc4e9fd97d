package recordertest

import (
	"context"
	"testing"
	"time"

	"github.com/a2aproxy/a2a-proxy/recorder"
)

func testAgentCounts(t *testing.T, h *rig) {
	s := h.openStore(t, recorder.Options{})
	RecordTask(t, s, "ex-1", "alpha", "task-1", "ctx-1", T0, "completed")
	RecordTask(t, s, "ex-2", "alpha", "task-2", "ctx-1", T0.Add(time.Minute), "working")
	RecordTask(t, s, "ex-3", "beta", "task-3", "ctx-2", T0.Add(2*time.Minute), "failed")
	Flush(t, s)

	got, err := s.AgentCounts(context.Background())
	if err != nil {
		t.Fatal(err)
	}
	want := map[string]recorder.AgentCount{
		"alpha": {Tasks: 2, Exchanges: 2, Events: 4, LastSeen: T0.Add(time.Minute)},
		"beta":  {Tasks: 1, Exchanges: 1, Events: 2, LastSeen: T0.Add(2 * time.Minute)},
	}
	if len(got) != len(want) {
		t.Fatalf("counts = %+v, want %+v", got, want)
	}
	for agent, w := range want {
		if g := got[agent]; g.Tasks != w.Tasks || g.Exchanges != w.Exchanges || g.Events != w.Events || !g.LastSeen.Equal(w.LastSeen) {
			t.Errorf("counts[%s] = %+v, want %+v", agent, g, w)
		}
	}
}

func testAgentCountsEmpty(t *testing.T, h *rig) {
	s := h.openStore(t, recorder.Options{})
	got, err := s.AgentCounts(context.Background())
	if err != nil || len(got) != 0 {
		t.Errorf("AgentCounts() = %v, %v; want an empty map", got, err)
	}
}
