package postgres

import (
	"context"
	"fmt"
	"strconv"
	"time"

	"github.com/jackc/pgx/v5"
	"github.com/jackc/pgx/v5/pgconn"

	"github.com/a2aproxy/a2a-proxy/recorder"
)

// interruptedError is stored on the exchanges that a dead replica left open.
const interruptedError = "the recorder stopped before the exchange ended (crash or kill); events not yet committed are lost"

// closeInterruptedSQL ends, as SQLite's Open does, the exchanges left open
// by replicas that are gone: this one's id from a previous run, one whose
// heartbeat is older than $4 microseconds, one without a row (removed, or recorded
// before replicas existed). They end at their last committed event (or
// their start) with the events they have; their tasks keep their state.
// The partial index exchanges_open keeps this off the closed exchanges.
const closeInterruptedSQL = `UPDATE exchanges x SET
		ended_at    = greatest(x.started_at, coalesce((SELECT max(e.at) FROM events e WHERE e.exchange_id = x.id), 0)),
		outcome     = $1,
		error       = $2,
		event_count = (SELECT count(*) FROM events e WHERE e.exchange_id = x.id)
	WHERE x.ended_at IS NULL AND (
		x.replica_id = $3
		OR NOT EXISTS (SELECT 1 FROM replicas r WHERE r.id = x.replica_id AND r.heartbeat_at >= now() - $4::bigint * interval '1 microsecond'))`

// beginRun is the replica's first write, in one transaction: it records the
// open in recorder_meta (a real write that fails now if the database cannot
// be written), registers the replica with a fresh heartbeat, and closes
// what dead replicas left open.
func (s *Store) beginRun(ctx context.Context) error {
	tx, err := s.writes.Begin(ctx)
	if err != nil {
		return s.writeError(err)
	}
	defer tx.Rollback(context.WithoutCancel(ctx)) //nolint:errcheck // a no-op after Commit
	_, err = tx.Exec(ctx, `INSERT INTO recorder_meta (key, value) VALUES ('last_open', $1)
		ON CONFLICT (key) DO UPDATE SET value = excluded.value`, strconv.FormatInt(time.Now().UnixNano(), 10))
	if err != nil {
		return s.writeError(err)
	}
	_, err = tx.Exec(ctx, `INSERT INTO replicas (id) VALUES ($1)
		ON CONFLICT (id) DO UPDATE SET started_at = now(), heartbeat_at = now()`, s.opts.replicaID)
	if err != nil {
		return s.writeError(err)
	}
	n, err := closeInterrupted(ctx, tx, s.opts.replicaID, s.opts.deadAfter)
	if err != nil {
		return fmt.Errorf("close interrupted exchanges: %w", err)
	}
	if err := tx.Commit(ctx); err != nil {
		return s.writeError(err)
	}
	if n > 0 {
		s.log.Warn("closed exchanges left open by replicas that stopped", "count", n, "outcome", recorder.OutcomeInterrupted)
	}
	return nil
}

// execer is a pgx.Tx or the pool.
type execer interface {
	Exec(ctx context.Context, sql string, args ...any) (pgconn.CommandTag, error)
}

func closeInterrupted(ctx context.Context, db execer, replicaID string, deadAfter time.Duration) (int64, error) {
	tag, err := db.Exec(ctx, closeInterruptedSQL, recorder.OutcomeInterrupted, interruptedError, replicaID, deadAfter.Microseconds())
	if err != nil {
		return 0, err
	}
	return tag.RowsAffected(), nil
}

// beat beats the replica's heartbeat until ctx ends. Once the replica has
// been connected for DeadAfter without a miss, it also closes what replicas
// that died since left open: a replica that was cut off from the server
// (itself, or all of them while the server was down) never judges the
// others by heartbeats that could not be written.
func (s *Store) beat(ctx context.Context) {
	defer close(s.beatDone)
	ticker := time.NewTicker(s.opts.heartbeat)
	defer ticker.Stop()
	connectedSince := time.Now() // beginRun beat
	failing := false
	for {
		select {
		case <-ctx.Done():
			return
		case <-ticker.C:
		}
		err := s.heartbeat(ctx)
		switch {
		case err != nil && ctx.Err() != nil:
			return
		case err != nil:
			if !failing {
				s.log.Warn("replica heartbeat failed", "replica_id", s.opts.replicaID, "err", err)
			}
			failing = true
			continue
		case failing:
			s.log.Info("replica heartbeat back", "replica_id", s.opts.replicaID)
			failing = false
			connectedSince = time.Now()
			continue
		}
		if time.Since(connectedSince) < s.opts.deadAfter {
			continue
		}
		n, err := s.sweep(ctx)
		if err != nil && ctx.Err() == nil {
			s.log.Warn("close exchanges of stopped replicas", "err", err)
		}
		if n > 0 {
			s.log.Warn("closed exchanges left open by replicas that stopped", "count", n, "outcome", recorder.OutcomeInterrupted)
		}
	}
}

func (s *Store) heartbeat(ctx context.Context) error {
	ctx, cancel := context.WithTimeout(ctx, s.opts.heartbeat)
	defer cancel()
	_, err := s.writes.Exec(ctx, `INSERT INTO replicas (id) VALUES ($1)
		ON CONFLICT (id) DO UPDATE SET heartbeat_at = now()`, s.opts.replicaID)
	return err
}

// sweep closes the open exchanges of dead replicas, and forgets their rows.
func (s *Store) sweep(ctx context.Context) (int64, error) {
	ctx, cancel := context.WithTimeout(ctx, s.opts.deadAfter)
	defer cancel()
	var n int64
	err := pgx.BeginFunc(ctx, s.writes, func(tx pgx.Tx) error {
		var err error
		if n, err = closeInterrupted(ctx, tx, "", s.opts.deadAfter); err != nil {
			return err
		}
		_, err = tx.Exec(ctx, `DELETE FROM replicas WHERE heartbeat_at < now() - $1::bigint * interval '1 microsecond'`, s.opts.deadAfter.Microseconds())
		return err
	})
	return n, err
}
