package main

import (
	"context"
	"errors"
	"strings"

	"github.com/a2aproxy/a2a-proxy/recorder"
	"github.com/a2aproxy/a2a-proxy/recorder/sqlite"
)

// errNoPostgres is what --db postgres://... gets until the PostgreSQL
// backend is built in.
var errNoPostgres = errors.New("--db: PostgreSQL support is not built yet; give a SQLite file path")

// openRecorder opens the store --db names and starts the recorder on it: a
// postgres:// or postgresql:// URL is PostgreSQL, anything else the path of
// a SQLite file. The only place that picks a backend.
func openRecorder(ctx context.Context, db string, opts recorder.Options) (*recorder.Recorder, error) {
	if isPostgresURL(db) {
		return nil, errNoPostgres
	}
	return sqlite.OpenRecorder(ctx, db, opts)
}

func isPostgresURL(db string) bool {
	return strings.HasPrefix(db, "postgres://") || strings.HasPrefix(db, "postgresql://")
}
