package web

import (
	"container/list"
	"net"
	"net/http"
	"net/netip"
	"sync"
	"time"
)

// Limits on guessing the admin token.
const (
	maxFailures    = 10          // wrong tokens an address may send per window
	failureWindow  = time.Minute // counted from the address's first failure
	maxFailAddrs   = 10_000      // addresses tracked at once; the oldest go first
	ipv6PrefixBits = 64          // one IPv6 client usually holds a whole /64
)

// failureLimiter counts wrong tokens per client address in fixed windows.
// Once an address has maxFailures in its window, it is locked until the
// window ends. Memory is bounded: entries expire with their window, and at
// most maxAddrs are kept, the oldest evicted first, so a guesser with many
// addresses cannot grow it.
type failureLimiter struct {
	now      func() time.Time
	max      int
	window   time.Duration
	maxAddrs int

	mu      sync.Mutex
	entries map[netip.Addr]*list.Element // of *failures
	order   list.List                    // oldest window first
}

type failures struct {
	addr  netip.Addr
	start time.Time // when the window began
	count int
}

func newFailureLimiter(now func() time.Time) *failureLimiter {
	return &failureLimiter{
		now:      now,
		max:      maxFailures,
		window:   failureWindow,
		maxAddrs: maxFailAddrs,
		entries:  make(map[netip.Addr]*list.Element),
	}
}

// take counts an attempt from addr before its token is checked, and
// reports false, with how long is left, if addr is over the limit. Counting
// first and refunding right tokens (refund) makes check and count one step:
// however many guesses arrive at once, at most max are checked per window.
func (l *failureLimiter) take(addr netip.Addr) (time.Duration, bool) {
	l.mu.Lock()
	defer l.mu.Unlock()
	now := l.now()
	l.expire(now)
	if e, ok := l.entries[addr]; ok {
		f := e.Value.(*failures)
		if f.count >= l.max {
			return f.start.Add(l.window).Sub(now), false
		}
		f.count++
		return 0, true
	}
	if len(l.entries) >= l.maxAddrs {
		l.remove(l.order.Front())
	}
	l.entries[addr] = l.order.PushBack(&failures{addr: addr, start: now, count: 1})
	return 0, true
}

// refund uncounts an attempt take counted whose token was right; an
// address left with no failures is forgotten.
func (l *failureLimiter) refund(addr netip.Addr) {
	l.mu.Lock()
	defer l.mu.Unlock()
	e, ok := l.entries[addr]
	if !ok {
		return // expired or evicted meanwhile
	}
	if f := e.Value.(*failures); f.count > 1 {
		f.count--
		return
	}
	l.remove(e)
}

// expire drops the entries whose window has ended. The list is in the
// order windows began, so they are at its front.
func (l *failureLimiter) expire(now time.Time) {
	for e := l.order.Front(); e != nil && !now.Before(e.Value.(*failures).start.Add(l.window)); e = l.order.Front() {
		l.remove(e)
	}
}

func (l *failureLimiter) remove(e *list.Element) {
	delete(l.entries, e.Value.(*failures).addr)
	l.order.Remove(e)
}

// tracked is how many addresses the limiter holds, for tests.
func (l *failureLimiter) tracked() int {
	l.mu.Lock()
	defer l.mu.Unlock()
	return len(l.entries)
}

// clientAddr is the address the limiter counts r against: the peer's IP
// (X-Forwarded-For is not trusted: any client can send it), with IPv6
// addresses reduced to their /64. An address that does not parse counts as
// the zero Addr, one bucket for all such.
func clientAddr(r *http.Request) netip.Addr {
	host, _, err := net.SplitHostPort(r.RemoteAddr)
	if err != nil {
		host = r.RemoteAddr
	}
	addr, err := netip.ParseAddr(host)
	if err != nil {
		return netip.Addr{}
	}
	addr = addr.Unmap().WithZone("")
	if addr.Is6() {
		prefix, _ := addr.Prefix(ipv6PrefixBits)
		addr = prefix.Addr()
	}
	return addr
}
