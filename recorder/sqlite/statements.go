package sqlite

import (
	"context"
	"database/sql"
	"encoding/json"
	"errors"
	"fmt"
	"log/slog"

	"github.com/a2aproxy/a2a-proxy/recorder"
)

const (
	insertExchangeSQL = `INSERT INTO exchanges (
		id, agent, method, protocol_version, binding, http_method, path,
		request_headers, request_body, request_body_truncated, rpc_id,
		task_id, context_id, message_id, started_at, trace_id, span_id
	) VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?)`

	finishExchangeSQL = `UPDATE exchanges SET
		status = ?, content_type = ?, streaming = ?, ended_at = ?, outcome = ?,
		error = ?, event_count = ?, dropped_events = ?
	WHERE id = ?`

	insertEventSQL = `INSERT INTO events (
		exchange_id, seq, offset_ns, at, raw, kind, task_id, context_id,
		state, final, artifact_id, flag
	) VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?)`

	linkTaskSQL = `INSERT OR IGNORE INTO exchange_tasks (task_id, exchange_id) VALUES (?, ?)`

	// addToTaskSQL creates a task row, or adds one batch's counts and times
	// to it. On update it assigns none of the indexed columns: SQLite
	// rewrites an index entry whenever its column is assigned, even to the
	// same value, and they rarely change (the writer compares and runs
	// updateTaskKeysSQL when they do).
	addToTaskSQL = `INSERT INTO tasks (
		task_id, context_id, agent, first_seen, last_seen, state, event_count,
		exchange_count, last_message, first_exchange_id, trace_id
	) VALUES (?1, ?2, ?3, ?4, ?5, ?6, ?7, ?8, ?9, ?10,
		CASE WHEN ?10 = '' THEN '' ELSE coalesce((SELECT trace_id FROM exchanges WHERE id = ?10), '') END)
	ON CONFLICT (task_id) DO UPDATE SET
		last_seen         = max(tasks.last_seen, excluded.last_seen),
		event_count       = tasks.event_count + excluded.event_count,
		exchange_count    = tasks.exchange_count + excluded.exchange_count,
		last_message      = iif(excluded.last_message = '', tasks.last_message, excluded.last_message),
		first_exchange_id = iif(tasks.first_exchange_id = '', excluded.first_exchange_id, tasks.first_exchange_id),
		trace_id          = iif(tasks.first_exchange_id = '', excluded.trace_id, tasks.trace_id)`

	// readBackTaskSQL is addToTaskSQL returning the row's indexed columns,
	// for a task whose stored values the writer does not know.
	readBackTaskSQL = addToTaskSQL + `
	RETURNING context_id, agent, first_seen, state`

	updateTaskKeysSQL = `UPDATE tasks SET context_id = ?, agent = ?, first_seen = ?, state = ? WHERE task_id = ?`

	deleteFindingsSQL = `DELETE FROM findings WHERE exchange_id = ?`
	insertFindingSQL  = `INSERT INTO findings (exchange_id, n, seq, rule, severity, version, message, path)
		VALUES (?, ?, ?, ?, ?, ?, ?, ?)`
)

// statements are the writer's prepared statements. They are prepared once on
// the writer's only connection and bound to each batch's transaction.
type statements struct {
	exchangeInsert *sql.Stmt
	exchangeFinish *sql.Stmt
	eventInsert    *sql.Stmt
	taskLink       *sql.Stmt
	taskAdd        *sql.Stmt
	taskReadBack   *sql.Stmt
	taskKeys       *sql.Stmt
	findingsDelete *sql.Stmt
	findingInsert  *sql.Stmt
}

func prepareStatements(ctx context.Context, db *sql.DB) (statements, error) {
	var s statements
	for _, p := range []struct {
		stmt **sql.Stmt
		sql  string
	}{
		{&s.exchangeInsert, insertExchangeSQL},
		{&s.exchangeFinish, finishExchangeSQL},
		{&s.eventInsert, insertEventSQL},
		{&s.taskLink, linkTaskSQL},
		{&s.taskAdd, addToTaskSQL},
		{&s.taskReadBack, readBackTaskSQL},
		{&s.taskKeys, updateTaskKeysSQL},
		{&s.findingsDelete, deleteFindingsSQL},
		{&s.findingInsert, insertFindingSQL},
	} {
		stmt, err := db.PrepareContext(ctx, p.sql)
		if err != nil {
			s.close()
			return statements{}, fmt.Errorf("prepare: %w", err)
		}
		*p.stmt = stmt
	}
	return s, nil
}

func (s statements) all() []*sql.Stmt {
	return []*sql.Stmt{s.exchangeInsert, s.exchangeFinish, s.eventInsert, s.taskLink, s.taskAdd, s.taskReadBack, s.taskKeys, s.findingsDelete, s.findingInsert}
}

func (s statements) close() error {
	var errs []error
	for _, stmt := range s.all() {
		if stmt != nil {
			errs = append(errs, stmt.Close())
		}
	}
	if err := errors.Join(errs...); err != nil {
		return fmt.Errorf("close statements: %w", err)
	}
	return nil
}

// in returns the statements bound to tx. database/sql reuses the statement
// already prepared on the connection, so this does not prepare again.
func (s statements) in(tx *sql.Tx) statements {
	return statements{
		exchangeInsert: tx.Stmt(s.exchangeInsert),
		exchangeFinish: tx.Stmt(s.exchangeFinish),
		eventInsert:    tx.Stmt(s.eventInsert),
		taskLink:       tx.Stmt(s.taskLink),
		taskAdd:        tx.Stmt(s.taskAdd),
		taskReadBack:   tx.Stmt(s.taskReadBack),
		taskKeys:       tx.Stmt(s.taskKeys),
		findingsDelete: tx.Stmt(s.findingsDelete),
		findingInsert:  tx.Stmt(s.findingInsert),
	}
}

func (s statements) insertExchange(ex *recorder.Exchange) error {
	headers := []byte("{}")
	if len(ex.RequestHeaders) > 0 {
		var err error
		if headers, err = json.Marshal(ex.RequestHeaders); err != nil {
			return fmt.Errorf("encode headers of exchange %s: %w", ex.ID, err)
		}
	}
	_, err := s.exchangeInsert.Exec(
		ex.ID, ex.Agent, ex.Method, ex.ProtocolVersion, ex.Binding, ex.HTTPMethod, ex.Path,
		headers, ex.RequestBody, ex.RequestBodyTruncated, ex.RPCID,
		ex.TaskID, ex.ContextID, ex.MessageID, unixNano(ex.StartedAt), ex.TraceID, ex.SpanID,
	)
	if err != nil {
		return fmt.Errorf("insert exchange %s: %w", ex.ID, err)
	}
	return nil
}

// finishExchange records the end of an exchange. An end without a start is a
// caller bug: it is logged, not allowed to fail the batch.
func (s statements) finishExchange(end *recorder.ExchangeEnd, log *slog.Logger) error {
	res, err := s.exchangeFinish.Exec(
		end.Status, end.ContentType, end.Streaming, unixNano(end.EndedAt), end.Outcome,
		end.Error, end.EventCount, end.DroppedEvents, end.ExchangeID,
	)
	if err != nil {
		return fmt.Errorf("finish exchange %s: %w", end.ExchangeID, err)
	}
	if n, err := res.RowsAffected(); err == nil && n == 0 {
		log.Warn("end of an exchange never started", "exchange_id", end.ExchangeID)
	}
	return nil
}

func (s statements) insertEvent(ev *recorder.Event) error {
	raw := ev.Raw
	if raw == nil {
		raw = []byte{} // an empty body is still an event, and the column is NOT NULL
	}
	_, err := s.eventInsert.Exec(
		ev.ExchangeID, ev.Seq, int64(ev.Offset), unixNano(ev.At), raw, ev.Kind,
		ev.TaskID, ev.ContextID, ev.State, ev.Final, ev.ArtifactID, ev.Flag,
	)
	if err != nil {
		return fmt.Errorf("insert event %s/%d: %w", ev.ExchangeID, ev.Seq, err)
	}
	return nil
}

// linkTask links an exchange to a task and reports whether the link is new.
func (s statements) linkTask(l recorder.TaskLink) (bool, error) {
	res, err := s.taskLink.Exec(l.TaskID, l.ExchangeID)
	if err != nil {
		return false, fmt.Errorf("link exchange %s to task %s: %w", l.ExchangeID, l.TaskID, err)
	}
	n, err := res.RowsAffected()
	if err != nil {
		return false, fmt.Errorf("link exchange %s to task %s: %w", l.ExchangeID, l.TaskID, err)
	}
	return n == 1, nil
}

// upsertTask writes one batch's changes to a task row, with the number of
// links the batch added to it. known holds the stored indexed columns of
// recent tasks and learns this one's.
func (s statements) upsertTask(c *recorder.TaskChange, exchanges int, known *storedTasks) error {
	args := []any{
		c.TaskID, c.ContextID, c.Agent, unixNano(c.FirstSeen), unixNano(c.LastSeen), c.State, c.Events,
		exchanges, c.LastMessage, c.FirstExchangeID,
	}
	stored, ok := known.get(c.TaskID)
	var err error
	if ok {
		_, err = s.taskAdd.Exec(args...)
	} else {
		err = s.taskReadBack.QueryRow(args...).Scan(&stored.contextID, &stored.agent, &stored.firstSeen, &stored.state)
	}
	if err != nil {
		return fmt.Errorf("upsert task %s: %w", c.TaskID, err)
	}
	keys := stored.merge(c)
	if keys != stored {
		if _, err := s.taskKeys.Exec(keys.contextID, keys.agent, keys.firstSeen, keys.state, c.TaskID); err != nil {
			return fmt.Errorf("update task %s: %w", c.TaskID, err)
		}
	}
	known.put(c.TaskID, keys)
	return nil
}

// replaceFindings stores an exchange's findings in place of those it had.
func (s statements) replaceFindings(c *recorder.ExchangeChecks) error {
	if _, err := s.findingsDelete.Exec(c.ExchangeID); err != nil {
		return fmt.Errorf("delete findings of exchange %s: %w", c.ExchangeID, err)
	}
	for i, f := range c.Findings {
		_, err := s.findingInsert.Exec(c.ExchangeID, i, f.Seq, f.Rule, f.Severity, f.Version, f.Message, f.Path)
		if err != nil {
			return fmt.Errorf("insert finding of exchange %s: %w", c.ExchangeID, err)
		}
	}
	return nil
}
