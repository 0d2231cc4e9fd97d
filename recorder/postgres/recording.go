package postgres

import (
	"context"
	"encoding/json"
	"fmt"
	"time"

	"github.com/jackc/pgx/v5"

	"github.com/a2aproxy/a2a-proxy/recorder"
)

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
		WHERE t.task_id = $1
		ORDER BY x.started_at, x.id`

// recordedEventsQuery reads the events of the task's exchanges that belong to
// it, in the order of the exchanges above, then by seq.
const recordedEventsQuery = `SELECT e.exchange_id, x.agent, e.seq, e.offset_ns, e.at, e.raw, e.kind,
			e.task_id, e.context_id, e.state, e.final, e.artifact_id, e.flag
		FROM exchange_tasks l
		JOIN exchanges x ON x.id = l.exchange_id
		JOIN events e ON e.exchange_id = x.id
		WHERE l.task_id = $1 AND e.task_id IN ($1, '')
		ORDER BY x.started_at, x.id, e.seq`

// Recording reads the recording of a task.
func (s *Store) Recording(ctx context.Context, taskID string) (*recorder.Recording, error) {
	var rec *recorder.Recording
	err := s.readTx(ctx, func(tx pgx.Tx) error {
		var err error
		rec, err = readRecording(ctx, tx, pgText(taskID))
		return err
	})
	return rec, err
}

// ContextRecordings reads the recordings of every task of a context, oldest
// task first.
func (s *Store) ContextRecordings(ctx context.Context, contextID string) ([]*recorder.Recording, error) {
	var recs []*recorder.Recording
	err := s.readTx(ctx, func(tx pgx.Tx) error {
		rows, err := tx.Query(ctx, `SELECT task_id FROM tasks
			WHERE context_id = $1 AND context_id != '' ORDER BY first_seen, task_id`, pgText(contextID))
		if err != nil {
			return fmt.Errorf("read recordings of context %s: %w", contextID, err)
		}
		ids, err := pgx.CollectRows(rows, pgx.RowTo[string])
		if err != nil {
			return fmt.Errorf("read recordings of context %s: %w", contextID, err)
		}
		if len(ids) == 0 {
			return fmt.Errorf("context %s: %w", contextID, recorder.ErrNotFound)
		}
		recs = make([]*recorder.Recording, 0, len(ids))
		for _, id := range ids {
			rec, err := readRecording(ctx, tx, id)
			if err != nil {
				return err
			}
			recs = append(recs, rec)
		}
		return nil
	})
	return recs, err
}

func readRecording(ctx context.Context, tx pgx.Tx, taskID string) (*recorder.Recording, error) {
	rec, err := recordedExchanges(ctx, tx, taskID)
	if err != nil {
		return nil, fmt.Errorf("read exchanges of task %s: %w", taskID, err)
	}
	if len(rec.Exchanges) == 0 { // a task row always has an exchange linked
		return nil, fmt.Errorf("task %s: %w", taskID, recorder.ErrNotFound)
	}
	if rec.Events, err = recordedEvents(ctx, tx, taskID); err != nil {
		return nil, fmt.Errorf("read events of task %s: %w", taskID, err)
	}
	return rec, nil
}

// recordedExchanges reads the task and its exchanges in one query.
func recordedExchanges(ctx context.Context, tx pgx.Tx, taskID string) (*recorder.Recording, error) {
	rec, err := scanRecordedExchanges(tx.Query(ctx, recordedExchangesQuery, taskID))
	if rec != nil {
		rec.Task.TaskID = taskID
	}
	return rec, err
}

// scanRecordedExchanges reads rows of a task's context, agent and state then
// recordedExchangeColumns, and closes them.
func scanRecordedExchanges(rows pgx.Rows, err error) (*recorder.Recording, error) {
	if err != nil {
		return nil, err
	}
	defer rows.Close()
	rec := &recorder.Recording{}
	for rows.Next() {
		var x recorder.RecordedExchange
		var end recorder.ExchangeEnd
		var headers string
		var startedAt int64
		var endedAt *int64
		err := rows.Scan(&rec.Task.ContextID, &rec.Task.Agent, &rec.Task.State,
			&x.ID, &x.Agent, &x.Method, &x.ProtocolVersion,
			&x.Binding, &x.HTTPMethod, &x.Path, &headers, &x.RequestBody,
			&x.RequestBodyTruncated, &x.RPCID, &x.TaskID, &x.ContextID, &x.MessageID,
			&startedAt, &x.TraceID, &x.SpanID, &end.Status, &end.ContentType, &end.Streaming,
			&endedAt, &end.Outcome, &end.Error, &end.EventCount, &end.DroppedEvents)
		if err != nil {
			return nil, err
		}
		if err := json.Unmarshal([]byte(headers), &x.RequestHeaders); err != nil {
			return nil, fmt.Errorf("decode headers of exchange %s: %w", x.ID, err)
		}
		x.StartedAt = recorder.FromUnixNano(startedAt)
		if endedAt != nil {
			end.ExchangeID, end.EndedAt = x.ID, recorder.FromUnixNano(*endedAt)
			x.End = &end
		}
		rec.Exchanges = append(rec.Exchanges, x)
	}
	return rec, rows.Err()
}

func recordedEvents(ctx context.Context, tx pgx.Tx, taskID string) ([]recorder.Event, error) {
	return scanEvents(tx.Query(ctx, recordedEventsQuery, taskID))
}

// scanEvents reads rows of recordedEventsQuery's columns and closes them.
func scanEvents(rows pgx.Rows, err error) ([]recorder.Event, error) {
	if err != nil {
		return nil, err
	}
	defer rows.Close()
	var events []recorder.Event
	for rows.Next() {
		var ev recorder.Event
		var offset, at int64
		err := rows.Scan(&ev.ExchangeID, &ev.Agent, &ev.Seq, &offset, &at, &ev.Raw, &ev.Kind, &ev.TaskID,
			&ev.ContextID, &ev.State, &ev.Final, &ev.ArtifactID, &ev.Flag)
		if err != nil {
			return nil, err
		}
		ev.Offset, ev.At = time.Duration(offset), recorder.FromUnixNano(at)
		events = append(events, ev)
	}
	return events, rows.Err()
}
