package web

import (
	"testing"
	"time"

	"github.com/a2aproxy/a2a-proxy/internal/a2awire"
	"github.com/a2aproxy/a2a-proxy/recorder"
)

// A subscriber that stops reading is dropped, and Publish never waits for
// it: the recorder's writer calls Publish.
func TestFeedDropsSlowSubscribers(t *testing.T) {
	feed := NewFeed()
	slow := feed.subscribe()
	fast := feed.subscribe()

	batch := []recorder.Event{{Fields: a2awire.Fields{TaskID: "t"}}}
	start := time.Now()
	for range subscriberBuffer + 10 {
		feed.Publish(batch)
		<-fast.batches // keeps up
	}
	if elapsed := time.Since(start); elapsed > time.Second {
		t.Errorf("Publish took %v with a subscriber that does not read", elapsed)
	}
	if n := feed.subscribers(); n != 1 {
		t.Errorf("%d subscribers left, want only the one that reads", n)
	}
	received := 0
	for range slow.batches { // ends: the feed closed it
		received++
	}
	if received != subscriberBuffer {
		t.Errorf("the slow subscriber got %d batches before it was dropped, want %d", received, subscriberBuffer)
	}

	feed.unsubscribe(fast)
	feed.unsubscribe(fast) // twice is harmless
	if _, open := <-fast.batches; open || feed.subscribers() != 0 {
		t.Error("unsubscribe left the subscription open")
	}
}
