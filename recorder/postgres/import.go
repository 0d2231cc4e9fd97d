package postgres

import (
	"context"
	"errors"
	"fmt"

	"github.com/jackc/pgx/v5"
	"github.com/jackc/pgx/v5/pgconn"

	"github.com/a2aproxy/a2a-proxy/recorder"
)

// Import writes recordings in one transaction: every exchange and event, or
// nothing, with the task rows derived as for live traffic. An exchange the
// store already holds fails the whole import with recorder.ErrExists, also
// when another replica imports the same file at the same moment. Imported
// exchanges belong to this replica: one left open is closed as interrupted
// when the replica is gone, as SQLite closes it at the next Open.
func (s *Store) Import(ctx context.Context, recs []*recorder.Recording) (recorder.ImportResult, error) {
	b, res, err := recorder.ImportBatch(recs)
	if err != nil {
		return recorder.ImportResult{}, err
	}
	ctx, cancel := context.WithTimeout(ctx, s.opts.commitTimeout)
	defer cancel()
	tx, err := s.writes.Begin(ctx)
	if err != nil {
		return recorder.ImportResult{}, fmt.Errorf("import: begin: %w", err)
	}
	defer tx.Rollback(context.WithoutCancel(ctx)) //nolint:errcheck // a no-op after Commit

	if err := checkNew(ctx, tx, b); err != nil {
		return recorder.ImportResult{}, err
	}
	if err := s.write(ctx, tx, b); err != nil {
		return recorder.ImportResult{}, importError(err)
	}
	if err := tx.Commit(ctx); err != nil {
		return recorder.ImportResult{}, importError(fmt.Errorf("commit: %w", err))
	}
	return res, nil
}

// checkNew fails with ErrExists, naming the first exchange of the batch that
// the store already holds.
func checkNew(ctx context.Context, tx pgx.Tx, b *recorder.Batch) error {
	var ids []string
	for _, it := range b.Items {
		if it.Start != nil {
			ids = append(ids, pgText(it.Start.ID))
		}
	}
	if len(ids) == 0 {
		return nil
	}
	var first *string
	err := tx.QueryRow(ctx, `SELECT i.id FROM unnest($1::text[]) WITH ORDINALITY AS i(id, n)
		WHERE EXISTS (SELECT 1 FROM exchanges x WHERE x.id = i.id) ORDER BY i.n LIMIT 1`, ids).Scan(&first)
	switch {
	case errors.Is(err, pgx.ErrNoRows):
		return nil
	case err != nil:
		return fmt.Errorf("import: check exchanges: %w", err)
	}
	return fmt.Errorf("import exchange %s: %w", *first, recorder.ErrExists)
}

// importError reports a race lost to another import of the same exchanges
// as ErrExists.
func importError(err error) error {
	var pe *pgconn.PgError
	if errors.As(err, &pe) && pe.Code == "23505" && pe.ConstraintName == "exchanges_pkey" {
		return fmt.Errorf("import: %w: %w", recorder.ErrExists, err)
	}
	return fmt.Errorf("import: %w", err)
}
