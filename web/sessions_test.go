package web

import (
	"encoding/base64"
	"testing"
	"time"
)

// A session is valid from start until end or sessionTTL, whichever comes
// first; its id is 32 random bytes.
func TestSessionsLifetime(t *testing.T) {
	c := &clock{t: time.Date(2026, 1, 1, 0, 0, 0, 0, time.UTC)}
	s := newSessions(c.now)
	a, b := s.start(), s.start()
	if raw, err := base64.RawURLEncoding.DecodeString(a); err != nil || len(raw) != 32 || a == b {
		t.Errorf("session ids %q, %q: want distinct base64url of 32 bytes", a, b)
	}
	if !s.valid(a) || !s.valid(b) || s.valid("forged") || s.valid("") {
		t.Error("a new session is refused, or a forged one accepted")
	}
	s.end(a)
	if s.valid(a) || !s.valid(b) {
		t.Error("end must revoke that session and only that one")
	}
	c.t = c.t.Add(sessionTTL - time.Second)
	if !s.valid(b) {
		t.Error("session expired early")
	}
	c.t = c.t.Add(time.Second)
	if s.valid(b) {
		t.Errorf("session valid after %v", sessionTTL)
	}
}

// However many logins, at most maxSessions are kept, the oldest dropped,
// and expired ones are forgotten.
func TestSessionsMemoryBound(t *testing.T) {
	c := &clock{t: time.Date(2026, 1, 1, 0, 0, 0, 0, time.UTC)}
	s := newSessions(c.now)
	oldest := s.start()
	var newest string
	for range maxSessions + 100 {
		newest = s.start()
	}
	if n := s.count(); n != maxSessions {
		t.Errorf("holding %d sessions, want at most %d", n, maxSessions)
	}
	if s.valid(oldest) || !s.valid(newest) {
		t.Error("want the oldest session evicted and the newest kept")
	}
	c.t = c.t.Add(sessionTTL)
	s.start()
	if n := s.count(); n != 1 {
		t.Errorf("holding %d sessions after they expired, want 1", n)
	}
}
