package recorder

import (
	"context"
	"time"
)

// Reader answers the API, the UI, replay, export and the CLI.
type Reader interface {
	ListTasks(ctx context.Context, f TaskFilter) (TaskPage, error)
	GetTask(ctx context.Context, taskID string) (*TaskDetail, error)
	GetContext(ctx context.Context, contextID string) (*ContextDetail, error)
	ExchangeEvents(ctx context.Context, exchangeID string) ([]EventDoc, error)
	AgentCounts(ctx context.Context) (map[string]AgentCount, error)
	Recording(ctx context.Context, taskID string) (*Recording, error)
	ContextRecordings(ctx context.Context, contextID string) ([]*Recording, error)
	// ExchangeRecording reads one exchange with all its events, whatever
	// task they name: Exchanges holds the exchange alone, Task names the
	// task its request named (or none). When maxRaw > 0, an event whose
	// recorded bytes are longer is returned without them (Raw nil, Flag
	// FlagOversized), so that a reader that only looks at small events
	// never loads a huge one.
	ExchangeRecording(ctx context.Context, exchangeID string, maxRaw int) (*Recording, error)
	// TaskFindings returns the stored findings of every exchange linked to
	// the task, exchange by exchange (oldest first), each in its stored
	// order. ErrNotFound for an unknown task.
	TaskFindings(ctx context.Context, taskID string) ([]Finding, error)
}

// Batch is what one transaction commits, in queue order.
type Batch struct {
	Items []Item       // exactly one of Start, Event, End, Checks set per item
	Tasks []TaskChange // per task touched, first touched first
	Links []TaskLink   // (task, exchange) pairs named by the batch, in batch order
}

// Item is one write of a Batch; exactly one field is set.
type Item struct {
	Start *Exchange
	Event *Event
	End   *ExchangeEnd
	// Checks replaces the findings stored for an exchange already started.
	Checks *ExchangeChecks
}

// TaskChange is one batch's contribution to a task row. The backend adds
// Events to the stored count and the number of Links of the task it did not
// hold yet to the exchange count; it keeps the first context and agent
// known, moves the first seen back and the last seen on, and stores State and
// LastMessage when they are not empty. A new row takes FirstExchangeID and
// that exchange's trace id.
type TaskChange struct {
	TaskID          string
	ContextID       string // the first one the batch names, or ""
	Agent           string
	FirstSeen       time.Time
	LastSeen        time.Time
	State           string // the latest non-empty state of the batch
	Events          int    // events of the task in the batch
	LastMessage     string // text of the batch's latest status message, or "" to keep the stored one
	FirstExchangeID string // the first exchange of the batch linked to the task
}

// TaskLink names an exchange that carried a task.
type TaskLink struct {
	TaskID     string
	ExchangeID string
}

// Backend is one storage engine. Commit and Import are only ever called from
// the Recorder's writer goroutine; the Reader methods from any goroutine.
type Backend interface {
	Reader
	Commit(ctx context.Context, b *Batch) error                          // all or nothing
	Import(ctx context.Context, recs []*Recording) (ImportResult, error) // one transaction
	LossReason(err error) LossReason                                     // classify a failed Commit
	Retryable(err error) bool                                            // the store is unreachable: try again later
	Close() error
}

// Watcher is a backend that several processes share (PostgreSQL): Watch
// calls fn, from its own goroutine, with the events that other processes
// commit, in their commit order, until ctx ends. It never hands over the
// events this process commits: the writer's Options.OnCommit has those.
// It rides out the loss of the store's connection, reconnecting with
// backoff; events committed while it is disconnected are not handed over.
type Watcher interface {
	Watch(ctx context.Context, fn func([]Event)) error
}
