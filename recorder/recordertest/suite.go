// Package recordertest is the contract test suite of recorder.Backend: every
// behaviour the proxy, the API, replay and the CLI rely on, run through
// recorder.New on a backend. Each backend's tests run it; it is imported by
// _test.go files only.
package recordertest

import (
	"context"
	"testing"

	"github.com/a2aproxy/a2a-proxy/recorder"
)

// Option configures Run.
type Option func(*rig)

// WithReopen gives Run a way to open a store again after the Recorder on it
// was closed: reopen returns a new backend on the store that closed (a value
// returned by open) held, as the next start of the proxy would. Without it,
// the tests of what survives a restart skip.
func WithReopen(reopen func(t *testing.T, closed recorder.Backend) recorder.Backend) Option {
	return func(h *rig) { h.reopenBackend = reopen }
}

// Run runs the suite. open returns a new, empty store each time it is called
// (several in one test: an export from one, imported into another); the
// Recorder the suite wraps around it closes it.
func Run(t *testing.T, open func(t *testing.T) recorder.Backend, opts ...Option) {
	h := &rig{openBackend: open, backends: map[*recorder.Recorder]recorder.Backend{}}
	for _, o := range opts {
		o(h)
	}
	for _, tc := range []struct {
		name string
		test func(*testing.T, *rig)
	}{
		// Recording and reading back.
		{"RoundTrip", testRoundTrip},
		{"UnaryEventDataIsTheBody", testUnaryEventDataIsTheBody},
		{"OpenExchangeIsIncomplete", testOpenExchangeIsIncomplete},
		{"DroppedEventsMarkRecordingIncomplete", testDroppedEventsMarkRecordingIncomplete},
		{"NotFound", testNotFound},
		{"ExchangeEvents", testExchangeEvents},
		{"GetContext", testGetContext},
		{"ReopenKeepsData", testReopenKeepsData},
		// Tasks and their rollup.
		{"TaskRollup", testTaskRollup},
		{"EventsOfOtherTasksStayOut", testEventsOfOtherTasksStayOut},
		{"TaskStateAfterImportOfTheSameTask", testTaskStateAfterImportOfTheSameTask},
		// Filters and cursors.
		{"ListTasksPagesCoverAllOnce", testListTasksPagesCoverAllOnce},
		{"ListTasksFilters", testListTasksFilters},
		{"ListTasksRejectsBadFilters", testListTasksRejectsBadFilters},
		{"ListTasksLimits", testListTasksLimits},
		// The derived status: open, last outcome, interrupted.
		{"TaskStatus", testTaskStatus},
		{"ListTasksStatusFilters", testListTasksStatusFilters},
		{"CrashLeavesTaskInterrupted", testCrashLeavesTaskInterrupted},
		// Agents.
		{"AgentCounts", testAgentCounts},
		{"AgentCountsEmpty", testAgentCountsEmpty},
		// Recordings, export and import.
		{"RecordingHoldsTheTaskInTimelineOrder", testRecordingHoldsTheTaskInTimelineOrder},
		{"RecordingOfUnknownTask", testRecordingOfUnknownTask},
		{"EventDocsAreTheAPIEvents", testEventDocsAreTheAPIEvents},
		{"WriteRecordingsFormat", testWriteRecordingsFormat},
		{"ExportImportExportIsIdentical", testExportImportExportIsIdentical},
		{"ImportContextWithSharedExchange", testImportContextWithSharedExchange},
		{"ImportIsAllOrNothing", testImportIsAllOrNothing},
		{"ImportAfterClose", testImportAfterClose},
		{"ImportWaitsForWhatWasQueuedBefore", testImportWaitsForWhatWasQueuedBefore},
		// The queue and the writer.
		{"DropModeDropsWhenFull", testDropModeDropsWhenFull},
		{"LosslessModeWaits", testLosslessModeWaits},
		{"CloseDrainsTheQueue", testCloseDrainsTheQueue},
		{"ConcurrentWriters", testConcurrentWriters},
		{"StartsAndEndsNeverWait", testStartsAndEndsNeverWait},
		{"BurstLargerThanTheOldQueueIsKept", testBurstLargerThanTheOldQueueIsKept},
		{"FailedItemIsLostAloneAndMarked", testFailedItemIsLostAloneAndMarked},
		// Conformance findings.
		{"FindingsStoredAndReplaced", testFindingsStoredAndReplaced},
		{"ExchangeRecording", testExchangeRecording},
		{"OnExchangesEndedAfterCommit", testOnExchangesEndedAfterCommit},
		// Restarts.
		{"OpenClosesInterruptedExchanges", testOpenClosesInterruptedExchanges},
	} {
		t.Run(tc.name, func(t *testing.T) { tc.test(t, h) })
	}
}

// rig opens the stores of the suite's tests.
type rig struct {
	openBackend   func(t *testing.T) recorder.Backend
	reopenBackend func(t *testing.T, closed recorder.Backend) recorder.Backend
	backends      map[*recorder.Recorder]recorder.Backend // tests run one at a time
}

// openStore returns a Recorder on a new store, closed when the test ends.
func (h *rig) openStore(t *testing.T, opts recorder.Options) *recorder.Recorder {
	t.Helper()
	return h.start(t, h.openBackend(t), opts)
}

// reopen returns a Recorder on the store of s, which must be closed.
func (h *rig) reopen(t *testing.T, s *recorder.Recorder, opts recorder.Options) *recorder.Recorder {
	t.Helper()
	if h.reopenBackend == nil {
		t.Skip("the backend's rig gives no way to reopen a store (recordertest.WithReopen)")
	}
	return h.start(t, h.reopenBackend(t, h.backends[s]), opts)
}

func (h *rig) start(t *testing.T, b recorder.Backend, opts recorder.Options) *recorder.Recorder {
	t.Helper()
	s, err := recorder.New(b, opts)
	if err != nil {
		b.Close()
		t.Fatalf("new recorder: %v", err)
	}
	h.backends[s] = b
	t.Cleanup(func() {
		if err := s.Close(); err != nil {
			t.Errorf("close recorder: %v", err)
		}
	})
	return s
}

// EventCount is how many events of the exchange s has stored.
func EventCount(t testing.TB, s *recorder.Recorder, exchangeID string) int {
	t.Helper()
	events, err := s.ExchangeEvents(context.Background(), exchangeID)
	if err != nil {
		t.Fatalf("exchange events: %v", err)
	}
	return len(events)
}
