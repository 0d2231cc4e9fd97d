package recorder

import "sync/atomic"

// maxStoredTasks bounds storedTasks: enough for every task of a few thousand
// concurrent streams. Past it, a random task is forgotten; the next batch of
// that task reads its row back once.
const maxStoredTasks = 16384

// storedTasks remembers the indexed columns of the task rows the writer has
// written lately. Adding a batch to a task it knows needs no read-back of
// the row: with 1,000 tasks streaming at once, RETURNING took a third of the
// writer's time.
//
// Only the writer uses it, on its connection. Import writes task rows on the
// same connection; it bumps gen while it holds the connection, and the
// writer, once its own transaction has begun, forgets everything when gen
// has moved.
type storedTasks struct {
	keys    map[string]taskKeys
	gen     *atomic.Uint64
	seenGen uint64
}

func newStoredTasks(gen *atomic.Uint64) *storedTasks {
	return &storedTasks{keys: make(map[string]taskKeys), gen: gen, seenGen: gen.Load()}
}

// sync forgets every task if another writer changed task rows since the last
// call. Call it inside the transaction, before get.
func (t *storedTasks) sync() {
	if g := t.gen.Load(); g != t.seenGen {
		t.forget()
		t.seenGen = g
	}
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
