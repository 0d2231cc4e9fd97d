package replay

import "sync"

// Progress remembers how far the latest replayed stream of each task got, so
// that a resubscribe continues it where the client lost it. Concurrent
// replays of one task share the entry: the latest to send wins. The zero
// value is ready to use, and safe for concurrent use.
type Progress struct {
	mu    sync.Mutex
	tasks map[string]position
}

// position is a point in a recorded stream: next is the sequence number of
// the first event not sent yet.
type position struct {
	exchangeID string
	next       int
}

func (p *Progress) set(taskID string, pos position) {
	p.mu.Lock()
	defer p.mu.Unlock()
	if p.tasks == nil {
		p.tasks = make(map[string]position)
	}
	p.tasks[taskID] = pos
}

func (p *Progress) get(taskID string) (position, bool) {
	p.mu.Lock()
	defer p.mu.Unlock()
	pos, ok := p.tasks[taskID]
	return pos, ok
}
