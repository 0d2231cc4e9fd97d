package sqlite

import (
	"context"
	"fmt"

	"github.com/a2aproxy/a2a-proxy/recorder"
)

// Import writes recordings in one transaction on the write connection (see
// recorder.Recorder.Import): every exchange and event, or nothing; an
// exchange already stored fails it with recorder.ErrExists.
func (s *Store) Import(ctx context.Context, recs []*recorder.Recording) (recorder.ImportResult, error) {
	b, res, err := recorder.ImportBatch(recs)
	if err != nil {
		return recorder.ImportResult{}, err
	}
	tx, err := s.writeDB.BeginTx(ctx, nil)
	if err != nil {
		return recorder.ImportResult{}, fmt.Errorf("import: begin: %w", err)
	}
	defer tx.Rollback() //nolint:errcheck // a no-op after Commit
	// The import writes task rows behind the cache's back; after a rollback
	// it would be as stale.
	s.known.forget()

	for _, it := range b.Items {
		if it.Start == nil {
			continue
		}
		var exists bool
		err := tx.QueryRowContext(ctx, `SELECT EXISTS (SELECT 1 FROM exchanges WHERE id = ?)`, it.Start.ID).Scan(&exists)
		if err != nil {
			return recorder.ImportResult{}, fmt.Errorf("import: check exchange %s: %w", it.Start.ID, err)
		}
		if exists {
			return recorder.ImportResult{}, fmt.Errorf("import exchange %s: %w", it.Start.ID, recorder.ErrExists)
		}
	}
	if err := s.write(s.stmts.in(tx), b); err != nil {
		s.known.forget()
		return recorder.ImportResult{}, fmt.Errorf("import: %w", err)
	}
	if err := tx.Commit(); err != nil {
		s.known.forget()
		return recorder.ImportResult{}, fmt.Errorf("import: commit: %w", err)
	}
	return res, nil
}
