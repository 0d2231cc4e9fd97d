package checks

import (
	"context"
	"log/slog"
	"sync"
	"sync/atomic"
	"time"

	"github.com/a2aproxy/a2a-proxy/recorder"
)

// MaxEventBytes is the longest event the checker reads: an exchange with a
// longer one is skipped (and counted), so that checking never costs the
// memory of a huge event again after the recorder stored it. The checks
// walk no document over 1 MiB anyway.
const MaxEventBytes = 4 << 20

// tooLarge reports an event the store left unread for MaxEventBytes.
func tooLarge(events []recorder.Event) bool {
	for i := range events {
		if events[i].Raw == nil && events[i].Flag == recorder.FlagOversized {
			return true
		}
	}
	return false
}

// DefaultQueue is how many ended exchanges wait for the worker at most
// when Options.Queue is zero.
const DefaultQueue = 4096

// Store is what a Checker needs of the recorder: to read an exchange whole
// and to queue its findings.
type Store interface {
	ExchangeRecording(ctx context.Context, exchangeID string, maxRaw int) (*recorder.Recording, error)
	RecordChecks(c *recorder.ExchangeChecks)
}

var _ Store = (*recorder.Recorder)(nil)

// Options configure a Checker.
type Options struct {
	// Store reads the exchanges and stores the findings. Required.
	Store Store
	// Queue bounds the ended exchanges waiting to be checked. If zero,
	// DefaultQueue.
	Queue int
	// OnFindings, if set, is called by the worker with the findings of each
	// exchange it checked that has any (for metrics).
	OnFindings func([]recorder.Finding)
	// Logger receives read errors. If nil, nothing is logged.
	Logger *slog.Logger
}

// Checker checks exchanges as they end, on a worker goroutine of its own.
type Checker struct {
	store      Store
	onFindings func([]recorder.Finding)
	log        *slog.Logger
	queue      chan job
	stop       chan struct{} // closed by Close: drain and return
	done       chan struct{} // closed when the worker returned
	closeOnce  sync.Once
	closed     atomic.Bool
	skipped    atomic.Uint64
	checked    atomic.Uint64
	// lastSkipLog is when a full queue was last logged (unix ns): at most
	// once per skipLogEvery, with the total so far.
	lastSkipLog atomic.Int64
	// streamed holds the agents seen streaming with SSE, for their cards'
	// capabilities.streaming. Only the worker touches it.
	streamed map[string]bool
}

// New starts a Checker; Close stops it.
func New(opts Options) *Checker {
	if opts.Queue <= 0 {
		opts.Queue = DefaultQueue
	}
	if opts.Logger == nil {
		opts.Logger = slog.New(slog.DiscardHandler)
	}
	c := &Checker{
		store:      opts.Store,
		onFindings: opts.OnFindings,
		log:        opts.Logger,
		queue:      make(chan job, opts.Queue),
		stop:       make(chan struct{}),
		done:       make(chan struct{}),
		streamed:   map[string]bool{},
	}
	go c.run()
	return c
}

// Ended queues the exchanges that ended for checking, without waiting: one
// that finds the queue full, or comes after Close, is counted as skipped.
// Connect it to recorder.Options.OnExchangesEnded.
func (c *Checker) Ended(ends []recorder.ExchangeEnd) {
	for _, e := range ends {
		if c.closed.Load() {
			c.skipped.Add(1)
			continue
		}
		select {
		case c.queue <- job{exchangeID: e.ExchangeID}:
		default:
			c.skippedFull()
		}
	}
}

// skipLogEvery bounds how often a full queue is logged: a checker that
// falls behind under load must not flood the log from the writer goroutine.
const skipLogEvery = 5 * time.Second

// skippedFull counts an exchange the full queue refused and says so in the
// log, at most once per skipLogEvery.
func (c *Checker) skippedFull() {
	total := c.skipped.Add(1)
	now := time.Now().UnixNano()
	last := c.lastSkipLog.Load()
	if now-last < int64(skipLogEvery) || !c.lastSkipLog.CompareAndSwap(last, now) {
		return
	}
	c.log.Warn("conformance checker behind: exchanges left unchecked (a2a-proxy check checks them later)",
		"skipped_total", total, "queue", cap(c.queue))
}

// Skipped counts the exchanges not checked: the queue was full or the
// Checker closed, or the exchange could not be read.
func (c *Checker) Skipped() uint64 { return c.skipped.Load() }

// Checked counts the exchanges checked.
func (c *Checker) Checked() uint64 { return c.checked.Load() }

// Close checks what is queued, then stops the worker. Call it before the
// recorder's Close (after its Flush), so that the findings are written.
func (c *Checker) Close() {
	c.closeOnce.Do(func() {
		c.closed.Store(true)
		close(c.stop)
		<-c.done
	})
}

// job is one exchange to check, or a Flush marker.
type job struct {
	exchangeID string
	flushed    chan struct{} // closed when reached
}

// Flush returns once every exchange queued before it is checked and its
// findings handed to the store, or with ctx's error. It waits for room in
// the queue rather than skip.
func (c *Checker) Flush(ctx context.Context) error {
	done := make(chan struct{})
	select {
	case c.queue <- job{flushed: done}:
	case <-c.done:
		return nil
	case <-ctx.Done():
		return ctx.Err()
	}
	select {
	case <-done:
		return nil
	case <-c.done:
		return nil
	case <-ctx.Done():
		return ctx.Err()
	}
}

func (c *Checker) run() {
	defer close(c.done)
	for {
		select {
		case j := <-c.queue:
			c.do(j)
		case <-c.stop:
			for {
				select {
				case j := <-c.queue:
					c.do(j)
				default:
					return
				}
			}
		}
	}
}

func (c *Checker) do(j job) {
	if j.flushed != nil {
		close(j.flushed)
		return
	}
	c.check(j.exchangeID)
}

// check reads one exchange, checks it and queues its findings.
func (c *Checker) check(exchangeID string) {
	rec, err := c.store.ExchangeRecording(context.Background(), exchangeID, MaxEventBytes)
	if err != nil {
		c.skipped.Add(1)
		c.log.Warn("read exchange for its checks", "exchange_id", exchangeID, "err", err)
		return
	}
	if tooLarge(rec.Events) {
		c.skipped.Add(1)
		c.log.Debug("exchange too large to check", "exchange_id", exchangeID)
		return
	}
	x := &rec.Exchanges[0]
	if streamedWithSSE(x) {
		c.streamed[x.Agent] = true
	}
	found := Run(x, rec.Events, c.streamed[x.Agent])
	c.checked.Add(1)
	if len(found) == 0 {
		return // nothing to store: an exchange is checked here once
	}
	c.store.RecordChecks(&recorder.ExchangeChecks{ExchangeID: exchangeID, Findings: found})
	if c.onFindings != nil {
		c.onFindings(found)
	}
}
