package postgres

import (
	"strings"

	"github.com/a2aproxy/a2a-proxy/recorder"
)

// A task's open flag and last outcome are read from its exchanges when it
// is read, never stored, as in SQLite: an exchange's end, the close of a
// crashed replica's open exchanges and Import all change them without
// touching the task row.
const (
	openColumn = `EXISTS (SELECT 1 FROM exchange_tasks l JOIN exchanges x ON x.id = l.exchange_id
		WHERE l.task_id = tasks.task_id AND x.ended_at IS NULL)`
	lastOutcomeColumn = `COALESCE((SELECT x.outcome FROM exchange_tasks l JOIN exchanges x ON x.id = l.exchange_id
		WHERE l.task_id = tasks.task_id AND x.ended_at IS NOT NULL
		ORDER BY x.ended_at DESC, x.started_at DESC, x.id DESC LIMIT 1), '')`
	// openTasks are the tasks with an open exchange, found through the
	// partial index exchanges_open.
	openTasks = `task_id IN (SELECT l.task_id FROM exchanges x JOIN exchange_tasks l ON l.exchange_id = x.id
		WHERE x.ended_at IS NULL)`
)

// endedWith are the tasks with an exchange that ended with one of outcomes,
// through the partial index exchanges_by_outcome: a cheap superset that
// lastOutcomeColumn then narrows.
func (q *query) endedWith(outcomes []string) string {
	return `task_id IN (SELECT l.task_id FROM exchanges x JOIN exchange_tasks l ON l.exchange_id = x.id
		WHERE x.outcome IN (` + q.list(outcomes) + `) AND x.outcome NOT IN ('', 'completed'))`
}

// statusConditions returns the conditions of f's Outcome, Open and Status.
func (q *query) statusConditions(f recorder.TaskFilter) []string {
	var conds []string
	if f.Outcome != "" {
		if f.Outcome != recorder.OutcomeCompleted {
			conds = append(conds, q.endedWith([]string{f.Outcome}))
		}
		conds = append(conds, lastOutcomeColumn+" = "+q.arg(pgText(f.Outcome)))
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
		interrupted := "(state NOT IN (" + q.list(w.SettledStates) + ") AND NOT " + openTasks +
			" AND " + lastOutcomeColumn + " IN (" + q.list(w.Outcomes) + "))"
		if f.Status == recorder.StatusInterrupted {
			conds = append(conds, q.endedWith(w.Outcomes), interrupted)
		} else {
			conds = append(conds, "state = "+q.arg(pgText(f.Status)), "NOT "+interrupted)
		}
	}
	return conds
}

// list is one argument per value, comma-separated.
func (q *query) list(values []string) string {
	refs := make([]string, len(values))
	for i, v := range values {
		refs[i] = q.arg(v)
	}
	return strings.Join(refs, ", ")
}
