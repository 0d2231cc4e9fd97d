package sqlite

import (
	"context"
	"fmt"
	"strings"

	"github.com/a2aproxy/a2a-proxy/recorder"
)

const taskColumns = `task_id, context_id, agent, state, first_seen, last_seen,
	event_count, exchange_count, trace_id, last_message, ` + openColumn + `, ` + lastOutcomeColumn + `,
	` + checkCountColumns

// checkCountColumns count the findings of a task's exchanges by severity,
// through exchange_tasks' and findings' primary keys.
const checkCountColumns = `(SELECT count(*) FROM exchange_tasks fl JOIN findings f ON f.exchange_id = fl.exchange_id
		WHERE fl.task_id = tasks.task_id AND f.severity = 'error'),
	(SELECT count(*) FROM exchange_tasks fl JOIN findings f ON f.exchange_id = fl.exchange_id
		WHERE fl.task_id = tasks.task_id AND f.severity = 'warning')`

// checksFailed keeps the tasks with a finding of severity error.
const checksFailed = `EXISTS (SELECT 1 FROM exchange_tasks fl JOIN findings f ON f.exchange_id = fl.exchange_id
		WHERE fl.task_id = tasks.task_id AND f.severity = 'error')`

// scanner is a *sql.Row or *sql.Rows.
type scanner interface{ Scan(dest ...any) error }

func scanTask(row scanner) (recorder.TaskSummary, error) {
	var t recorder.TaskSummary
	var firstSeen, lastSeen int64
	err := row.Scan(&t.TaskID, &t.ContextID, &t.Agent, &t.State, &firstSeen, &lastSeen,
		&t.EventCount, &t.ExchangeCount, &t.TraceID, &t.LastMessage, &t.Open, &t.LastOutcome,
		&t.Checks.Errors, &t.Checks.Warnings)
	t.FirstSeen, t.LastSeen = fromUnixNano(firstSeen), fromUnixNano(lastSeen)
	t.SetStatus()
	return t, err
}

// ListTasks returns one page of the tasks that match f, newest (by first
// seen) first. Pages are cut by keyset, so tasks recorded while paging do not
// shift the pages that follow.
func (s *Store) ListTasks(ctx context.Context, f recorder.TaskFilter) (recorder.TaskPage, error) {
	limit, err := recorder.PageLimit(f.Limit)
	if err != nil {
		return recorder.TaskPage{}, err
	}
	where, args, err := taskConditions(f)
	if err != nil {
		return recorder.TaskPage{}, err
	}
	query := `SELECT ` + taskColumns + ` FROM tasks` + where +
		` ORDER BY first_seen DESC, task_id DESC LIMIT ?`
	rows, err := s.readDB.QueryContext(ctx, query, append(args, limit+1)...)
	if err != nil {
		return recorder.TaskPage{}, fmt.Errorf("list tasks: %w", err)
	}
	defer rows.Close()

	page := recorder.TaskPage{Tasks: []recorder.TaskSummary{}}
	for rows.Next() {
		t, err := scanTask(rows)
		if err != nil {
			return recorder.TaskPage{}, fmt.Errorf("list tasks: %w", err)
		}
		if len(page.Tasks) == limit { // the extra row only says there is more
			last := page.Tasks[limit-1]
			page.NextCursor = recorder.EncodeCursor(unixNano(last.FirstSeen), last.TaskID)
			break
		}
		page.Tasks = append(page.Tasks, t)
	}
	if err := rows.Err(); err != nil {
		return recorder.TaskPage{}, fmt.Errorf("list tasks: %w", err)
	}
	return page, nil
}

// taskConditions turns f into a WHERE clause over tasks and its arguments.
func taskConditions(f recorder.TaskFilter) (string, []any, error) {
	var conds []string
	var args []any
	for _, eq := range []struct{ column, value string }{
		{"agent", f.Agent},
		{"state", f.State},
		{"context_id", f.ContextID},
	} {
		if eq.value != "" {
			conds = append(conds, eq.column+" = ?")
			args = append(args, eq.value)
		}
	}
	if f.Query != "" {
		pattern := "%" + likeEscaper.Replace(f.Query) + "%"
		conds = append(conds, matchesQuery)
		args = append(args, pattern, pattern, pattern, pattern)
	}
	switch f.Checks {
	case "":
	case recorder.ChecksFailed:
		conds = append(conds, checksFailed)
	default:
		return "", nil, fmt.Errorf("checks %q: %w", f.Checks, recorder.ErrInvalidFilter)
	}
	conds, args = statusConditions(f, conds, args)
	if f.Cursor != "" {
		firstSeen, taskID, err := recorder.DecodeCursor(f.Cursor)
		if err != nil {
			return "", nil, err
		}
		conds = append(conds, "(first_seen, task_id) < (?, ?)")
		args = append(args, firstSeen, taskID)
	}
	if len(conds) == 0 {
		return "", nil, nil
	}
	return " WHERE " + strings.Join(conds, " AND "), args, nil
}

// matchesQuery is true for a task whose id or context id contains the
// pattern, or one of whose recorded payloads does: the events it owns in its
// exchanges (the same ones GetTask returns) and those exchanges' request
// bodies. LIKE folds ASCII case only, and never matches a BLOB in this build
// of SQLite (SQLITE_LIKE_DOESNT_MATCH_BLOBS): payloads are cast to TEXT.
const matchesQuery = `(task_id LIKE ? ESCAPE '\'
	OR context_id LIKE ? ESCAPE '\'
	OR EXISTS (SELECT 1 FROM exchange_tasks l JOIN events e ON e.exchange_id = l.exchange_id
		WHERE l.task_id = tasks.task_id AND e.task_id IN (tasks.task_id, '') AND CAST(e.raw AS TEXT) LIKE ? ESCAPE '\')
	OR EXISTS (SELECT 1 FROM exchange_tasks l JOIN exchanges x ON x.id = l.exchange_id
		WHERE l.task_id = tasks.task_id AND CAST(x.request_body AS TEXT) LIKE ? ESCAPE '\'))`

var likeEscaper = strings.NewReplacer(`\`, `\\`, `%`, `\%`, `_`, `\_`)
