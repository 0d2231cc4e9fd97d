package replay

import (
	"context"
	"errors"
	"fmt"
	"math"
	"time"
)

// Event is one recorded event as a replay sends it.
type Event struct {
	Seq    int           // what ranges, faults and resumption count in
	Offset time.Duration // since the recording started
	Raw    []byte        // the bytes to send
}

// Step is an event and when it is due.
type Step struct {
	Event
	Due time.Duration // after the replay starts
}

// FaultKind names a deliberate fault.
type FaultKind int

const (
	// NoFault lets the replay end as the recording does.
	NoFault FaultKind = iota
	// Cut ends the stream abnormally: Play returns ErrCut, and the caller
	// drops the connection.
	Cut
	// Stall stops sending but keeps the stream open until the client gives
	// up (Play waits for ctx).
	Stall
)

// Fault breaks a replay on purpose, to test how clients cope with broken
// streams and resubscribe.
type Fault struct {
	Kind FaultKind
	// Before is the sequence number of the event the fault comes before:
	// with Before 3, events 0, 1 and 2 are sent. Past the last event, the
	// fault comes after all of them (a stream that never ends cleanly).
	Before int
}

// Options say which events a replay sends, how fast, and how it breaks.
type Options struct {
	// Speed divides the recorded offsets: 1 is the recorded pace, 10 ten
	// times faster. 0 sends every event at once.
	Speed float64
	// From is the first sequence number sent.
	From int
	// Until, if positive, is the first sequence number not sent.
	Until int
	// Fault, if its Kind is set, breaks the replay.
	Fault Fault
}

// ErrCut is what Play returns when a Cut fault ends the replay.
var ErrCut = errors.New("replay cut on purpose")

// Schedule is a replay worked out in advance: which events are sent, when,
// and where the fault comes.
type Schedule struct {
	Steps   []Step
	fault   FaultKind
	faultAt int // index in Steps the fault comes before
}

// NewSchedule plans the replay of events (in sequence order) with opts.
// Events are due at their offsets divided by the speed, counted from the
// recording's start or, when From skips events, from the last event skipped:
// a replay resumed in the middle waits for the next event as the original
// client did, not for the ones it already has.
func NewSchedule(events []Event, opts Options) (*Schedule, error) {
	if math.IsNaN(opts.Speed) || math.IsInf(opts.Speed, 0) || opts.Speed < 0 {
		return nil, fmt.Errorf("speed %v: want a number >= 0", opts.Speed)
	}
	s := &Schedule{fault: opts.Fault.Kind}
	var base time.Duration
	for _, ev := range events {
		if ev.Seq < opts.From {
			base = ev.Offset
			continue
		}
		if opts.Until > 0 && ev.Seq >= opts.Until {
			break
		}
		s.Steps = append(s.Steps, Step{Event: ev, Due: due(ev.Offset-base, opts.Speed)})
	}
	s.faultAt = len(s.Steps)
	if s.fault != NoFault {
		for i, step := range s.Steps {
			if step.Seq >= opts.Fault.Before {
				s.faultAt = i
				break
			}
		}
	}
	return s, nil
}

func due(offset time.Duration, speed float64) time.Duration {
	if speed == 0 || offset <= 0 {
		return 0
	}
	return time.Duration(float64(offset) / speed)
}

// Play calls send with each step when it is due, counted from the call, and
// then applies the fault. Every step is due against that one start, so the
// time spent sending one event shortens the wait for the next rather than
// delaying all that follow. send also gets the time the step was due.
//
// Play returns nil once every step is sent, ErrCut for a cut, the first
// error of send, or ctx's error when ctx ends first (a stall waits for it).
func (s *Schedule) Play(ctx context.Context, send func(step Step, due time.Time) error) error {
	start := time.Now()
	var timer *time.Timer
	defer func() {
		if timer != nil {
			timer.Stop()
		}
	}()
	for _, step := range s.Steps[:s.faultAt] {
		dueAt := start.Add(step.Due)
		if wait := time.Until(dueAt); wait > 0 {
			if timer == nil {
				timer = time.NewTimer(wait)
			} else {
				timer.Reset(wait)
			}
			select {
			case <-ctx.Done():
				return ctx.Err()
			case <-timer.C:
			}
		} else {
			select {
			case <-ctx.Done():
				return ctx.Err()
			default:
			}
		}
		if err := send(step, dueAt); err != nil {
			return err
		}
	}
	switch s.fault {
	case Cut:
		return ErrCut
	case Stall:
		<-ctx.Done()
		return ctx.Err()
	}
	return nil
}
