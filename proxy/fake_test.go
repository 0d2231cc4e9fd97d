package proxy

import (
	"bytes"
	"sync"
	"testing"

	"github.com/a2aproxy/a2a-proxy/recorder"
)

// memRecorder is a Recorder that keeps everything in memory, for tests.
// RecordEventFn, if set, decides whether an event is taken.
type memRecorder struct {
	mu        sync.Mutex
	exchanges []*recorder.Exchange
	events    []*recorder.Event
	ends      []*recorder.ExchangeEnd
	finished  chan struct{} // receives once per FinishExchange

	RecordEventFn func(*recorder.Event) bool
}

func newMemRecorder() *memRecorder { return &memRecorder{finished: make(chan struct{}, 100)} }

func (m *memRecorder) StartExchange(ex *recorder.Exchange) {
	m.mu.Lock()
	defer m.mu.Unlock()
	m.exchanges = append(m.exchanges, ex)
}

func (m *memRecorder) RecordEvent(ev *recorder.Event) bool {
	if m.RecordEventFn != nil && !m.RecordEventFn(ev) {
		return false
	}
	m.mu.Lock()
	defer m.mu.Unlock()
	m.events = append(m.events, ev)
	return true
}

func (m *memRecorder) FinishExchange(end *recorder.ExchangeEnd) {
	m.mu.Lock()
	m.ends = append(m.ends, end)
	m.mu.Unlock()
	m.finished <- struct{}{}
}

// waitEnd waits for the next finished exchange and returns it with its events.
func (m *memRecorder) waitEnd(t *testing.T) (*recorder.ExchangeEnd, []*recorder.Event) {
	t.Helper()
	<-m.finished
	m.mu.Lock()
	defer m.mu.Unlock()
	end := m.ends[len(m.ends)-1]
	var evs []*recorder.Event
	for _, ev := range m.events {
		if ev.ExchangeID == end.ExchangeID {
			evs = append(evs, ev)
		}
	}
	return end, evs
}

func (m *memRecorder) exchange(id string) *recorder.Exchange {
	m.mu.Lock()
	defer m.mu.Unlock()
	for _, ex := range m.exchanges {
		if ex.ID == id {
			return ex
		}
	}
	return nil
}

func joinRaw(evs []*recorder.Event) []byte {
	var b bytes.Buffer
	for _, ev := range evs {
		b.Write(ev.Raw)
	}
	return b.Bytes()
}
