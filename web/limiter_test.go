package web

import (
	"net/http/httptest"
	"net/netip"
	"testing"
	"time"
)

// clock is a settable time for tests.
type clock struct{ t time.Time }

func (c *clock) now() time.Time { return c.t }

// An address is locked after maxFailures in a window, until the window
// ends, and other addresses are not affected.
func TestFailureLimiterLocksPerAddress(t *testing.T) {
	c := &clock{t: time.Date(2026, 1, 1, 0, 0, 0, 0, time.UTC)}
	l := newFailureLimiter(c.now)
	a, b := netip.MustParseAddr("192.0.2.1"), netip.MustParseAddr("192.0.2.2")
	for i := range maxFailures {
		if _, locked := l.locked(a); locked {
			t.Fatalf("locked after %d failures, want %d allowed", i, maxFailures)
		}
		l.fail(a)
	}
	c.t = c.t.Add(20 * time.Second)
	if wait, locked := l.locked(a); !locked || wait != 40*time.Second {
		t.Errorf("after %d failures: locked %v for %v, want locked for the 40s left of the window", maxFailures, locked, wait)
	}
	if _, locked := l.locked(b); locked {
		t.Error("another address is locked too")
	}
	c.t = c.t.Add(40 * time.Second)
	if _, locked := l.locked(a); locked {
		t.Error("still locked once the window is over")
	}
	l.fail(a) // a new window, counted from one
	if _, locked := l.locked(a); locked {
		t.Error("one failure in a new window locks")
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
		l.fail(addr(0))
	}
	for i := 1; i < 3*maxFailAddrs; i++ {
		l.fail(addr(i))
	}
	if n := l.tracked(); n != maxFailAddrs {
		t.Errorf("tracking %d addresses, want at most %d", n, maxFailAddrs)
	}
	if _, locked := l.locked(addr(0)); locked {
		t.Error("the oldest address was not evicted")
	}
	newest := addr(3*maxFailAddrs - 1)
	for range maxFailures {
		l.fail(newest)
	}
	if _, locked := l.locked(newest); !locked {
		t.Error("the newest address was evicted")
	}
	c.t = c.t.Add(failureWindow)
	l.fail(addr(0))
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
