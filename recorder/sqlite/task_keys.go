package sqlite

import "github.com/a2aproxy/a2a-proxy/recorder"

// maxStoredTasks bounds storedTasks: enough for every task of a few thousand
// concurrent streams. Past it, a random task is forgotten; the next batch of
// that task reads its row back once.
const maxStoredTasks = 16384

// storedTasks remembers the indexed columns of the task rows the writer has
// written lately. Adding a batch to a task it knows needs no read-back of
// the row: with 1,000 tasks streaming at once, RETURNING took a third of the
// writer's time.
//
// Only the recorder's writer goroutine uses it: Commit and Import, which
// forgets what it knew, since it writes task rows too.
type storedTasks struct {
	keys map[string]taskKeys
}

func newStoredTasks() *storedTasks {
	return &storedTasks{keys: make(map[string]taskKeys)}
}

// taskKeys are the indexed columns of a task row.
type taskKeys struct {
	contextID string
	agent     string
	firstSeen int64
	state     string
}

// merge applies a batch's changes to the stored keys: the first context and
// agent known stick, first seen only moves back, the latest state wins.
func (k taskKeys) merge(c *recorder.TaskChange) taskKeys {
	if k.contextID == "" {
		k.contextID = c.ContextID
	}
	if k.agent == "" {
		k.agent = c.Agent
	}
	k.firstSeen = min(k.firstSeen, unixNano(c.FirstSeen))
	if c.State != "" {
		k.state = c.State
	}
	return k
}

func (t *storedTasks) get(taskID string) (taskKeys, bool) {
	keys, ok := t.keys[taskID]
	return keys, ok
}

func (t *storedTasks) put(taskID string, keys taskKeys) {
	if _, ok := t.keys[taskID]; !ok && len(t.keys) >= maxStoredTasks {
		for id := range t.keys { // map order is random: a random victim
			delete(t.keys, id)
			break
		}
	}
	t.keys[taskID] = keys
}

// forget drops everything, as after a transaction that rolled back.
func (t *storedTasks) forget() { clear(t.keys) }
