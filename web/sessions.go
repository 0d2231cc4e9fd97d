package web

import (
	"container/list"
	"crypto/rand"
	"crypto/sha256"
	"encoding/base64"
	"sync"
	"time"
)

// Limits on browser sessions.
const (
	sessionTTL  = 12 * time.Hour // from login, however active the session
	maxSessions = 10_000         // the oldest go first
)

// sessions are the logged-in browsers: random ids, kept in memory only (a
// restart logs everyone out), each valid for ttl from login, until logout
// deletes it. Only the ids' SHA-256 digests are kept, so the map's lookup
// time tells nothing about a live id, and a memory dump holds no cookie.
type sessions struct {
	now func() time.Time
	ttl time.Duration
	max int

	mu    sync.Mutex
	byID  map[[sha256.Size]byte]*list.Element // of *session
	order list.List                           // oldest first
}

type session struct {
	digest  [sha256.Size]byte
	expires time.Time
}

func newSessions(now func() time.Time) *sessions {
	return &sessions{now: now, ttl: sessionTTL, max: maxSessions, byID: make(map[[sha256.Size]byte]*list.Element)}
}

// start returns the id of a new session: 32 random bytes, base64url.
func (s *sessions) start() string {
	var raw [32]byte
	rand.Read(raw[:]) // never fails (crypto/rand)
	id := base64.RawURLEncoding.EncodeToString(raw[:])

	s.mu.Lock()
	defer s.mu.Unlock()
	now := s.now()
	s.expire(now)
	if len(s.byID) >= s.max {
		s.remove(s.order.Front())
	}
	digest := sha256.Sum256([]byte(id))
	s.byID[digest] = s.order.PushBack(&session{digest: digest, expires: now.Add(s.ttl)})
	return id
}

// valid reports whether id is a live session.
func (s *sessions) valid(id string) bool {
	digest := sha256.Sum256([]byte(id))
	s.mu.Lock()
	defer s.mu.Unlock()
	e, ok := s.byID[digest]
	return ok && s.now().Before(e.Value.(*session).expires)
}

// end deletes the session id, if it exists.
func (s *sessions) end(id string) {
	digest := sha256.Sum256([]byte(id))
	s.mu.Lock()
	defer s.mu.Unlock()
	if e, ok := s.byID[digest]; ok {
		s.remove(e)
	}
}

// expire drops the sessions that have expired: all have the same ttl, so
// they are at the front.
func (s *sessions) expire(now time.Time) {
	for e := s.order.Front(); e != nil && !now.Before(e.Value.(*session).expires); e = s.order.Front() {
		s.remove(e)
	}
}

func (s *sessions) remove(e *list.Element) {
	delete(s.byID, e.Value.(*session).digest)
	s.order.Remove(e)
}

// count is how many sessions are held, for tests.
func (s *sessions) count() int {
	s.mu.Lock()
	defer s.mu.Unlock()
	return len(s.byID)
}
