package sqlite

import (
	"context"
	"database/sql"
	"fmt"
	"log/slog"
	"strconv"
	"time"

	"github.com/a2aproxy/a2a-proxy/recorder"
)

// closeInterruptedSQL ends the exchanges a previous run left open, at the
// last event it committed (or at the start), with the events it has. Their
// tasks keep the state they had.
const closeInterruptedSQL = `UPDATE exchanges SET
		ended_at    = max(started_at, coalesce((SELECT max(e.at) FROM events e WHERE e.exchange_id = exchanges.id), 0)),
		outcome     = ?,
		error       = ?,
		event_count = (SELECT count(*) FROM events e WHERE e.exchange_id = exchanges.id)
	WHERE ended_at IS NULL`

// beginRun is the first write of a run, in one transaction before the writer
// starts: it records the open in recorder_meta, a real write that fails now
// if the database cannot be written, and closes the exchanges a crash left
// open as recorder.OutcomeInterrupted. Nothing else writes yet: no exchange open now
// belongs to this run.
func beginRun(ctx context.Context, db *sql.DB, path string, log *slog.Logger) error {
	tx, err := db.BeginTx(ctx, nil)
	if err != nil {
		return writeError(path, err)
	}
	defer tx.Rollback() //nolint:errcheck // a no-op after Commit
	_, err = tx.ExecContext(ctx, `INSERT INTO recorder_meta (key, value) VALUES ('last_open', ?)
		ON CONFLICT (key) DO UPDATE SET value = excluded.value`, strconv.FormatInt(time.Now().UnixNano(), 10))
	if err != nil {
		return writeError(path, err)
	}
	res, err := tx.ExecContext(ctx, closeInterruptedSQL, recorder.OutcomeInterrupted, recorder.InterruptedError)
	if err != nil {
		return fmt.Errorf("close interrupted exchanges: %w", err)
	}
	if err := tx.Commit(); err != nil {
		return writeError(path, err)
	}
	if n, err := res.RowsAffected(); err == nil && n > 0 {
		log.Warn("closed exchanges left open by the previous run", "count", n, "outcome", recorder.OutcomeInterrupted)
	}
	return nil
}
