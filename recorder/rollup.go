package recorder

// taskRollup gathers what one batch changes in the tasks and exchange_tasks
// tables, so that each task row is written once per batch rather than once
// per event.
type taskRollup struct {
	tasks map[string]*taskChange
	order []*taskChange // first touched first, for deterministic writes
	links map[taskLink]struct{}
	// linkOrder keeps batch order: the first new link of a task names its
	// first exchange.
	linkOrder []taskLink
}

// taskChange is one batch's contribution to a task row.
type taskChange struct {
	taskID          string
	contextID       string
	agent           string
	firstSeen       int64
	lastSeen        int64
	state           string // latest non-empty
	events          int
	exchanges       int      // new links, known once the links are written
	firstExchangeID string   // first new link, if any
	statusEvents    []*Event // events carrying a task status, oldest first
}

type taskLink struct{ taskID, exchangeID string }

// taskKeys are the indexed columns of a task row.
type taskKeys struct {
	contextID string
	agent     string
	firstSeen int64
	state     string
}

// merge applies a batch's changes to the stored keys: the first context and
// agent known stick, first seen only moves back, the latest state wins.
func (k taskKeys) merge(c *taskChange) taskKeys {
	if k.contextID == "" {
		k.contextID = c.contextID
	}
	if k.agent == "" {
		k.agent = c.agent
	}
	k.firstSeen = min(k.firstSeen, c.firstSeen)
	if c.state != "" {
		k.state = c.state
	}
	return k
}

func newTaskRollup() taskRollup {
	return taskRollup{
		tasks: make(map[string]*taskChange),
		links: make(map[taskLink]struct{}),
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
	c := r.touch(ex.TaskID, ex.ID, unixNano(ex.StartedAt))
	c.fill(ex.ContextID, ex.Agent)
}

// addEvent counts ev for the task it names.
func (r *taskRollup) addEvent(ev *Event) {
	if ev.TaskID == "" {
		return
	}
	c := r.touch(ev.TaskID, ev.ExchangeID, unixNano(ev.At))
	c.fill(ev.ContextID, ev.Agent)
	c.events++
	if ev.State != "" {
		c.state = ev.State
	}
	if carriesStatus(ev.Kind) {
		c.statusEvents = append(c.statusEvents, ev)
	}
}

func (r *taskRollup) touch(taskID, exchangeID string, at int64) *taskChange {
	link := taskLink{taskID: taskID, exchangeID: exchangeID}
	if _, ok := r.links[link]; !ok {
		r.links[link] = struct{}{}
		r.linkOrder = append(r.linkOrder, link)
	}
	c, ok := r.tasks[taskID]
	if !ok {
		c = &taskChange{taskID: taskID, firstSeen: at, lastSeen: at}
		r.tasks[taskID] = c
		r.order = append(r.order, c)
		return c
	}
	c.firstSeen = min(c.firstSeen, at)
	c.lastSeen = max(c.lastSeen, at)
	return c
}

func (c *taskChange) fill(contextID, agent string) {
	if c.contextID == "" {
		c.contextID = contextID
	}
	if c.agent == "" {
		c.agent = agent
	}
}

// lastMessage is the text of the latest status message in the batch, or ""
// to keep the one stored. It looks from the newest event back, so that at
// most the events after the last one with text are parsed when their sender
// did not extract the text.
func (c *taskChange) lastMessage() string {
	for i := len(c.statusEvents) - 1; i >= 0; i-- {
		if text := statusText(c.statusEvents[i]); text != "" {
			return text
		}
	}
	return ""
}

// write writes the links, then the task rows with the links' counts. known
// is passed on to upsertTask.
func (r *taskRollup) write(st statements, known *storedTasks) error {
	for _, link := range r.linkOrder {
		added, err := st.linkTask(link)
		if err != nil {
			return err
		}
		if !added {
			continue
		}
		c := r.tasks[link.taskID]
		c.exchanges++
		if c.firstExchangeID == "" {
			c.firstExchangeID = link.exchangeID
		}
	}
	for _, c := range r.order {
		if err := st.upsertTask(c, known); err != nil {
			return err
		}
	}
	return nil
}
