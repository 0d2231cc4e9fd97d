package sqlite

import (
	"context"
	"database/sql"
	"encoding/json"
	"errors"
	"fmt"

	"github.com/a2aproxy/a2a-proxy/recorder"
)

// GetTask returns a task with every exchange linked to it, oldest first, and
// the events of those exchanges that belong to it (its id or none), in
// exchange then sequence order.
func (s *Store) GetTask(ctx context.Context, taskID string) (*recorder.TaskDetail, error) {
	tx, err := s.readDB.BeginTx(ctx, &sql.TxOptions{ReadOnly: true}) // one snapshot for the three reads
	if err != nil {
		return nil, fmt.Errorf("get task %s: %w", taskID, err)
	}
	defer tx.Rollback() //nolint:errcheck // read-only

	task, err := scanTask(tx.QueryRowContext(ctx, `SELECT `+taskColumns+` FROM tasks WHERE task_id = ?`, taskID))
	if errors.Is(err, sql.ErrNoRows) {
		return nil, fmt.Errorf("task %s: %w", taskID, recorder.ErrNotFound)
	}
	if err != nil {
		return nil, fmt.Errorf("get task %s: %w", taskID, err)
	}
	exchanges, err := queryExchanges(ctx, tx, `SELECT `+exchangeColumns+`
		FROM exchange_tasks l JOIN exchanges x ON x.id = l.exchange_id
		WHERE l.task_id = ?
		ORDER BY x.started_at, x.id`, taskID)
	if err != nil {
		return nil, fmt.Errorf("get exchanges of task %s: %w", taskID, err)
	}
	events, err := queryEvents(ctx, tx, `SELECT `+eventColumns+`
		FROM exchange_tasks l
		JOIN exchanges x ON x.id = l.exchange_id
		JOIN events e ON e.exchange_id = x.id
		WHERE l.task_id = ?1 AND e.task_id IN (?1, '')
		ORDER BY x.started_at, x.id, e.seq`, taskID)
	if err != nil {
		return nil, fmt.Errorf("get events of task %s: %w", taskID, err)
	}
	return &recorder.TaskDetail{Task: task, Exchanges: exchanges, Events: events}, nil
}

// GetContext returns the tasks of a context, oldest first.
func (s *Store) GetContext(ctx context.Context, contextID string) (*recorder.ContextDetail, error) {
	rows, err := s.readDB.QueryContext(ctx, `SELECT `+taskColumns+` FROM tasks
		WHERE context_id = ? AND context_id != ''
		ORDER BY first_seen, task_id`, contextID)
	if err != nil {
		return nil, fmt.Errorf("get context %s: %w", contextID, err)
	}
	defer rows.Close()
	detail := &recorder.ContextDetail{ContextID: contextID, Tasks: []recorder.TaskSummary{}}
	for rows.Next() {
		t, err := scanTask(rows)
		if err != nil {
			return nil, fmt.Errorf("get context %s: %w", contextID, err)
		}
		detail.Tasks = append(detail.Tasks, t)
	}
	if err := rows.Err(); err != nil {
		return nil, fmt.Errorf("get context %s: %w", contextID, err)
	}
	if len(detail.Tasks) == 0 {
		return nil, fmt.Errorf("context %s: %w", contextID, recorder.ErrNotFound)
	}
	return detail, nil
}

// ExchangeEvents returns all the events of one exchange in sequence order.
func (s *Store) ExchangeEvents(ctx context.Context, exchangeID string) ([]recorder.EventDoc, error) {
	tx, err := s.readDB.BeginTx(ctx, &sql.TxOptions{ReadOnly: true})
	if err != nil {
		return nil, fmt.Errorf("get events of exchange %s: %w", exchangeID, err)
	}
	defer tx.Rollback() //nolint:errcheck // read-only

	var exists bool
	err = tx.QueryRowContext(ctx, `SELECT EXISTS (SELECT 1 FROM exchanges WHERE id = ?)`, exchangeID).Scan(&exists)
	if err != nil {
		return nil, fmt.Errorf("get exchange %s: %w", exchangeID, err)
	}
	if !exists {
		return nil, fmt.Errorf("exchange %s: %w", exchangeID, recorder.ErrNotFound)
	}
	events, err := queryEvents(ctx, tx, `SELECT `+eventColumns+`
		FROM events e JOIN exchanges x ON x.id = e.exchange_id
		WHERE e.exchange_id = ?
		ORDER BY e.seq`, exchangeID)
	if err != nil {
		return nil, fmt.Errorf("get events of exchange %s: %w", exchangeID, err)
	}
	return events, nil
}

// exchangeColumns are read from exchanges as x. An interrupted exchange's
// recording is incomplete: what the crash kept from the writer is unknown.
const exchangeColumns = `x.id, x.agent, x.method, x.protocol_version, x.binding,
	x.http_method, x.path, x.request_headers, x.request_body,
	x.request_body_truncated, x.rpc_id, x.status, x.content_type, x.streaming,
	x.started_at, x.ended_at, x.outcome, x.error, x.event_count,
	x.dropped_events, x.recording_complete AND x.outcome != 'interrupted', x.trace_id, x.span_id`

func queryExchanges(ctx context.Context, tx *sql.Tx, query string, args ...any) ([]recorder.ExchangeDoc, error) {
	rows, err := tx.QueryContext(ctx, query, args...)
	if err != nil {
		return nil, err
	}
	defer rows.Close()
	exchanges := []recorder.ExchangeDoc{}
	for rows.Next() {
		var x recorder.ExchangeDoc
		var headers, body []byte
		var startedAt int64
		var endedAt sql.NullInt64
		err := rows.Scan(&x.ID, &x.Agent, &x.Method, &x.ProtocolVersion, &x.Binding,
			&x.HTTPMethod, &x.Path, &headers, &body,
			&x.RequestBodyTruncated, &x.RPCID, &x.Status, &x.ContentType, &x.Streaming,
			&startedAt, &endedAt, &x.Outcome, &x.Error, &x.EventCount,
			&x.DroppedEvents, &x.RecordingComplete, &x.TraceID, &x.SpanID)
		if err != nil {
			return nil, err
		}
		if err := json.Unmarshal(headers, &x.RequestHeaders); err != nil {
			return nil, fmt.Errorf("decode headers of exchange %s: %w", x.ID, err)
		}
		if len(body) > 0 {
			x.RequestBody = recorder.JSONOrString(body)
		}
		x.StartedAt = fromUnixNano(startedAt)
		if endedAt.Valid {
			ended := fromUnixNano(endedAt.Int64)
			x.EndedAt = &ended
			x.DurationMs = float64(endedAt.Int64-startedAt) / 1e6
		}
		exchanges = append(exchanges, x)
	}
	return exchanges, rows.Err()
}

// eventColumns are read from events as e joined with their exchange as x,
// which says whether the event may be an SSE block.
const eventColumns = `e.exchange_id, e.seq, e.offset_ns, e.at, e.raw, e.kind,
	e.task_id, e.context_id, e.state, e.final, e.artifact_id, e.flag,
	x.streaming OR x.ended_at IS NULL`

func queryEvents(ctx context.Context, tx *sql.Tx, query string, args ...any) ([]recorder.EventDoc, error) {
	rows, err := tx.QueryContext(ctx, query, args...)
	if err != nil {
		return nil, err
	}
	defer rows.Close()
	events := []recorder.EventDoc{}
	for rows.Next() {
		var e recorder.EventDoc
		var offset, at int64
		var maybeSSE bool // the response was a stream, or is not over yet
		err := rows.Scan(&e.ExchangeID, &e.Seq, &offset, &at, &e.Raw, &e.Kind,
			&e.TaskID, &e.ContextID, &e.State, &e.Final, &e.ArtifactID, &e.Flag,
			&maybeSSE)
		if err != nil {
			return nil, err
		}
		e.OffsetMs = float64(offset) / 1e6
		e.At = fromUnixNano(at)
		e.Data = recorder.EventDocument(e.Raw, maybeSSE)
		events = append(events, e)
	}
	return events, rows.Err()
}
