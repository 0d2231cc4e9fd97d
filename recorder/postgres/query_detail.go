package postgres

import (
	"context"
	"encoding/json"
	"errors"
	"fmt"

	"github.com/jackc/pgx/v5"

	"github.com/a2aproxy/a2a-proxy/recorder"
)

// snapshot is the transaction of a read that takes several statements: one
// consistent view, as SQLite's read transactions give.
var snapshot = pgx.TxOptions{IsoLevel: pgx.RepeatableRead, AccessMode: pgx.ReadOnly}

// readTx runs read in a read-only snapshot.
func (s *Store) readTx(ctx context.Context, read func(pgx.Tx) error) error {
	tx, err := s.pool.BeginTx(ctx, snapshot)
	if err != nil {
		return err
	}
	defer tx.Rollback(context.WithoutCancel(ctx)) //nolint:errcheck // read-only
	return read(tx)
}

// GetTask returns a task with every exchange linked to it, oldest first, and
// the events of those exchanges that belong to it (its id or none), in
// exchange then sequence order.
func (s *Store) GetTask(ctx context.Context, taskID string) (*recorder.TaskDetail, error) {
	var detail *recorder.TaskDetail
	err := s.readTx(ctx, func(tx pgx.Tx) error {
		task, err := scanTask(tx.QueryRow(ctx, `SELECT `+taskColumns+` FROM tasks WHERE task_id = $1`, pgText(taskID)))
		if errors.Is(err, pgx.ErrNoRows) {
			return fmt.Errorf("task %s: %w", taskID, recorder.ErrNotFound)
		}
		if err != nil {
			return fmt.Errorf("get task %s: %w", taskID, err)
		}
		exchanges, err := queryExchanges(ctx, tx, `SELECT `+exchangeColumns+`
			FROM exchange_tasks l JOIN exchanges x ON x.id = l.exchange_id
			WHERE l.task_id = $1
			ORDER BY x.started_at, x.id`, task.TaskID)
		if err != nil {
			return fmt.Errorf("get exchanges of task %s: %w", taskID, err)
		}
		events, err := queryEvents(ctx, tx, `SELECT `+eventColumns+`
			FROM exchange_tasks l
			JOIN exchanges x ON x.id = l.exchange_id
			JOIN events e ON e.exchange_id = x.id
			WHERE l.task_id = $1 AND e.task_id IN ($1, '')
			ORDER BY x.started_at, x.id, e.seq`, task.TaskID)
		if err != nil {
			return fmt.Errorf("get events of task %s: %w", taskID, err)
		}
		detail = &recorder.TaskDetail{Task: task, Exchanges: exchanges, Events: events}
		return nil
	})
	return detail, err
}

// GetContext returns the tasks of a context, oldest first.
func (s *Store) GetContext(ctx context.Context, contextID string) (*recorder.ContextDetail, error) {
	rows, err := s.pool.Query(ctx, `SELECT `+taskColumns+` FROM tasks
		WHERE context_id = $1 AND context_id != ''
		ORDER BY first_seen, task_id`, pgText(contextID))
	if err != nil {
		return nil, fmt.Errorf("get context %s: %w", contextID, err)
	}
	tasks, err := pgx.CollectRows(rows, func(r pgx.CollectableRow) (recorder.TaskSummary, error) { return scanTask(r) })
	if err != nil {
		return nil, fmt.Errorf("get context %s: %w", contextID, err)
	}
	if len(tasks) == 0 {
		return nil, fmt.Errorf("context %s: %w", contextID, recorder.ErrNotFound)
	}
	return &recorder.ContextDetail{ContextID: contextID, Tasks: tasks}, nil
}

// ExchangeEvents returns all the events of one exchange in sequence order.
func (s *Store) ExchangeEvents(ctx context.Context, exchangeID string) ([]recorder.EventDoc, error) {
	var events []recorder.EventDoc
	err := s.readTx(ctx, func(tx pgx.Tx) error {
		var exists bool
		err := tx.QueryRow(ctx, `SELECT EXISTS (SELECT 1 FROM exchanges WHERE id = $1)`, pgText(exchangeID)).Scan(&exists)
		if err != nil {
			return fmt.Errorf("get exchange %s: %w", exchangeID, err)
		}
		if !exists {
			return fmt.Errorf("exchange %s: %w", exchangeID, recorder.ErrNotFound)
		}
		events, err = queryEvents(ctx, tx, `SELECT `+eventColumns+`
			FROM events e JOIN exchanges x ON x.id = e.exchange_id
			WHERE e.exchange_id = $1
			ORDER BY e.seq`, pgText(exchangeID))
		if err != nil {
			return fmt.Errorf("get events of exchange %s: %w", exchangeID, err)
		}
		return nil
	})
	return events, err
}

// exchangeColumns are read from exchanges as x. An interrupted exchange's
// recording is incomplete: what the crash kept from the writer is unknown.
const exchangeColumns = `x.id, x.agent, x.method, x.protocol_version, x.binding,
	x.http_method, x.path, x.request_headers, x.request_body,
	x.request_body_truncated, x.rpc_id, x.status, x.content_type, x.streaming,
	x.started_at, x.ended_at, x.outcome, x.error, x.event_count,
	x.dropped_events, x.recording_complete AND x.outcome != 'interrupted', x.trace_id, x.span_id`

func queryExchanges(ctx context.Context, tx pgx.Tx, sql string, args ...any) ([]recorder.ExchangeDoc, error) {
	rows, err := tx.Query(ctx, sql, args...)
	if err != nil {
		return nil, err
	}
	defer rows.Close()
	exchanges := []recorder.ExchangeDoc{}
	for rows.Next() {
		var x recorder.ExchangeDoc
		var headers string
		var body []byte
		var startedAt int64
		var endedAt *int64
		err := rows.Scan(&x.ID, &x.Agent, &x.Method, &x.ProtocolVersion, &x.Binding,
			&x.HTTPMethod, &x.Path, &headers, &body,
			&x.RequestBodyTruncated, &x.RPCID, &x.Status, &x.ContentType, &x.Streaming,
			&startedAt, &endedAt, &x.Outcome, &x.Error, &x.EventCount,
			&x.DroppedEvents, &x.RecordingComplete, &x.TraceID, &x.SpanID)
		if err != nil {
			return nil, err
		}
		if err := json.Unmarshal([]byte(headers), &x.RequestHeaders); err != nil {
			return nil, fmt.Errorf("decode headers of exchange %s: %w", x.ID, err)
		}
		if len(body) > 0 {
			x.RequestBody = recorder.JSONOrString(body)
		}
		x.StartedAt = recorder.FromUnixNano(startedAt)
		if endedAt != nil {
			ended := recorder.FromUnixNano(*endedAt)
			x.EndedAt = &ended
			x.DurationMs = float64(*endedAt-startedAt) / 1e6
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

func queryEvents(ctx context.Context, tx pgx.Tx, sql string, args ...any) ([]recorder.EventDoc, error) {
	rows, err := tx.Query(ctx, sql, args...)
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
		e.At = recorder.FromUnixNano(at)
		e.Data = recorder.EventDocument(e.Raw, maybeSSE)
		events = append(events, e)
	}
	return events, rows.Err()
}
