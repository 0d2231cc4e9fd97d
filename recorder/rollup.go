package recorder

import "time"

// taskRollup gathers what one batch changes in the tasks, so that each task
// row is written once per batch rather than once per event. The domain
// computes it; backends only persist it (Batch.Tasks, Batch.Links).
type taskRollup struct {
	tasks map[string]*pendingTask
	order []*pendingTask // first touched first, for deterministic writes
	links map[TaskLink]struct{}
	// linkOrder keeps batch order: the first link of a task names its first
	// exchange.
	linkOrder []TaskLink
}

// pendingTask is a TaskChange being gathered.
type pendingTask struct {
	TaskChange
	statusEvents []*Event // events carrying a task status, oldest first
}

func newTaskRollup() taskRollup {
	return taskRollup{
		tasks: make(map[string]*pendingTask),
		links: make(map[TaskLink]struct{}),
	}
}

func (r *taskRollup) reset() {
	clear(r.tasks)
	clear(r.order)
	r.order = r.order[:0]
	clear(r.links)
	r.linkOrder = r.linkOrder[:0]
}

// addExchange counts a task named by the request of ex.
func (r *taskRollup) addExchange(ex *Exchange) {
	if ex.TaskID == "" {
		return
	}
	c := r.touch(ex.TaskID, ex.ID, ex.StartedAt)
	c.fill(ex.ContextID, ex.Agent)
}

// addEvent counts ev for the task it names.
func (r *taskRollup) addEvent(ev *Event) {
	if ev.TaskID == "" {
		return
	}
	c := r.touch(ev.TaskID, ev.ExchangeID, ev.At)
	c.fill(ev.ContextID, ev.Agent)
	c.Events++
	if ev.State != "" {
		c.State = ev.State
	}
	if carriesStatus(ev.Kind) {
		c.statusEvents = append(c.statusEvents, ev)
	}
}

func (r *taskRollup) touch(taskID, exchangeID string, at time.Time) *pendingTask {
	link := TaskLink{TaskID: taskID, ExchangeID: exchangeID}
	if _, ok := r.links[link]; !ok {
		r.links[link] = struct{}{}
		r.linkOrder = append(r.linkOrder, link)
	}
	c, ok := r.tasks[taskID]
	if !ok {
		c = &pendingTask{TaskChange: TaskChange{TaskID: taskID, FirstSeen: at, LastSeen: at, FirstExchangeID: exchangeID}}
		r.tasks[taskID] = c
		r.order = append(r.order, c)
		return c
	}
	if at.Before(c.FirstSeen) {
		c.FirstSeen = at
	}
	if at.After(c.LastSeen) {
		c.LastSeen = at
	}
	return c
}

func (c *pendingTask) fill(contextID, agent string) {
	if c.ContextID == "" {
		c.ContextID = contextID
	}
	if c.Agent == "" {
		c.Agent = agent
	}
}

// lastMessage is the text of the latest status message in the batch, or ""
// to keep the one stored. It looks from the newest event back, so that at
// most the events after the last one with text are parsed when their sender
// did not extract the text.
func (c *pendingTask) lastMessage() string {
	for i := len(c.statusEvents) - 1; i >= 0; i-- {
		if text := statusText(c.statusEvents[i]); text != "" {
			return text
		}
	}
	return ""
}

// fill sets b's Tasks and Links from what was added, reusing their arrays.
func (r *taskRollup) fill(b *Batch) {
	b.Tasks = b.Tasks[:0]
	for _, c := range r.order {
		change := c.TaskChange
		change.LastMessage = c.lastMessage()
		b.Tasks = append(b.Tasks, change)
	}
	b.Links = append(b.Links[:0], r.linkOrder...)
}
