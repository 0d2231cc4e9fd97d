package sqlite

import (
	"context"
	"database/sql"
	"errors"
	"fmt"

	"github.com/a2aproxy/a2a-proxy/recorder"
)

// ExchangeRecording reads one exchange with all its events.
func (s *Store) ExchangeRecording(ctx context.Context, exchangeID string, maxRaw int) (*recorder.Recording, error) {
	tx, err := s.readDB.BeginTx(ctx, &sql.TxOptions{ReadOnly: true})
	if err != nil {
		return nil, fmt.Errorf("read exchange %s: %w", exchangeID, err)
	}
	defer tx.Rollback() //nolint:errcheck // read-only
	rows, err := tx.QueryContext(ctx, `SELECT '', '', '',`+recordedExchangeColumns+`
		FROM exchanges x WHERE x.id = ?`, exchangeID)
	if err != nil {
		return nil, fmt.Errorf("read exchange %s: %w", exchangeID, err)
	}
	rec, err := scanRecordedExchanges(rows, "")
	if err != nil {
		return nil, fmt.Errorf("read exchange %s: %w", exchangeID, err)
	}
	if len(rec.Exchanges) == 0 {
		return nil, fmt.Errorf("exchange %s: %w", exchangeID, recorder.ErrNotFound)
	}
	x := &rec.Exchanges[0]
	rec.Task = recorder.RecordedTask{TaskID: x.TaskID, ContextID: x.ContextID, Agent: x.Agent}
	// length() of a blob reads its size, not its bytes.
	rows, err = tx.QueryContext(ctx, `SELECT seq, offset_ns, at,
			CASE WHEN ?2 > 0 AND length(raw) > ?2 THEN NULL ELSE raw END, kind, task_id,
			context_id, state, final, artifact_id,
			CASE WHEN ?2 > 0 AND length(raw) > ?2 THEN 'oversized' ELSE flag END
		FROM events WHERE exchange_id = ?1 ORDER BY seq`, exchangeID, maxRaw)
	if err != nil {
		return nil, fmt.Errorf("read events of exchange %s: %w", exchangeID, err)
	}
	if rec.Events, err = scanEvents(rows, nil, x.ID, x.Agent); err != nil {
		return nil, fmt.Errorf("read events of exchange %s: %w", exchangeID, err)
	}
	return rec, nil
}

// TaskFindings returns the findings of the task's exchanges.
func (s *Store) TaskFindings(ctx context.Context, taskID string) ([]recorder.Finding, error) {
	tx, err := s.readDB.BeginTx(ctx, &sql.TxOptions{ReadOnly: true})
	if err != nil {
		return nil, fmt.Errorf("read findings of task %s: %w", taskID, err)
	}
	defer tx.Rollback() //nolint:errcheck // read-only
	var one int
	err = tx.QueryRowContext(ctx, `SELECT 1 FROM tasks WHERE task_id = ?`, taskID).Scan(&one)
	if errors.Is(err, sql.ErrNoRows) {
		return nil, fmt.Errorf("task %s: %w", taskID, recorder.ErrNotFound)
	}
	if err != nil {
		return nil, fmt.Errorf("read findings of task %s: %w", taskID, err)
	}
	rows, err := tx.QueryContext(ctx, `SELECT f.exchange_id, f.seq, f.rule, f.severity, f.version, f.message, f.path
		FROM exchange_tasks l
		JOIN exchanges x ON x.id = l.exchange_id
		JOIN findings f ON f.exchange_id = x.id
		WHERE l.task_id = ?
		ORDER BY x.started_at, x.id, f.n`, taskID)
	if err != nil {
		return nil, fmt.Errorf("read findings of task %s: %w", taskID, err)
	}
	defer rows.Close()
	out := []recorder.Finding{}
	for rows.Next() {
		var f recorder.Finding
		if err := rows.Scan(&f.ExchangeID, &f.Seq, &f.Rule, &f.Severity, &f.Version, &f.Message, &f.Path); err != nil {
			return nil, fmt.Errorf("read findings of task %s: %w", taskID, err)
		}
		out = append(out, f)
	}
	if err := rows.Err(); err != nil {
		return nil, fmt.Errorf("read findings of task %s: %w", taskID, err)
	}
	return out, nil
}
