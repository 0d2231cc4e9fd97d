package sqlite

import (
	"context"
	"database/sql"
	"errors"
	"fmt"
)

// readStatements are the replay path's queries, prepared once on the reader
// pool: parsing a statement costs about as much as reading a dozen events,
// and a replay at full speed reads a whole recording per request.
type readStatements struct {
	exchanges *sql.Stmt // a task and its exchanges, by start
	events    *sql.Stmt // one exchange's events of a task, by seq
}

// recordedExchangeColumns are an exchange of exchanges as x, as a recording
// holds it.
const recordedExchangeColumns = `
			x.id, x.agent, x.method, x.protocol_version,
			x.binding, x.http_method, x.path, x.request_headers, x.request_body,
			x.request_body_truncated, x.rpc_id, x.task_id, x.context_id, x.message_id,
			x.started_at, x.trace_id, x.span_id, x.status, x.content_type, x.streaming,
			x.ended_at, x.outcome, x.error, x.event_count, x.dropped_events`

const recordedExchangesQuery = `SELECT t.context_id, t.agent, t.state,` + recordedExchangeColumns + `
		FROM tasks t
		JOIN exchange_tasks l ON l.task_id = t.task_id
		JOIN exchanges x ON x.id = l.exchange_id
		WHERE t.task_id = ?
		ORDER BY x.started_at, x.id`

const recordedEventsQuery = `SELECT seq, offset_ns, at, raw, kind, task_id,
			context_id, state, final, artifact_id, flag
		FROM events WHERE exchange_id = ?1 AND task_id IN (?2, '') ORDER BY seq`

func prepareReadStatements(ctx context.Context, db *sql.DB) (readStatements, error) {
	var r readStatements
	var err error
	if r.exchanges, err = db.PrepareContext(ctx, recordedExchangesQuery); err != nil {
		return r, fmt.Errorf("prepare exchanges query: %w", err)
	}
	if r.events, err = db.PrepareContext(ctx, recordedEventsQuery); err != nil {
		r.exchanges.Close()
		return r, fmt.Errorf("prepare events query: %w", err)
	}
	return r, nil
}

func (r readStatements) close() error {
	return errors.Join(r.exchanges.Close(), r.events.Close())
}
