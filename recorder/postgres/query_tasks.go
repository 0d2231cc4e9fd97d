package postgres

import (
	"context"
	"fmt"
	"strconv"
	"strings"

	"github.com/jackc/pgx/v5"

	"github.com/a2aproxy/a2a-proxy/recorder"
)

const taskColumns = `task_id, context_id, agent, state, first_seen, last_seen,
	event_count, exchange_count, trace_id, last_message, ` + openColumn + `, ` + lastOutcomeColumn + `,
	` + checkCountColumns

// checkCountColumns count the findings of a task's exchanges by severity,
// as SQLite's.
const checkCountColumns = `(SELECT count(*) FROM exchange_tasks fl JOIN findings f ON f.exchange_id = fl.exchange_id
		WHERE fl.task_id = tasks.task_id AND f.severity = 'error'),
	(SELECT count(*) FROM exchange_tasks fl JOIN findings f ON f.exchange_id = fl.exchange_id
		WHERE fl.task_id = tasks.task_id AND f.severity = 'warning')`

// checksFailed keeps the tasks with a finding of severity error.
const checksFailed = `EXISTS (SELECT 1 FROM exchange_tasks fl JOIN findings f ON f.exchange_id = fl.exchange_id
		WHERE fl.task_id = tasks.task_id AND f.severity = 'error')`

func scanTask(row pgx.Row) (recorder.TaskSummary, error) {
	var t recorder.TaskSummary
	var firstSeen, lastSeen int64
	err := row.Scan(&t.TaskID, &t.ContextID, &t.Agent, &t.State, &firstSeen, &lastSeen,
		&t.EventCount, &t.ExchangeCount, &t.TraceID, &t.LastMessage, &t.Open, &t.LastOutcome,
		&t.Checks.Errors, &t.Checks.Warnings)
	t.FirstSeen, t.LastSeen = recorder.FromUnixNano(firstSeen), recorder.FromUnixNano(lastSeen)
	t.SetStatus()
	return t, err
}

// ListTasks returns one page of the tasks that match f, newest (by first
// seen) first, cut by keyset as SQLite does, with the same cursors.
func (s *Store) ListTasks(ctx context.Context, f recorder.TaskFilter) (recorder.TaskPage, error) {
	limit, err := recorder.PageLimit(f.Limit)
	if err != nil {
		return recorder.TaskPage{}, err
	}
	var q query
	where, err := q.taskConditions(f)
	if err != nil {
		return recorder.TaskPage{}, err
	}
	sql := `SELECT ` + taskColumns + ` FROM tasks` + where +
		` ORDER BY first_seen DESC, task_id DESC LIMIT ` + q.arg(limit+1)
	rows, err := s.pool.Query(ctx, sql, q.args...)
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
			page.NextCursor = recorder.EncodeCursor(recorder.UnixNano(last.FirstSeen), last.TaskID)
			break
		}
		page.Tasks = append(page.Tasks, t)
	}
	if err := rows.Err(); err != nil {
		return recorder.TaskPage{}, fmt.Errorf("list tasks: %w", err)
	}
	return page, nil
}

// query numbers the arguments of a statement built piece by piece.
type query struct{ args []any }

func (q *query) arg(v any) string {
	q.args = append(q.args, v)
	return "$" + strconv.Itoa(len(q.args))
}

// taskConditions turns f into a WHERE clause over tasks.
func (q *query) taskConditions(f recorder.TaskFilter) (string, error) {
	var conds []string
	for _, eq := range []struct{ column, value string }{
		{"agent", f.Agent},
		{"state", f.State},
		{"context_id", f.ContextID},
	} {
		if eq.value != "" {
			conds = append(conds, eq.column+" = "+q.arg(pgText(eq.value)))
		}
	}
	if f.Query != "" {
		conds = append(conds, q.matchesQuery(f.Query))
	}
	switch f.Checks {
	case "":
	case recorder.ChecksFailed:
		conds = append(conds, checksFailed)
	default:
		return "", fmt.Errorf("checks %q: %w", f.Checks, recorder.ErrInvalidFilter)
	}
	conds = append(conds, q.statusConditions(f)...)
	if f.Cursor != "" {
		firstSeen, taskID, err := recorder.DecodeCursor(f.Cursor)
		if err != nil {
			return "", err
		}
		conds = append(conds, "(first_seen, task_id) < ("+q.arg(firstSeen)+", "+q.arg(pgText(taskID))+")")
	}
	if len(conds) == 0 {
		return "", nil
	}
	return " WHERE " + strings.Join(conds, " AND "), nil
}

// matchesQuery is true for a task whose id or context id contains text, or
// one of whose recorded payloads does: the events it owns in its exchanges
// (the ones GetTask returns) and those exchanges' request bodies. It
// matches as SQLite's LIKE on the payloads cast to TEXT: bytewise, ASCII
// case folded, up to the first NUL. PostgreSQL cannot cast bytea that is not
// UTF-8 to text, so payloads are read as Latin-1 (every byte one character,
// never an error) and matched with the text's bytes read the same way.
func (q *query) matchesQuery(text string) string {
	if i := strings.IndexByte(text, 0); i >= 0 {
		text = text[:i] // SQLite's pattern ends at a NUL too
	}
	idPattern := q.arg("%" + likeEscaper.Replace(pgText(text)) + "%")
	bytePattern := q.arg("%" + likeEscaper.Replace(latin1(text)) + "%")
	return `(task_id ILIKE ` + idPattern + `
	OR context_id ILIKE ` + idPattern + `
	OR EXISTS (SELECT 1 FROM exchange_tasks l JOIN events e ON e.exchange_id = l.exchange_id
		WHERE l.task_id = tasks.task_id AND e.task_id IN (tasks.task_id, '') AND ` + bytesAsText("e.raw") + ` ILIKE ` + bytePattern + `)
	OR EXISTS (SELECT 1 FROM exchange_tasks l JOIN exchanges x ON x.id = l.exchange_id
		WHERE l.task_id = tasks.task_id AND ` + bytesAsText("x.request_body") + ` ILIKE ` + bytePattern + `))`
}

// bytesAsText reads a bytea column as Latin-1 text up to its first NUL (a
// NUL is no Latin-1 character), in the C collation: ILIKE folds ASCII only.
func bytesAsText(column string) string {
	nul := `position('\x00'::bytea IN ` + column + `)`
	return `convert_from(CASE WHEN ` + nul + ` = 0 THEN ` + column + ` ELSE substring(` + column + ` FROM 1 FOR ` + nul + ` - 1) END, 'LATIN1') COLLATE "C"`
}

// latin1 maps each byte of s to the character of the same number.
func latin1(s string) string {
	var b strings.Builder
	b.Grow(len(s) * 2)
	for i := 0; i < len(s); i++ {
		b.WriteRune(rune(s[i]))
	}
	return b.String()
}

// The default escape character of LIKE is the backslash, as in SQLite's ESCAPE '\'.
var likeEscaper = strings.NewReplacer(`\`, `\\`, `%`, `\%`, `_`, `\_`)
