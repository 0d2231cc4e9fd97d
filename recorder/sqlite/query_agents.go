package sqlite

import (
	"context"
	"database/sql"
	"fmt"

	"github.com/a2aproxy/a2a-proxy/recorder"
)

// AgentCounts returns the counts of every agent that has recorded traffic,
// by agent name. It scans the exchanges, so it is meant for a page view, not
// a hot path.
func (s *Store) AgentCounts(ctx context.Context) (map[string]recorder.AgentCount, error) {
	tx, err := s.readDB.BeginTx(ctx, &sql.TxOptions{ReadOnly: true}) // one snapshot for both reads
	if err != nil {
		return nil, fmt.Errorf("count agents: %w", err)
	}
	defer tx.Rollback() //nolint:errcheck // read-only

	counts := map[string]recorder.AgentCount{}
	err = eachRow(ctx, tx, `SELECT agent, COUNT(*), COALESCE(SUM(event_count), 0), MAX(started_at)
		FROM exchanges GROUP BY agent`, func(rows *sql.Rows) error {
		var agent string
		var c recorder.AgentCount
		var lastSeen int64
		if err := rows.Scan(&agent, &c.Exchanges, &c.Events, &lastSeen); err != nil {
			return err
		}
		c.LastSeen = fromUnixNano(lastSeen)
		counts[agent] = c
		return nil
	})
	if err != nil {
		return nil, fmt.Errorf("count exchanges by agent: %w", err)
	}
	err = eachRow(ctx, tx, `SELECT agent, COUNT(*) FROM tasks GROUP BY agent`, func(rows *sql.Rows) error {
		var agent string
		var tasks int
		if err := rows.Scan(&agent, &tasks); err != nil {
			return err
		}
		c := counts[agent]
		c.Tasks = tasks
		counts[agent] = c
		return nil
	})
	if err != nil {
		return nil, fmt.Errorf("count tasks by agent: %w", err)
	}
	return counts, nil
}

func eachRow(ctx context.Context, tx *sql.Tx, query string, scan func(*sql.Rows) error) error {
	rows, err := tx.QueryContext(ctx, query)
	if err != nil {
		return err
	}
	defer rows.Close()
	for rows.Next() {
		if err := scan(rows); err != nil {
			return err
		}
	}
	return rows.Err()
}
