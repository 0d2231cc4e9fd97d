package web

import "time"

// SetClock makes the limiter and the sessions of s read the time from now,
// so that tests move time on instead of sleeping.
func SetClock(s *Server, now func() time.Time) {
	s.auth.limits.now = now
	s.auth.sessions.now = now
}
