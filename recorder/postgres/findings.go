package postgres

import (
	"context"
	"errors"
	"fmt"

	"github.com/jackc/pgx/v5"

	"github.com/a2aproxy/a2a-proxy/recorder"
)

// replaceFindingsSQL deletes the findings of the exchanges checked, then
// inserts their new ones, from arrays.
const (
	deleteFindingsSQL = `DELETE FROM findings WHERE exchange_id = ANY($1::text[])`
	insertFindingsSQL = `INSERT INTO findings (exchange_id, n, seq, rule, severity, version, message, path)
		SELECT * FROM unnest($1::text[], $2::int4[], $3::int8[], $4::text[], $5::text[], $6::text[], $7::text[], $8::text[])`
)

// replaceFindings stores each exchange's findings in place of those it had;
// of two results for one exchange the last wins, as in SQLite.
func replaceFindings(ctx context.Context, tx pgx.Tx, checks []*recorder.ExchangeChecks) error {
	if len(checks) == 0 {
		return nil
	}
	last := make(map[string]int, len(checks))
	for i, c := range checks {
		last[c.ExchangeID] = i
	}
	var (
		exchanges, ids, rules, severities, versions, messages, paths []string
		ns                                                           []int32
		seqs                                                         []int64
	)
	for i, c := range checks {
		if last[c.ExchangeID] != i {
			continue
		}
		exchanges = append(exchanges, pgText(c.ExchangeID))
		for n, f := range c.Findings {
			ids = append(ids, pgText(c.ExchangeID))
			ns = append(ns, int32(n))
			seqs = append(seqs, int64(f.Seq))
			rules = append(rules, pgText(f.Rule))
			severities = append(severities, pgText(f.Severity))
			versions = append(versions, pgText(f.Version))
			messages = append(messages, pgText(f.Message))
			paths = append(paths, pgText(f.Path))
		}
	}
	if _, err := tx.Exec(ctx, deleteFindingsSQL, exchanges); err != nil {
		return fmt.Errorf("delete findings of %d exchanges: %w", len(exchanges), err)
	}
	if len(ids) == 0 {
		return nil
	}
	if _, err := tx.Exec(ctx, insertFindingsSQL, ids, ns, seqs, rules, severities, versions, messages, paths); err != nil {
		return fmt.Errorf("insert findings of %d exchanges: %w", len(exchanges), err)
	}
	return nil
}

// ExchangeRecording reads one exchange with all its events.
func (s *Store) ExchangeRecording(ctx context.Context, exchangeID string, maxRaw int) (*recorder.Recording, error) {
	var rec *recorder.Recording
	err := s.readTx(ctx, func(tx pgx.Tx) error {
		var err error
		rec, err = scanRecordedExchanges(tx.Query(ctx, `SELECT '', '', '',`+recordedExchangeColumns+`
			FROM exchanges x WHERE x.id = $1`, pgText(exchangeID)))
		if err != nil {
			return fmt.Errorf("read exchange %s: %w", exchangeID, err)
		}
		if len(rec.Exchanges) == 0 {
			return fmt.Errorf("exchange %s: %w", exchangeID, recorder.ErrNotFound)
		}
		x := &rec.Exchanges[0]
		rec.Task = recorder.RecordedTask{TaskID: x.TaskID, ContextID: x.ContextID, Agent: x.Agent}
		rec.Events, err = scanEvents(tx.Query(ctx, `SELECT e.exchange_id, x.agent, e.seq, e.offset_ns, e.at,
				CASE WHEN $2 > 0 AND octet_length(e.raw) > $2 THEN NULL ELSE e.raw END, e.kind,
				e.task_id, e.context_id, e.state, e.final, e.artifact_id,
				CASE WHEN $2 > 0 AND octet_length(e.raw) > $2 THEN 'oversized' ELSE e.flag END
			FROM events e JOIN exchanges x ON x.id = e.exchange_id
			WHERE e.exchange_id = $1 ORDER BY e.seq`, pgText(exchangeID), int64(maxRaw)))
		if err != nil {
			return fmt.Errorf("read events of exchange %s: %w", exchangeID, err)
		}
		return nil
	})
	return rec, err
}

// TaskFindings returns the findings of the task's exchanges.
func (s *Store) TaskFindings(ctx context.Context, taskID string) ([]recorder.Finding, error) {
	var out []recorder.Finding
	err := s.readTx(ctx, func(tx pgx.Tx) error {
		var one int
		err := tx.QueryRow(ctx, `SELECT 1 FROM tasks WHERE task_id = $1`, pgText(taskID)).Scan(&one)
		if errors.Is(err, pgx.ErrNoRows) {
			return fmt.Errorf("task %s: %w", taskID, recorder.ErrNotFound)
		}
		if err != nil {
			return fmt.Errorf("read findings of task %s: %w", taskID, err)
		}
		rows, err := tx.Query(ctx, `SELECT f.exchange_id, f.seq, f.rule, f.severity, f.version, f.message, f.path
			FROM exchange_tasks l
			JOIN exchanges x ON x.id = l.exchange_id
			JOIN findings f ON f.exchange_id = x.id
			WHERE l.task_id = $1
			ORDER BY x.started_at, x.id, f.n`, pgText(taskID))
		if err != nil {
			return fmt.Errorf("read findings of task %s: %w", taskID, err)
		}
		out, err = pgx.CollectRows(rows, func(r pgx.CollectableRow) (recorder.Finding, error) {
			var f recorder.Finding
			err := r.Scan(&f.ExchangeID, &f.Seq, &f.Rule, &f.Severity, &f.Version, &f.Message, &f.Path)
			return f, err
		})
		if err != nil {
			return fmt.Errorf("read findings of task %s: %w", taskID, err)
		}
		if out == nil {
			out = []recorder.Finding{}
		}
		return nil
	})
	return out, err
}
