package main

import (
	"context"
	"net/url"
	"strings"

	"github.com/a2aproxy/a2a-proxy/recorder"
	"github.com/a2aproxy/a2a-proxy/recorder/postgres"
	"github.com/a2aproxy/a2a-proxy/recorder/sqlite"
)

// openRecorder opens the store --db names and starts the recorder on it: a
// postgres:// or postgresql:// URL is PostgreSQL, anything else the path of
// a SQLite file. The only place that picks a backend.
func openRecorder(ctx context.Context, db string, opts recorder.Options) (*recorder.Recorder, error) {
	if isPostgresURL(db) {
		return postgres.OpenRecorder(ctx, db, opts)
	}
	return sqlite.OpenRecorder(ctx, db, opts)
}

func isPostgresURL(db string) bool {
	return strings.HasPrefix(db, "postgres://") || strings.HasPrefix(db, "postgresql://")
}

// displayDB is --db as logs may show it: a URL's password is masked.
func displayDB(db string) string {
	if !isPostgresURL(db) {
		return db
	}
	u, err := url.Parse(db)
	if err != nil {
		return "postgres://(unparsable URL)"
	}
	return u.Redacted()
}
