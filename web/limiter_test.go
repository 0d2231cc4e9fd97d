package web

import (
	"net/http/httptest"
	"net/netip"
	"sync"
	"testing"
	"time"
)

// clock is a settable time for tests.
type clock struct{ t time.Time }

func (c *clock) now() time.Time { return c.t }

// An address may make maxFailures wrong attempts in a window, then is
// refused until the window ends; right attempts are refunded; other
// addresses are not affected.
func TestFailureLimiterLocksPerAddress(t *testing.T) {
	c := &clock{t: time.Date(2026, 1, 1, 0, 0, 0, 0, time.UTC)}
	l := newFailureLimiter(c.now)
	a, b := netip.MustParseAddr("192.0.2.1"), netip.MustParseAddr("192.0.2.2")
	for i := range maxFailures {
		if _, ok := l.take(a); !ok {
			t.Fatalf("refused after %d failures, want %d allowed", i, maxFailures)
		}
		if i == 0 {
			// A right token in between is not counted.
			l.take(a)
			l.refund(a)
		}
	}
	c.t = c.t.Add(20 * time.Second)
	if wait, ok := l.take(a); ok || wait != 40*time.Second {
		t.Errorf("after %d failures: allowed %v, wait %v; want refused for the 40s left of the window", maxFailures, ok, wait)
	}
	if _, ok := l.take(b); !ok {
		t.Error("another address is refused too")
	}
	c.t = c.t.Add(40 * time.Second)
	if _, ok := l.take(a); !ok {
		t.Error("still refused once the window is over")
	}
	l.refund(b)
	if n := l.tracked(); n != 1 {
		t.Errorf("tracking %d addresses, want 1: an address whose attempts were all right is forgotten", n)
	}
}

// However many guesses arrive at once, only maxFailures are let through to
// be checked: counting and checking the limit are one step.
func TestFailureLimiterConcurrentGuesses(t *testing.T) {
	l := newFailureLimiter(time.Now)
	a := netip.MustParseAddr("192.0.2.1")
	var mu sync.Mutex
	var wg sync.WaitGroup
	passed := 0
	for range 200 {
		wg.Go(func() {
			if _, ok := l.take(a); ok {
				mu.Lock()
				passed++
				mu.Unlock()
			}
		})
	}
	wg.Wait()
	if passed != maxFailures {
		t.Errorf("%d of 200 concurrent guesses were checked, want %d", passed, maxFailures)
	}
}

// However many addresses fail, the limiter holds at most maxAddrs of them,
// dropping the oldest, and forgets them when their window ends.
func TestFailureLimiterMemoryBound(t *testing.T) {
	c := &clock{t: time.Date(2026, 1, 1, 0, 0, 0, 0, time.UTC)}
	l := newFailureLimiter(c.now)
	addr := func(i int) netip.Addr {
		return netip.AddrFrom4([4]byte{10, byte(i >> 16), byte(i >> 8), byte(i)})
	}
	for range maxFailures {
		l.take(addr(0))
	}
	for i := 1; i < 3*maxFailAddrs; i++ {
		l.take(addr(i))
	}
	if n := l.tracked(); n != maxFailAddrs {
		t.Errorf("tracking %d addresses, want at most %d", n, maxFailAddrs)
	}
	if _, ok := l.take(addr(0)); !ok {
		t.Error("the oldest address was not evicted")
	}
	newest := addr(3*maxFailAddrs - 1)
	for range maxFailures - 1 {
		l.take(newest)
	}
	if _, ok := l.take(newest); ok {
		t.Error("the newest address was evicted")
	}
	c.t = c.t.Add(failureWindow)
	l.take(addr(0))
	if n := l.tracked(); n != 1 {
		t.Errorf("tracking %d addresses after their windows ended, want 1", n)
	}
}

// The address counted is the peer's IP, whatever X-Forwarded-For says; an
// IPv6 client is counted by its /64.
func TestClientAddr(t *testing.T) {
	for remote, want := range map[string]string{
		"192.0.2.7:5555":                  "192.0.2.7",
		"[::ffff:192.0.2.7]:5555":         "192.0.2.7",
		"[2001:db8:1:2:aaaa::1]:443":      "2001:db8:1:2::",
		"[2001:db8:1:2:bbbb::9%eth0]:443": "2001:db8:1:2::",
		"[2001:db8:1:3::1]:443":           "2001:db8:1:3::",
		"not an address":                  "invalid IP",
	} {
		r := httptest.NewRequest("GET", "/api/tasks", nil)
		r.RemoteAddr = remote
		r.Header.Set("X-Forwarded-For", "198.51.100.1")
		if got := clientAddr(r).String(); got != want {
			t.Errorf("clientAddr(%q) = %s, want %s", remote, got, want)
		}
	}
}
