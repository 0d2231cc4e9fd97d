package postgres

import (
	"context"
	"encoding/json"
	"fmt"
	"time"

	"github.com/jackc/pgx/v5"

	"github.com/a2aproxy/a2a-proxy/recorder"
)

// eventsChannel is the NOTIFY channel on which each replica's writer names
// the events it committed, for the live feeds of the others.
const eventsChannel = "a2a_proxy_events"

// maxPayload keeps a notification under PostgreSQL's 8000-byte limit; a
// batch naming more exchanges sends several.
const maxPayload = 7000

// Reconnection backoff of Watch.
const (
	watchBackoffMin = 100 * time.Millisecond
	watchBackoffMax = 5 * time.Second
)

// notice is a notification's payload: the replica that committed, and per
// exchange the range of sequence numbers of the events it committed. The
// events themselves are read by primary key: a payload cannot hold them.
type notice struct {
	Replica string       `json:"r"`
	Ranges  []eventRange `json:"x"`
}

// eventRange is [exchange id, first seq, last seq], in the batch's order.
type eventRange [3]any

// notifySQL sends each payload on eventsChannel. Run in the commit's
// transaction, the notifications are delivered when, and only if, it commits.
const notifySQL = `SELECT pg_notify('` + eventsChannel + `', p) FROM unnest($1::text[]) AS p`

// notify names the batch's events to the other replicas, in tx.
func (s *Store) notify(ctx context.Context, tx pgx.Tx, b *recorder.Batch) error {
	payloads, err := noticePayloads(s.opts.replicaID, b)
	if err != nil || len(payloads) == 0 {
		return err
	}
	if _, err := tx.Exec(ctx, notifySQL, payloads); err != nil {
		return fmt.Errorf("notify %d payloads: %w", len(payloads), err)
	}
	return nil
}

// noticePayloads encodes the ranges of the batch's events, one exchange
// after another in the order they first appear.
func noticePayloads(replica string, b *recorder.Batch) ([]string, error) {
	type span struct{ lo, hi int }
	var order []string
	spans := make(map[string]*span)
	for _, it := range b.Items {
		ev := it.Event
		if ev == nil {
			continue
		}
		sp, ok := spans[ev.ExchangeID]
		if !ok {
			spans[ev.ExchangeID] = &span{ev.Seq, ev.Seq}
			order = append(order, ev.ExchangeID)
			continue
		}
		sp.lo, sp.hi = min(sp.lo, ev.Seq), max(sp.hi, ev.Seq)
	}
	var payloads []string
	n := notice{Replica: replica}
	size := len(replica) + 20
	flush := func() error {
		if len(n.Ranges) == 0 {
			return nil
		}
		p, err := json.Marshal(n)
		if err != nil {
			return fmt.Errorf("encode notification: %w", err)
		}
		payloads = append(payloads, string(p))
		n.Ranges, size = nil, len(replica)+20
		return nil
	}
	for _, id := range order {
		cost := len(id) + 48 // quotes, two numbers, brackets; ids are UUIDs, so no escapes to speak of
		if size+cost > maxPayload {
			if err := flush(); err != nil {
				return nil, err
			}
		}
		sp := spans[id]
		n.Ranges = append(n.Ranges, eventRange{pgText(id), sp.lo, sp.hi})
		size += cost
	}
	return payloads, flush()
}

// Watch implements recorder.Watcher: on a connection of its own it LISTENs
// for the notifications of the other replicas' commits and reads the events
// they name. It reconnects with backoff when the connection is lost (the
// server restarted); what was committed in between is not handed over.
func (s *Store) Watch(ctx context.Context, fn func([]recorder.Event)) error {
	backoff := watchBackoffMin
	for {
		err := s.listen(ctx, fn, func() { backoff = watchBackoffMin })
		if ctx.Err() != nil {
			return nil
		}
		s.log.Warn("watch other replicas: connection lost, reconnecting", "err", err, "in", backoff)
		select {
		case <-ctx.Done():
			return nil
		case <-time.After(backoff):
		}
		backoff = min(2*backoff, watchBackoffMax)
	}
}

// listen serves one connection until it fails or ctx ends; listening is
// called once LISTEN is in place.
func (s *Store) listen(ctx context.Context, fn func([]recorder.Event), listening func()) error {
	conn, err := pgx.ConnectConfig(ctx, s.pool.Config().ConnConfig.Copy())
	if err != nil {
		return fmt.Errorf("connect to postgres %s: %w", s.where, err)
	}
	defer func() {
		closeCtx, cancel := context.WithTimeout(context.Background(), time.Second)
		defer cancel()
		conn.Close(closeCtx) //nolint:errcheck // the connection is done with either way
	}()
	if _, err := conn.Exec(ctx, `LISTEN `+eventsChannel); err != nil {
		return fmt.Errorf("listen: %w", err)
	}
	listening()
	for {
		n, err := conn.WaitForNotification(ctx)
		if err != nil {
			return fmt.Errorf("wait for notification: %w", err)
		}
		var nt notice
		if err := json.Unmarshal([]byte(n.Payload), &nt); err != nil {
			s.log.Warn("watch other replicas: unreadable notification", "err", err)
			continue
		}
		if nt.Replica == s.opts.replicaID || len(nt.Ranges) == 0 {
			continue // this replica's writer hands over its own events
		}
		events, err := s.readRanges(ctx, nt.Ranges)
		if err != nil {
			if ctx.Err() != nil {
				return ctx.Err()
			}
			s.log.Warn("watch other replicas: read notified events", "replica_id", nt.Replica, "err", err)
			continue
		}
		if len(events) > 0 {
			fn(events)
		}
	}
}

// readRangesSQL reads the events of the ranges, with their exchange's agent,
// in the order the writer queued them (by arrival, then range, then seq).
const readRangesSQL = `SELECT e.exchange_id, e.seq, e.offset_ns, e.at, e.raw, e.kind, e.task_id,
		e.context_id, e.state, e.final, e.artifact_id, e.flag, x.agent
	FROM unnest($1::text[], $2::int8[], $3::int8[]) WITH ORDINALITY AS r(id, lo, hi, n)
	JOIN events e ON e.exchange_id = r.id AND e.seq BETWEEN r.lo AND r.hi
	JOIN exchanges x ON x.id = r.id
	ORDER BY e.at, r.n, e.seq`

func (s *Store) readRanges(ctx context.Context, ranges []eventRange) ([]recorder.Event, error) {
	ids := make([]string, 0, len(ranges))
	los := make([]int64, 0, len(ranges))
	his := make([]int64, 0, len(ranges))
	for _, r := range ranges {
		id, ok1 := r[0].(string)
		lo, ok2 := r[1].(float64)
		hi, ok3 := r[2].(float64)
		if !ok1 || !ok2 || !ok3 {
			return nil, fmt.Errorf("malformed range %v", r)
		}
		ids, los, his = append(ids, id), append(los, int64(lo)), append(his, int64(hi))
	}
	rows, err := s.pool.Query(ctx, readRangesSQL, ids, los, his)
	if err != nil {
		return nil, err
	}
	return pgx.CollectRows(rows, func(row pgx.CollectableRow) (recorder.Event, error) {
		var ev recorder.Event
		var offset, at int64
		err := row.Scan(&ev.ExchangeID, &ev.Seq, &offset, &at, &ev.Raw, &ev.Kind, &ev.TaskID,
			&ev.ContextID, &ev.State, &ev.Final, &ev.ArtifactID, &ev.Flag, &ev.Agent)
		ev.Offset, ev.At = time.Duration(offset), recorder.FromUnixNano(at)
		return ev, err
	})
}

var _ recorder.Watcher = (*Store)(nil)
