package postgres

// TEMPORARY: a copy of the storage contract (recorder/backend.go on the
// boundary branch), until that branch merges. Then this file is deleted and
// Store implements recorder.Backend.

import (
	"cmp"
	"context"
	"fmt"
	"reflect"
	"slices"
	"time"

	"github.com/a2aproxy/a2a-proxy/recorder"
)

// Reader answers the API, the UI, replay, export and the CLI.
type Reader interface {
	ListTasks(ctx context.Context, f recorder.TaskFilter) (recorder.TaskPage, error)
	GetTask(ctx context.Context, taskID string) (*recorder.TaskDetail, error)
	GetContext(ctx context.Context, contextID string) (*recorder.ContextDetail, error)
	ExchangeEvents(ctx context.Context, exchangeID string) ([]recorder.EventDoc, error)
	AgentCounts(ctx context.Context) (map[string]recorder.AgentCount, error)
	Recording(ctx context.Context, taskID string) (*recorder.Recording, error)
	ContextRecordings(ctx context.Context, contextID string) ([]*recorder.Recording, error)
}

// Batch is what one transaction commits, in queue order.
type Batch struct {
	Items []Item       // exactly one of Start, Event, End set per item
	Tasks []TaskChange // per task touched, first touched first
	Links []TaskLink   // (task, exchange) pairs named by the batch, in batch order
}

// Item is one write of a batch.
type Item struct {
	Start *recorder.Exchange
	Event *recorder.Event
	End   *recorder.ExchangeEnd
}

// TaskChange is one batch's contribution to a task row.
type TaskChange struct {
	TaskID      string
	ContextID   string // first known in the batch
	Agent       string
	FirstSeen   time.Time
	LastSeen    time.Time
	State       string // latest non-empty
	Events      int
	LastMessage string // text of the latest status message, "" to keep the stored one
}

// TaskLink is an exchange named by a task's request or events.
type TaskLink struct{ TaskID, ExchangeID string }

// Backend is one storage engine.
type Backend interface {
	Reader
	Commit(ctx context.Context, b *Batch) error
	Import(ctx context.Context, recs []*recorder.Recording) (recorder.ImportResult, error)
	LossReason(err error) recorder.LossReason
	Retryable(err error) bool
	Close() error
}

// LossUnreachable is the boundary branch's new reason: the store could not
// be reached.
const LossUnreachable recorder.LossReason = "unreachable"

// importBatch turns recordings into one batch, each exchange and event once,
// in the order the proxy would have queued them (by time), with its rollup:
// recorder/import.go's importItems and rollup.go, which the domain computes
// once the boundary merges.
func importBatch(recs []*recorder.Recording) (*Batch, recorder.ImportResult, error) {
	type timed struct {
		at   time.Time
		rank int // at equal times: a start, then events, then an end
		it   Item
	}
	type eventKey struct {
		exchangeID string
		seq        int
	}
	var all []timed
	exchanges := make(map[string]*recorder.RecordedExchange)
	events := make(map[eventKey]*recorder.Event)
	res := recorder.ImportResult{Recordings: len(recs)}
	for _, rec := range recs {
		for i := range rec.Exchanges {
			x := &rec.Exchanges[i]
			if prev, ok := exchanges[x.ID]; ok {
				if !reflect.DeepEqual(prev, x) {
					return nil, recorder.ImportResult{}, fmt.Errorf("import: exchange %s differs between recordings", x.ID)
				}
				continue
			}
			exchanges[x.ID] = x
			res.Exchanges++
			all = append(all, timed{at: x.StartedAt, rank: 0, it: Item{Start: &x.Exchange}})
			if x.End != nil {
				all = append(all, timed{at: x.End.EndedAt, rank: 2, it: Item{End: x.End}})
			}
		}
		for i := range rec.Events {
			ev := &rec.Events[i]
			key := eventKey{ev.ExchangeID, ev.Seq}
			if prev, ok := events[key]; ok {
				if !reflect.DeepEqual(prev, ev) {
					return nil, recorder.ImportResult{}, fmt.Errorf("import: event %s/%d differs between recordings", ev.ExchangeID, ev.Seq)
				}
				continue
			}
			if _, ok := exchanges[ev.ExchangeID]; !ok {
				return nil, recorder.ImportResult{}, fmt.Errorf("import: event %s/%d of an exchange the recording does not list", ev.ExchangeID, ev.Seq)
			}
			events[key] = ev
			res.Events++
			all = append(all, timed{at: ev.At, rank: 1, it: Item{Event: ev}})
		}
	}
	slices.SortStableFunc(all, func(a, b timed) int {
		return cmp.Or(a.at.Compare(b.at), cmp.Compare(a.rank, b.rank))
	})
	items := make([]Item, len(all))
	for i, t := range all {
		items[i] = t.it
	}
	return rollup(items), res, nil
}

// rollup is recorder/rollup.go's taskRollup: the task changes and links of
// a batch's items.
func rollup(items []Item) *Batch {
	b := &Batch{Items: items}
	index := map[string]int{}
	linked := map[TaskLink]bool{}
	statusEvents := map[string][]*recorder.Event{}
	touch := func(taskID, exchangeID string, at time.Time) *TaskChange {
		if l := (TaskLink{taskID, exchangeID}); !linked[l] {
			linked[l] = true
			b.Links = append(b.Links, l)
		}
		i, ok := index[taskID]
		if !ok {
			index[taskID] = len(b.Tasks)
			b.Tasks = append(b.Tasks, TaskChange{TaskID: taskID, FirstSeen: at, LastSeen: at})
			return &b.Tasks[len(b.Tasks)-1]
		}
		c := &b.Tasks[i]
		if at.Before(c.FirstSeen) {
			c.FirstSeen = at
		}
		if at.After(c.LastSeen) {
			c.LastSeen = at
		}
		return c
	}
	fill := func(c *TaskChange, contextID, agent string) {
		if c.ContextID == "" {
			c.ContextID = contextID
		}
		if c.Agent == "" {
			c.Agent = agent
		}
	}
	for _, it := range items {
		switch {
		case it.Start != nil && it.Start.TaskID != "":
			c := touch(it.Start.TaskID, it.Start.ID, it.Start.StartedAt)
			fill(c, it.Start.ContextID, it.Start.Agent)
		case it.Event != nil && it.Event.TaskID != "":
			ev := it.Event
			c := touch(ev.TaskID, ev.ExchangeID, ev.At)
			fill(c, ev.ContextID, ev.Agent)
			c.Events++
			if ev.State != "" {
				c.State = ev.State
			}
			if carriesStatus(ev.Kind) {
				statusEvents[ev.TaskID] = append(statusEvents[ev.TaskID], ev)
			}
		}
	}
	for i := range b.Tasks {
		evs := statusEvents[b.Tasks[i].TaskID]
		for j := len(evs) - 1; j >= 0; j-- {
			if text := statusText(evs[j]); text != "" {
				b.Tasks[i].LastMessage = text
				break
			}
		}
	}
	return b
}

var _ Backend = (*Store)(nil)
