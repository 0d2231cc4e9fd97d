package proxy

import (
	"sync"

	"go.opentelemetry.io/otel/trace"
)

// defaultTaskLinkCapacity bounds how many tasks taskLinks remembers: about
// 100 bytes each, so the cache stays near a megabyte however long the proxy
// runs.
const defaultTaskLinkCapacity = 10_000

// taskLinks remembers, for each recent task, the span of the first exchange
// the proxy saw for it, so that later exchanges of the task (resubscribe,
// get, cancel, a follow-up message) can link to it. When full it forgets the
// oldest task first.
type taskLinks struct {
	mu    sync.Mutex
	first map[string]trace.SpanContext
	order []string // ring of the keys of first, oldest at next
	next  int
}

func newTaskLinks(capacity int) *taskLinks {
	return &taskLinks{first: make(map[string]trace.SpanContext, capacity), order: make([]string, capacity)}
}

// firstOrRemember returns the span of the task's first exchange. When the
// task is new, sc becomes that span and ok is false.
func (l *taskLinks) firstOrRemember(taskID string, sc trace.SpanContext) (first trace.SpanContext, ok bool) {
	l.mu.Lock()
	defer l.mu.Unlock()
	if first, ok := l.first[taskID]; ok {
		return first, true
	}
	if oldest := l.order[l.next]; oldest != "" {
		delete(l.first, oldest)
	}
	l.order[l.next] = taskID
	l.next = (l.next + 1) % len(l.order)
	l.first[taskID] = sc
	return sc, false
}
