package web

import (
	"sync"

	"github.com/a2aproxy/a2a-proxy/recorder"
)

// subscriberBuffer is how many committed batches a subscriber may fall
// behind before it is dropped. The recorder commits a batch at most every
// flush interval (50ms by default), so this is seconds of slack.
const subscriberBuffer = 256

// Feed fans the events the recorder commits out to the live streams of
// GET /api/live. Publish never waits for a subscriber: one whose buffer is
// full is dropped, its stream ends and the browser reconnects and catches
// up, so a slow browser never holds up the recorder's writer.
type Feed struct {
	mu   sync.Mutex
	subs map[*subscription]struct{}
}

// subscription receives committed batches until the feed drops it, which
// closes batches.
type subscription struct {
	batches chan []recorder.Event
}

// NewFeed returns a feed without subscribers.
func NewFeed() *Feed {
	return &Feed{subs: make(map[*subscription]struct{})}
}

// Publish hands a committed batch to every subscriber. It is meant to be
// the recorder's Options.OnCommit: it never blocks, and subscribers only
// read the events.
func (f *Feed) Publish(events []recorder.Event) {
	f.mu.Lock()
	defer f.mu.Unlock()
	for sub := range f.subs {
		select {
		case sub.batches <- events:
		default: // too slow: drop it rather than wait
			f.drop(sub)
		}
	}
}

// subscribe returns a new subscription; unsubscribe ends it.
func (f *Feed) subscribe() *subscription {
	sub := &subscription{batches: make(chan []recorder.Event, subscriberBuffer)}
	f.mu.Lock()
	f.subs[sub] = struct{}{}
	f.mu.Unlock()
	return sub
}

func (f *Feed) unsubscribe(sub *subscription) {
	f.mu.Lock()
	defer f.mu.Unlock()
	if _, ok := f.subs[sub]; ok {
		f.drop(sub)
	}
}

// drop must be called with mu held.
func (f *Feed) drop(sub *subscription) {
	delete(f.subs, sub)
	close(sub.batches)
}

// subscribers returns how many subscriptions are open, for tests.
func (f *Feed) subscribers() int {
	f.mu.Lock()
	defer f.mu.Unlock()
	return len(f.subs)
}
