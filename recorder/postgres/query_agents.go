package postgres

import (
	"context"
	"fmt"

	"github.com/jackc/pgx/v5"

	"github.com/a2aproxy/a2a-proxy/recorder"
)

// AgentCounts returns the counts of every agent that has recorded traffic,
// by agent name. It scans the exchanges, so it is meant for a page view.
func (s *Store) AgentCounts(ctx context.Context) (map[string]recorder.AgentCount, error) {
	counts := map[string]recorder.AgentCount{}
	err := s.readTx(ctx, func(tx pgx.Tx) error {
		rows, err := tx.Query(ctx, `SELECT agent, count(*), coalesce(sum(event_count), 0)::bigint, max(started_at)
			FROM exchanges GROUP BY agent`)
		if err != nil {
			return fmt.Errorf("count exchanges by agent: %w", err)
		}
		var agent string
		var c recorder.AgentCount
		var lastSeen int64
		_, err = pgx.ForEachRow(rows, []any{&agent, &c.Exchanges, &c.Events, &lastSeen}, func() error {
			c.LastSeen = recorder.FromUnixNano(lastSeen)
			counts[agent] = c
			return nil
		})
		if err != nil {
			return fmt.Errorf("count exchanges by agent: %w", err)
		}
		rows, err = tx.Query(ctx, `SELECT agent, count(*) FROM tasks GROUP BY agent`)
		if err != nil {
			return fmt.Errorf("count tasks by agent: %w", err)
		}
		var tasks int
		_, err = pgx.ForEachRow(rows, []any{&agent, &tasks}, func() error {
			c := counts[agent]
			c.Tasks = tasks
			counts[agent] = c
			return nil
		})
		if err != nil {
			return fmt.Errorf("count tasks by agent: %w", err)
		}
		return nil
	})
	if err != nil {
		return nil, err
	}
	return counts, nil
}
