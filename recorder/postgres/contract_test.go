package postgres

import (
	"testing"

	"github.com/a2aproxy/a2a-proxy/internal/pgtest"
	"github.com/a2aproxy/a2a-proxy/recorder"
	"github.com/a2aproxy/a2a-proxy/recorder/recordertest"
)

// TestContract runs the backend contract suite on PostgreSQL, each store a
// new database; a reopen is the same replica starting again on it.
func TestContract(t *testing.T) {
	type opened struct{ dsn, replicaID string }
	var stores = map[recorder.Backend]opened{} // the suite's tests run one at a time
	open := func(t *testing.T, dsn string, opts ...Option) recorder.Backend {
		s, err := Open(testContext(t), dsn, opts...)
		if err != nil {
			t.Fatalf("open postgres: %v", err)
		}
		stores[s] = opened{dsn, s.ReplicaID()}
		return s
	}
	recordertest.Run(t,
		func(t *testing.T) recorder.Backend { return open(t, pgtest.Start(t)) },
		recordertest.WithReopen(func(t *testing.T, closed recorder.Backend) recorder.Backend {
			o := stores[closed]
			return open(t, o.dsn, WithReplicaID(o.replicaID))
		}))
}
