package postgres

import (
	"context"
	"encoding/json"
	"fmt"

	"github.com/jackc/pgx/v5"

	"github.com/a2aproxy/a2a-proxy/recorder"
)

var (
	exchangeCopyColumns = []string{
		"id", "agent", "method", "protocol_version", "binding", "http_method", "path",
		"request_headers", "request_body", "request_body_truncated", "rpc_id",
		"task_id", "context_id", "message_id", "started_at", "trace_id", "span_id", "replica_id",
	}
	eventCopyColumns = []string{
		"exchange_id", "seq", "offset_ns", "at", "raw", "kind", "task_id", "context_id",
		"state", "final", "artifact_id", "flag",
	}
)

// finishExchangesSQL records the ends of a batch's exchanges, from arrays.
const finishExchangesSQL = `UPDATE exchanges x SET
		status = e.status, content_type = e.content_type, streaming = e.streaming,
		ended_at = e.ended_at, outcome = e.outcome, error = e.error,
		event_count = e.event_count, dropped_events = e.dropped_events
	FROM unnest($1::text[], $2::int4[], $3::text[], $4::bool[], $5::int8[], $6::text[], $7::text[], $8::int8[], $9::int8[])
		AS e(id, status, content_type, streaming, ended_at, outcome, error, event_count, dropped_events)
	WHERE x.id = e.id
	RETURNING x.id`

// rollupSQL writes a batch's links, then its task rows with the counts of
// the links that are new, in one statement. The merge rules are SQLite's
// (recorder/rollup.go): the first context and agent known stick, first
// seen only moves back, the latest state and status message win, counts add
// up, the first new link names the first exchange and its trace. Rows are
// written in key order, so replicas writing the same tasks never deadlock.
const rollupSQL = `WITH l AS (
		SELECT * FROM unnest($1::text[], $2::text[]) WITH ORDINALITY AS l(task_id, exchange_id, n)
	), added AS (
		INSERT INTO exchange_tasks (task_id, exchange_id)
		SELECT task_id, exchange_id FROM l ORDER BY task_id, exchange_id
		ON CONFLICT DO NOTHING
		RETURNING task_id, exchange_id
	), counts AS (
		SELECT l.task_id, count(*) AS exchanges, (array_agg(l.exchange_id ORDER BY l.n))[1] AS first_exchange_id
		FROM added JOIN l ON l.task_id = added.task_id AND l.exchange_id = added.exchange_id
		GROUP BY l.task_id
	), t AS (
		SELECT * FROM unnest($3::text[], $4::text[], $5::text[], $6::int8[], $7::int8[], $8::text[], $9::int8[], $10::text[])
			AS t(task_id, context_id, agent, first_seen, last_seen, state, event_count, last_message)
	)
	INSERT INTO tasks AS k (task_id, context_id, agent, first_seen, last_seen, state, event_count,
		exchange_count, last_message, first_exchange_id, trace_id)
	SELECT t.task_id, t.context_id, t.agent, t.first_seen, t.last_seen, t.state, t.event_count,
		coalesce(c.exchanges, 0), t.last_message, coalesce(c.first_exchange_id, ''),
		coalesce((SELECT x.trace_id FROM exchanges x WHERE x.id = c.first_exchange_id), '')
	FROM t LEFT JOIN counts c ON c.task_id = t.task_id
	ORDER BY t.task_id
	ON CONFLICT (task_id) DO UPDATE SET
		context_id        = CASE WHEN k.context_id = '' THEN excluded.context_id ELSE k.context_id END,
		agent             = CASE WHEN k.agent = '' THEN excluded.agent ELSE k.agent END,
		first_seen        = least(k.first_seen, excluded.first_seen),
		last_seen         = greatest(k.last_seen, excluded.last_seen),
		state             = CASE WHEN excluded.state = '' THEN k.state ELSE excluded.state END,
		event_count       = k.event_count + excluded.event_count,
		exchange_count    = k.exchange_count + excluded.exchange_count,
		last_message      = CASE WHEN excluded.last_message = '' THEN k.last_message ELSE excluded.last_message END,
		first_exchange_id = CASE WHEN k.first_exchange_id = '' THEN excluded.first_exchange_id ELSE k.first_exchange_id END,
		trace_id          = CASE WHEN k.first_exchange_id = '' THEN excluded.trace_id ELSE k.trace_id END`

// Commit writes a batch in one transaction: all of it or nothing.
func (s *Store) Commit(ctx context.Context, b *recorder.Batch) error {
	ctx, cancel := context.WithTimeout(ctx, s.opts.commitTimeout)
	defer cancel()
	tx, err := s.writes.Begin(ctx)
	if err != nil {
		return fmt.Errorf("begin: %w", err)
	}
	defer tx.Rollback(context.WithoutCancel(ctx)) //nolint:errcheck // a no-op after Commit
	if err := s.write(ctx, tx, b); err != nil {
		return err
	}
	if err := s.notify(ctx, tx, b); err != nil {
		return err
	}
	if err := tx.Commit(ctx); err != nil {
		return fmt.Errorf("commit: %w", err)
	}
	return nil
}

// write writes a batch's items and rollup in tx: the starts, then the
// events, then the ends (an end always follows its start in a batch, and
// events have no foreign key), then the links and task rows.
func (s *Store) write(ctx context.Context, tx pgx.Tx, b *recorder.Batch) error {
	var starts []*recorder.Exchange
	var events []*recorder.Event
	var ends []*recorder.ExchangeEnd
	var checks []*recorder.ExchangeChecks
	for _, it := range b.Items {
		switch {
		case it.Start != nil:
			starts = append(starts, it.Start)
		case it.Event != nil:
			events = append(events, it.Event)
		case it.End != nil:
			ends = append(ends, it.End)
		case it.Checks != nil:
			checks = append(checks, it.Checks)
		}
	}
	if err := s.insertExchanges(ctx, tx, starts); err != nil {
		return err
	}
	if err := insertEvents(ctx, tx, events); err != nil {
		return err
	}
	if err := s.finishExchanges(ctx, tx, ends); err != nil {
		return err
	}
	if err := replaceFindings(ctx, tx, checks); err != nil {
		return err
	}
	return writeRollup(ctx, tx, b)
}

func (s *Store) insertExchanges(ctx context.Context, tx pgx.Tx, starts []*recorder.Exchange) error {
	if len(starts) == 0 {
		return nil
	}
	rows := make([][]any, len(starts))
	for i, ex := range starts {
		headers := "{}"
		if len(ex.RequestHeaders) > 0 {
			b, err := json.Marshal(ex.RequestHeaders)
			if err != nil {
				return fmt.Errorf("encode headers of exchange %s: %w", ex.ID, err)
			}
			headers = string(b)
		}
		rows[i] = []any{
			pgText(ex.ID), pgText(ex.Agent), pgText(ex.Method), pgText(ex.ProtocolVersion), pgText(ex.Binding),
			pgText(ex.HTTPMethod), pgText(ex.Path), headers, ex.RequestBody, ex.RequestBodyTruncated, pgText(ex.RPCID),
			pgText(ex.TaskID), pgText(ex.ContextID), pgText(ex.MessageID), recorder.UnixNano(ex.StartedAt),
			pgText(ex.TraceID), pgText(ex.SpanID), s.opts.replicaID,
		}
	}
	if _, err := tx.CopyFrom(ctx, pgx.Identifier{"exchanges"}, exchangeCopyColumns, pgx.CopyFromRows(rows)); err != nil {
		return fmt.Errorf("insert %d exchanges from %s: %w", len(starts), starts[0].ID, err)
	}
	return nil
}

func insertEvents(ctx context.Context, tx pgx.Tx, events []*recorder.Event) error {
	if len(events) == 0 {
		return nil
	}
	src := pgx.CopyFromSlice(len(events), func(i int) ([]any, error) {
		ev := events[i]
		raw := ev.Raw
		if raw == nil {
			raw = []byte{} // an empty body is still an event, and the column is NOT NULL
		}
		return []any{
			pgText(ev.ExchangeID), int64(ev.Seq), int64(ev.Offset), recorder.UnixNano(ev.At), raw, pgText(ev.Kind),
			pgText(ev.TaskID), pgText(ev.ContextID), pgText(ev.State), ev.Final, pgText(ev.ArtifactID), pgText(ev.Flag),
		}, nil
	})
	if _, err := tx.CopyFrom(ctx, pgx.Identifier{"events"}, eventCopyColumns, src); err != nil {
		return fmt.Errorf("insert %d events from %s/%d: %w", len(events), events[0].ExchangeID, events[0].Seq, err)
	}
	return nil
}

// finishExchanges records the ends. An end without a start is a caller bug:
// it is logged, not allowed to fail the batch. Of two ends of one exchange
// the last wins, as when SQLite applies them in turn.
func (s *Store) finishExchanges(ctx context.Context, tx pgx.Tx, ends []*recorder.ExchangeEnd) error {
	if len(ends) == 0 {
		return nil
	}
	last := make(map[string]int, len(ends))
	for i, end := range ends {
		last[end.ExchangeID] = i
	}
	var (
		ids, types, outcomes, errs []string
		statuses                   []int32
		streaming                  []bool
		endedAt, counts, dropped   []int64
	)
	for i, end := range ends {
		if last[end.ExchangeID] != i {
			continue
		}
		ids = append(ids, pgText(end.ExchangeID))
		statuses = append(statuses, int32(end.Status))
		types = append(types, pgText(end.ContentType))
		streaming = append(streaming, end.Streaming)
		endedAt = append(endedAt, recorder.UnixNano(end.EndedAt))
		outcomes = append(outcomes, pgText(end.Outcome))
		errs = append(errs, pgText(end.Error))
		counts = append(counts, int64(end.EventCount))
		dropped = append(dropped, int64(end.DroppedEvents))
	}
	rows, err := tx.Query(ctx, finishExchangesSQL, ids, statuses, types, streaming, endedAt, outcomes, errs, counts, dropped)
	if err != nil {
		return fmt.Errorf("finish %d exchanges from %s: %w", len(ids), ids[0], err)
	}
	found, err := pgx.CollectRows(rows, pgx.RowTo[string])
	if err != nil {
		return fmt.Errorf("finish %d exchanges from %s: %w", len(ids), ids[0], err)
	}
	if len(found) < len(ids) {
		seen := make(map[string]bool, len(found))
		for _, id := range found {
			seen[id] = true
		}
		for _, id := range ids {
			if !seen[id] {
				s.log.Warn("end of an exchange never started", "exchange_id", id)
			}
		}
	}
	return nil
}

func writeRollup(ctx context.Context, tx pgx.Tx, b *recorder.Batch) error {
	if len(b.Tasks) == 0 && len(b.Links) == 0 {
		return nil
	}
	linkTasks := make([]string, len(b.Links))
	linkExchanges := make([]string, len(b.Links))
	for i, l := range b.Links {
		linkTasks[i], linkExchanges[i] = pgText(l.TaskID), pgText(l.ExchangeID)
	}
	n := len(b.Tasks)
	var (
		ids, contexts, agents, states, messages = make([]string, n), make([]string, n), make([]string, n), make([]string, n), make([]string, n)
		firstSeen, lastSeen, events             = make([]int64, n), make([]int64, n), make([]int64, n)
	)
	for i, c := range b.Tasks {
		ids[i], contexts[i], agents[i] = pgText(c.TaskID), pgText(c.ContextID), pgText(c.Agent)
		firstSeen[i], lastSeen[i] = recorder.UnixNano(c.FirstSeen), recorder.UnixNano(c.LastSeen)
		states[i], events[i], messages[i] = pgText(c.State), int64(c.Events), pgText(c.LastMessage)
	}
	_, err := tx.Exec(ctx, rollupSQL, linkTasks, linkExchanges, ids, contexts, agents, firstSeen, lastSeen, states, events, messages)
	if err != nil {
		return fmt.Errorf("write the rollup of %d tasks: %w", n, err)
	}
	return nil
}
