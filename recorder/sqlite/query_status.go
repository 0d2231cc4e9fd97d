package sqlite

import (
	"strings"

	"github.com/a2aproxy/a2a-proxy/recorder"
)

// A task's open flag and last outcome are read from its exchanges when it
// is read, never stored: an exchange's end, the close of a crash's open
// exchanges at Open and Import all change them without touching the task
// row. Both walk the task's links by the primary key of exchange_tasks.
const (
	openColumn = `EXISTS (SELECT 1 FROM exchange_tasks l JOIN exchanges x ON x.id = l.exchange_id
		WHERE l.task_id = tasks.task_id AND x.ended_at IS NULL)`
	lastOutcomeColumn = `COALESCE((SELECT x.outcome FROM exchange_tasks l JOIN exchanges x ON x.id = l.exchange_id
		WHERE l.task_id = tasks.task_id AND x.ended_at IS NOT NULL
		ORDER BY x.ended_at DESC, x.started_at DESC, x.id DESC LIMIT 1), '')`
	// openTasks are the tasks with an open exchange, found through the
	// partial index exchanges_open: few rows, however large the store.
	openTasks = `task_id IN (SELECT l.task_id FROM exchanges x JOIN exchange_tasks l ON l.exchange_id = x.id
		WHERE x.ended_at IS NULL)`
)

// endedWith are the tasks with an exchange that ended with an outcome in
// list (placeholders), through the partial index exchanges_by_outcome: a
// cheap superset that lastOutcomeColumn then narrows. The unary + keeps the
// planner from driving the query by this set (and sorting every task in
// it): tasks are walked newest first along tasks_newest, each probed
// against the set, until the page is full.
func endedWith(list string) string {
	return `+task_id IN (SELECT l.task_id FROM exchanges x JOIN exchange_tasks l ON l.exchange_id = x.id
		WHERE x.outcome IN (` + list + `) AND x.outcome NOT IN ('', 'completed'))`
}

// statusConditions adds the conditions of f's Outcome, Open and Status.
func statusConditions(f recorder.TaskFilter, conds []string, args []any) ([]string, []any) {
	if f.Outcome != "" {
		if f.Outcome != recorder.OutcomeCompleted { // probe first, as below
			conds = append(conds, "CASE WHEN "+endedWith("?")+" THEN "+lastOutcomeColumn+" = ? ELSE 0 END")
			args = append(args, f.Outcome, f.Outcome)
		} else {
			conds = append(conds, lastOutcomeColumn+" = ?")
			args = append(args, f.Outcome)
		}
	}
	if f.Open != nil {
		if *f.Open {
			conds = append(conds, openTasks)
		} else {
			conds = append(conds, "NOT "+openTasks)
		}
	}
	if f.Status != "" {
		w := recorder.InterruptedWhere()
		interrupted := "(state NOT IN (" + placeholders(len(w.SettledStates)) + ") AND NOT " + openTasks +
			" AND " + lastOutcomeColumn + " IN (" + placeholders(len(w.Outcomes)) + "))"
		// The cheap probe of the few abnormally ended tasks goes first: the
		// last outcome is read only for those.
		interrupted = "CASE WHEN " + endedWith(placeholders(len(w.Outcomes))) + " THEN " + interrupted + " ELSE 0 END"
		interruptedArgs := append(append(anys(w.Outcomes), anys(w.SettledStates)...), anys(w.Outcomes)...)
		if f.Status == recorder.StatusInterrupted {
			conds = append(conds, interrupted)
			args = append(args, interruptedArgs...)
		} else {
			conds = append(conds, "state = ?", "NOT "+interrupted)
			args = append(append(args, f.Status), interruptedArgs...)
		}
	}
	return conds, args
}

func placeholders(n int) string {
	return strings.TrimSuffix(strings.Repeat("?, ", n), ", ")
}

func anys(values []string) []any {
	out := make([]any, len(values))
	for i, v := range values {
		out[i] = v
	}
	return out
}
