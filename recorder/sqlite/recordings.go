package sqlite

import (
	"context"
	"database/sql"
	"encoding/json"
	"fmt"
	"time"

	"github.com/a2aproxy/a2a-proxy/recorder"
)

// Recording reads the recording of a task.
func (s *Store) Recording(ctx context.Context, taskID string) (*recorder.Recording, error) {
	tx, err := s.readDB.BeginTx(ctx, &sql.TxOptions{ReadOnly: true}) // one snapshot for every read
	if err != nil {
		return nil, fmt.Errorf("read recording of task %s: %w", taskID, err)
	}
	defer tx.Rollback() //nolint:errcheck // read-only
	return readRecording(ctx, tx, s.reads, taskID)
}

// ContextRecordings reads the recordings of every task of a context, oldest
// task first.
func (s *Store) ContextRecordings(ctx context.Context, contextID string) ([]*recorder.Recording, error) {
	tx, err := s.readDB.BeginTx(ctx, &sql.TxOptions{ReadOnly: true})
	if err != nil {
		return nil, fmt.Errorf("read recordings of context %s: %w", contextID, err)
	}
	defer tx.Rollback() //nolint:errcheck // read-only

	taskIDs, err := contextTaskIDs(ctx, tx, contextID)
	if err != nil {
		return nil, fmt.Errorf("read recordings of context %s: %w", contextID, err)
	}
	if len(taskIDs) == 0 {
		return nil, fmt.Errorf("context %s: %w", contextID, recorder.ErrNotFound)
	}
	recs := make([]*recorder.Recording, 0, len(taskIDs))
	for _, id := range taskIDs {
		rec, err := readRecording(ctx, tx, s.reads, id)
		if err != nil {
			return nil, err
		}
		recs = append(recs, rec)
	}
	return recs, nil
}

func contextTaskIDs(ctx context.Context, tx *sql.Tx, contextID string) ([]string, error) {
	rows, err := tx.QueryContext(ctx, `SELECT task_id FROM tasks
		WHERE context_id = ? AND context_id != '' ORDER BY first_seen, task_id`, contextID)
	if err != nil {
		return nil, err
	}
	defer rows.Close()
	var ids []string
	for rows.Next() {
		var id string
		if err := rows.Scan(&id); err != nil {
			return nil, err
		}
		ids = append(ids, id)
	}
	return ids, rows.Err()
}

func readRecording(ctx context.Context, tx *sql.Tx, reads readStatements, taskID string) (*recorder.Recording, error) {
	rec, err := recordedExchanges(ctx, tx, reads, taskID)
	if err != nil {
		return nil, fmt.Errorf("read exchanges of task %s: %w", taskID, err)
	}
	if len(rec.Exchanges) == 0 { // a task row always has an exchange linked
		return nil, fmt.Errorf("task %s: %w", taskID, recorder.ErrNotFound)
	}
	if rec.Events, err = recordedEvents(ctx, tx, reads, taskID, rec.Exchanges); err != nil {
		return nil, fmt.Errorf("read events of task %s: %w", taskID, err)
	}
	return rec, nil
}

// recordedExchanges reads the task and its exchanges in one query.
func recordedExchanges(ctx context.Context, tx *sql.Tx, reads readStatements, taskID string) (*recorder.Recording, error) {
	rows, err := tx.StmtContext(ctx, reads.exchanges).QueryContext(ctx, taskID)
	if err != nil {
		return nil, err
	}
	return scanRecordedExchanges(rows, taskID)
}

// scanRecordedExchanges reads rows of the task's context, agent and state
// then recordedExchangeColumns, and closes them.
func scanRecordedExchanges(rows *sql.Rows, taskID string) (*recorder.Recording, error) {
	defer rows.Close()
	rec := &recorder.Recording{Task: recorder.RecordedTask{TaskID: taskID}}
	for rows.Next() {
		var x recorder.RecordedExchange
		var end recorder.ExchangeEnd
		var headers []byte
		var startedAt int64
		var endedAt sql.NullInt64
		err := rows.Scan(&rec.Task.ContextID, &rec.Task.Agent, &rec.Task.State,
			&x.ID, &x.Agent, &x.Method, &x.ProtocolVersion,
			&x.Binding, &x.HTTPMethod, &x.Path, &headers, &x.RequestBody,
			&x.RequestBodyTruncated, &x.RPCID, &x.TaskID, &x.ContextID, &x.MessageID,
			&startedAt, &x.TraceID, &x.SpanID, &end.Status, &end.ContentType, &end.Streaming,
			&endedAt, &end.Outcome, &end.Error, &end.EventCount, &end.DroppedEvents)
		if err != nil {
			return nil, err
		}
		if err := json.Unmarshal(headers, &x.RequestHeaders); err != nil {
			return nil, fmt.Errorf("decode headers of exchange %s: %w", x.ID, err)
		}
		x.StartedAt = fromUnixNano(startedAt)
		if endedAt.Valid {
			end.ExchangeID, end.EndedAt = x.ID, fromUnixNano(endedAt.Int64)
			x.End = &end
		}
		rec.Exchanges = append(rec.Exchanges, x)
	}
	return rec, rows.Err()
}

// recordedEvents reads the events of the exchanges that belong to the task,
// exchange by exchange: each read walks the events' primary key in order,
// where one query over all of them would sort the rows, blobs included.
func recordedEvents(ctx context.Context, tx *sql.Tx, reads readStatements, taskID string, exchanges []recorder.RecordedExchange) ([]recorder.Event, error) {
	stmt := tx.StmtContext(ctx, reads.events)
	var err error
	var events []recorder.Event
	for _, x := range exchanges {
		if events, err = appendEvents(ctx, stmt, events, x.ID, x.Agent, taskID); err != nil {
			return nil, err
		}
	}
	return events, nil
}

func appendEvents(ctx context.Context, stmt *sql.Stmt, events []recorder.Event, exchangeID, agent, taskID string) ([]recorder.Event, error) {
	rows, err := stmt.QueryContext(ctx, exchangeID, taskID)
	if err != nil {
		return nil, err
	}
	return scanEvents(rows, events, exchangeID, agent)
}

// scanEvents appends the events of rows (recordedEventsQuery's columns) and
// closes them.
func scanEvents(rows *sql.Rows, events []recorder.Event, exchangeID, agent string) ([]recorder.Event, error) {
	defer rows.Close()
	for rows.Next() {
		ev := recorder.Event{ExchangeID: exchangeID, Agent: agent}
		var offset, at int64
		err := rows.Scan(&ev.Seq, &offset, &at, &ev.Raw, &ev.Kind, &ev.TaskID,
			&ev.ContextID, &ev.State, &ev.Final, &ev.ArtifactID, &ev.Flag)
		if err != nil {
			return nil, err
		}
		ev.Offset, ev.At = time.Duration(offset), fromUnixNano(at)
		events = append(events, ev)
	}
	return events, rows.Err()
}
