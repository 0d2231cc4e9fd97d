package recorder

import "slices"

// StatusInterrupted is the status of a task whose agent, client or proxy
// stopped while the task was under way: it is in no terminal state, nothing
// of it is streaming any more, and its last exchange ended abnormally.
const StatusInterrupted = "interrupted"

// interruptions are the outcomes that leave an unfinished task interrupted,
// with the reason shown for each. completed is not one (a unary answer may
// leave a task working, to be polled or pushed later), nor is rejected (the
// request never reached the agent).
var interruptions = map[string]string{
	OutcomeUpstreamError:       "agent died",
	OutcomeClientClosed:        "client left",
	OutcomeShutdown:            "proxy shut down",
	OutcomeInterrupted:         "proxy crashed",
	OutcomeUpstreamTimeout:     "timed out",
	OutcomeUpstreamUnreachable: "agent unreachable",
	OutcomeProxyError:          "proxy failed",
}

// settledStates are the states a task may rest in without being broken:
// the terminal ones, and those that leave the next move to the client
// (input-required, auth-required): a task is paused there, not interrupted,
// when its stream ends. Sorted.
var settledStates = []string{"auth-required", "canceled", "completed", "failed", "input-required", "rejected"}

// TaskStatus derives what a task is, as the API, the UI and the CLI show it,
// from its recorded A2A state, whether an exchange of it is still open, and
// the outcome of the exchange of it that ended last. A task still streaming,
// or in a settled state, is in its state. Any other task whose last exchange
// ended abnormally is interrupted, for the reason returned. This is the one
// place that decides it: the backends' status filter is built from
// InterruptedWhere's lists, and the contract suite checks that they agree.
func TaskStatus(state string, open bool, lastOutcome string) (status, reason string) {
	if open || slices.Contains(settledStates, state) {
		return state, ""
	}
	if reason, ok := interruptions[lastOutcome]; ok {
		return StatusInterrupted, reason
	}
	return state, ""
}

// Interrupted is what a backend needs to select interrupted tasks in its
// own query language: a task is interrupted when it has no open exchange,
// its state is none of SettledStates and its last outcome is one of
// Outcomes.
type Interrupted struct {
	SettledStates []string // sorted
	Outcomes      []string // sorted
}

// InterruptedWhere returns the lists TaskStatus decides by.
func InterruptedWhere() Interrupted {
	outcomes := make([]string, 0, len(interruptions))
	for o := range interruptions {
		outcomes = append(outcomes, o)
	}
	slices.Sort(outcomes)
	return Interrupted{SettledStates: slices.Clone(settledStates), Outcomes: outcomes}
}

// SetStatus fills in t's Status and InterruptedReason from its State, Open
// and LastOutcome. Backends call it on every TaskSummary they read.
func (t *TaskSummary) SetStatus() {
	t.Status, t.InterruptedReason = TaskStatus(t.State, t.Open, t.LastOutcome)
}
