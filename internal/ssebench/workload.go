package ssebench

import (
	"errors"
	"time"
)

// Workload is the traffic the load client sends to a target.
type Workload struct {
	Streams  int           // concurrent streams, one connection each
	Interval time.Duration // between two events of a stream; 0: as fast as they are read
	Size     int           // bytes of each SSE event block, about
	// PerExchange is how many events one exchange (one message/stream call)
	// carries; a stream runs exchanges back to back on its connection.
	PerExchange int
	// Events, if positive, is the total to send, spread over the streams.
	// If zero and Interval is set, every stream sends Duration/Interval
	// events, so that every target gets the same events; if zero and
	// Interval is not set, every stream keeps starting exchanges until
	// Duration is over.
	Events   int
	Duration time.Duration
}

func (w Workload) validate() error {
	switch {
	case w.Streams < 1:
		return errors.New("workload: need at least one stream")
	case w.PerExchange < 1:
		return errors.New("workload: need at least one event per exchange")
	case w.Interval < 0 || w.Size < 0 || w.Events < 0:
		return errors.New("workload: negative interval, size or events")
	case w.Events == 0 && w.Duration <= 0:
		return errors.New("workload: give Events or Duration")
	}
	return nil
}

// quota is how many events stream i sends, or -1 when Duration decides.
func (w Workload) quota(i int) int {
	switch {
	case w.Events == 0 && w.Interval > 0:
		return max(int(w.Duration/w.Interval), 1)
	case w.Events == 0:
		return -1
	}
	n := w.Events / w.Streams
	if i < w.Events%w.Streams {
		n++
	}
	return n
}

// latencyCap guesses how many events one stream receives, so that its
// latency slice is allocated before the clock starts.
func (w Workload) latencyCap(i int) int {
	switch {
	case w.Events > 0 || w.Interval > 0:
		return w.quota(i)
	default:
		return 1 << 14
	}
}

// firstExchange is how many events stream i's first exchange carries:
// fewer for later streams, so that exchanges end, and the next ones start,
// spread over one exchange's length. Otherwise every stream would open its
// next call within the same interval, a burst no set of independent
// clients makes.
func (w Workload) firstExchange(i int) int {
	return max(w.PerExchange-i*w.PerExchange/w.Streams, 1)
}

// stagger is when stream i starts: spread over one interval, so that the
// streams' events interleave rather than arrive in bursts of Streams.
func (w Workload) stagger(i int) time.Duration {
	return w.Interval * time.Duration(i) / time.Duration(w.Streams)
}
