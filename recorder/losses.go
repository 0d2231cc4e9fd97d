package recorder

import (
	"log/slog"
	"maps"
	"slices"
	"sync"
	"sync/atomic"
	"time"
)

// LossReason says why the recorder could not store an item (an exchange
// start, an event or an exchange end).
type LossReason string

const (
	LossBufferFull   LossReason = "buffer_full"   // drop mode: the queue's byte budget (--record-buffer) was spent
	LossDiskFull     LossReason = "disk_full"     // the file system holding the database is full
	LossLocked       LossReason = "locked"        // another process held the database locked past the busy timeout
	LossUnwritable   LossReason = "unwritable"    // the database became read-only or could not be opened for writing
	LossUnreachable  LossReason = "unreachable"   // the store could not be reached until the recorder closed
	LossCommitFailed LossReason = "commit_failed" // any other failed write
	LossClosed       LossReason = "closed"        // sent after the recorder was closed
)

// lossReasons lists every reason, in the order they are reported.
var lossReasons = [...]LossReason{LossBufferFull, LossDiskFull, LossLocked, LossUnwritable, LossUnreachable, LossCommitFailed, LossClosed}

// LossReasons returns every reason, so that a metric can report each from
// the start, at zero.
func LossReasons() []LossReason { return slices.Clone(lossReasons[:]) }

func (r LossReason) index() int {
	for i, known := range lossReasons {
		if known == r {
			return i
		}
	}
	return len(lossReasons) - 2 // unknown: commit_failed
}

// Losses is what the recorder could not store, by reason.
type Losses struct {
	Total  map[LossReason]uint64 // since Open
	Recent map[LossReason]uint64 // within the last Window; empty when none
	Window time.Duration
	LastAt time.Time // of the latest loss; zero if none
}

// RecentTotal is the sum of Recent.
func (l Losses) RecentTotal() uint64 {
	var n uint64
	for _, c := range l.Recent {
		n += c
	}
	return n
}

// RecentReasons are the reasons in Recent, in a stable order.
func (l Losses) RecentReasons() []LossReason {
	return slices.Sorted(maps.Keys(l.Recent))
}

// Defaults of lossCounter.
const (
	lossLogEvery    = 5 * time.Second
	lossWindow      = 10 * time.Minute
	lossBucketCount = 10 // the window in buckets of a minute
)

// lossCounter counts lost items by reason, logs them at most once per
// lossLogEvery (the first loss at once, then a summary while they go on) and
// remembers the recent ones for the admin plane. Losses are rare, so a mutex
// is fine here; it is never taken on the path of an item that is kept.
type lossCounter struct {
	total [len(lossReasons)]atomic.Uint64

	mu       sync.Mutex
	log      *slog.Logger
	now      func() time.Time
	loggedAt time.Time
	pending  [len(lossReasons)]uint64
	lastErr  error       // of the pending losses
	timer    *time.Timer // logs the pending losses; nil when none wait
	buckets  [lossBucketCount]lossBucket
	lastAt   time.Time
	stopped  bool
}

type lossBucket struct {
	slot   int64 // which bucketSpan since the epoch this bucket counts
	counts [len(lossReasons)]uint64
}

const bucketSpan = lossWindow / lossBucketCount

func newLossCounter(log *slog.Logger) *lossCounter {
	return &lossCounter{log: log, now: time.Now}
}

// add counts n items lost for reason; err, if any, is what the database said.
func (c *lossCounter) add(reason LossReason, n int, err error) {
	if n <= 0 {
		return
	}
	i := reason.index()
	c.total[i].Add(uint64(n))

	c.mu.Lock()
	defer c.mu.Unlock()
	now := c.now()
	c.lastAt = now
	slot := now.UnixNano() / int64(bucketSpan)
	b := &c.buckets[slot%lossBucketCount]
	if b.slot != slot {
		*b = lossBucket{slot: slot}
	}
	b.counts[i] += uint64(n)

	c.pending[i] += uint64(n)
	if err != nil {
		c.lastErr = err
	}
	if c.stopped || c.timer != nil {
		return // the timer logs them, or close does
	}
	if wait := c.loggedAt.Add(lossLogEvery).Sub(now); wait > 0 {
		c.timer = time.AfterFunc(wait, c.logPending)
		return
	}
	c.logLocked()
}

// logPending is the timer's: it logs what was lost since the last line.
func (c *lossCounter) logPending() {
	c.mu.Lock()
	defer c.mu.Unlock()
	c.timer = nil
	if !c.stopped {
		c.logLocked()
	}
}

// logLocked logs the pending losses as one line; c.mu is held.
func (c *lossCounter) logLocked() {
	attrs := make([]any, 0, 2*len(lossReasons)+4)
	var n uint64
	for i, count := range c.pending {
		if count > 0 {
			attrs = append(attrs, string(lossReasons[i]), count)
			n += count
		}
	}
	if n == 0 {
		return
	}
	var total uint64
	for i := range c.total {
		total += c.total[i].Load()
	}
	attrs = append(attrs, "lost", n, "lost_since_open", total)
	if c.lastErr != nil {
		attrs = append(attrs, "err", c.lastErr)
	}
	c.log.Error("recorder lost items", attrs...)
	c.pending = [len(lossReasons)]uint64{}
	c.lastErr = nil
	c.loggedAt = c.now()
}

// close logs what is pending and stops the timer.
func (c *lossCounter) close() {
	c.mu.Lock()
	defer c.mu.Unlock()
	if c.timer != nil {
		c.timer.Stop()
		c.timer = nil
	}
	c.logLocked()
	c.stopped = true
}

// totals returns the counts since Open, without taking the mutex.
func (c *lossCounter) totals() map[LossReason]uint64 {
	m := map[LossReason]uint64{}
	for i, r := range lossReasons {
		if n := c.total[i].Load(); n > 0 {
			m[r] = n
		}
	}
	return m
}

// report returns the counts since Open and within the last window.
func (c *lossCounter) report() Losses {
	l := Losses{Total: c.totals(), Recent: map[LossReason]uint64{}, Window: lossWindow}
	c.mu.Lock()
	defer c.mu.Unlock()
	l.LastAt = c.lastAt
	oldest := c.now().UnixNano()/int64(bucketSpan) - lossBucketCount + 1
	for _, b := range c.buckets {
		if b.slot < oldest {
			continue
		}
		for i, n := range b.counts {
			if n > 0 {
				l.Recent[lossReasons[i]] += n
			}
		}
	}
	return l
}
