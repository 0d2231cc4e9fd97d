package proxy

import (
	"context"
	"errors"
	"fmt"
	"time"
)

// upstreamTimeout is the cancel cause of an exchange whose agent kept it
// waiting: no response headers in time, or a body that sent no byte for too
// long. The proxy makes one of each in New, so timing out allocates nothing.
type upstreamTimeout struct {
	waitingFor string
	after      time.Duration
}

func (e *upstreamTimeout) Error() string {
	return fmt.Sprintf("no %s from the agent within %v", e.waitingFor, e.after)
}

// timedOut returns the timeout that cancelled ctx, if one did.
func timedOut(ctx context.Context) (*upstreamTimeout, bool) {
	var to *upstreamTimeout
	if ctx == nil || !errors.As(context.Cause(ctx), &to) {
		return nil, false
	}
	return to, true
}

// idleWatch cuts a response body that sends nothing for a while. It runs only
// while the proxy waits in the body's Read, so a client slow to take the bytes
// is never blamed on the agent. One timer per exchange, made on the first
// Read and re-armed by each: no goroutine waits on it.
type idleWatch struct {
	after time.Duration // zero: no watch
	cut   func()
	timer *time.Timer
}

// arm starts the wait for the next bytes.
func (w *idleWatch) arm() {
	switch {
	case w.after <= 0:
	case w.timer == nil:
		w.timer = time.AfterFunc(w.after, w.cut)
	default:
		w.timer.Reset(w.after)
	}
}

// disarm ends the wait: bytes came, the body ended or the exchange is over.
func (w *idleWatch) disarm() {
	if w.timer != nil {
		w.timer.Stop()
	}
}
