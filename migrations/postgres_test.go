package migrations_test

import (
	"context"
	"path/filepath"
	"slices"
	"sync"
	"testing"
	"time"

	"github.com/jackc/pgx/v5"
	"github.com/jackc/pgx/v5/pgxpool"

	"github.com/a2aproxy/a2a-proxy/internal/pgtest"
	"github.com/a2aproxy/a2a-proxy/migrations"
)

func TestMain(m *testing.M) { pgtest.Main(m) }

func testContext(t *testing.T) context.Context {
	ctx, cancel := context.WithTimeout(context.Background(), 2*time.Minute)
	t.Cleanup(cancel)
	return ctx
}

func openPool(t *testing.T, ctx context.Context, dsn string, maxConns int32) *pgxpool.Pool {
	t.Helper()
	cfg, err := pgxpool.ParseConfig(dsn)
	if err != nil {
		t.Fatalf("parse dsn: %v", err)
	}
	if maxConns > 0 {
		cfg.MaxConns = maxConns
	}
	pool, err := pgxpool.NewWithConfig(ctx, cfg)
	if err != nil {
		t.Fatalf("open pool: %v", err)
	}
	t.Cleanup(pool.Close)
	return pool
}

// postgresFiles lists the migration files on disk: what the embed must hold.
func postgresFiles(t *testing.T) []string {
	t.Helper()
	paths, err := filepath.Glob("postgres/*.sql")
	if err != nil || len(paths) == 0 {
		t.Fatalf("list postgres/*.sql: %v (%d files)", err, len(paths))
	}
	names := make([]string, len(paths))
	for i, p := range paths {
		names[i] = filepath.Base(p)
	}
	return names
}

type appliedRow struct {
	Name      string
	AppliedAt time.Time
}

func appliedPostgres(t *testing.T, ctx context.Context, pool *pgxpool.Pool) []appliedRow {
	t.Helper()
	rows, err := pool.Query(ctx, `SELECT name, applied_at FROM schema_migrations ORDER BY name`)
	if err != nil {
		t.Fatalf("query schema_migrations: %v", err)
	}
	applied, err := pgx.CollectRows(rows, pgx.RowToStructByPos[appliedRow])
	if err != nil {
		t.Fatalf("read schema_migrations: %v", err)
	}
	return applied
}

func names(rows []appliedRow) []string {
	var out []string
	for _, r := range rows {
		out = append(out, r.Name)
	}
	return out
}

// TestApplyPostgresOnEmptyDatabase pins that every file under postgres/ is
// embedded and applied, in name order, on a fresh database.
func TestApplyPostgresOnEmptyDatabase(t *testing.T) {
	t.Parallel()
	ctx := testContext(t)
	pool := openPool(t, ctx, pgtest.Start(t), 0)
	if err := migrations.ApplyPostgres(ctx, pool); err != nil {
		t.Fatalf("apply: %v", err)
	}
	if got, want := names(appliedPostgres(t, ctx, pool)), postgresFiles(t); !slices.Equal(got, want) {
		t.Fatalf("applied = %v, want %v", got, want)
	}
}

// TestApplyPostgresTwiceIsNoop pins that a second start, through the same
// pool or another connection, applies nothing again and leaves the records.
func TestApplyPostgresTwiceIsNoop(t *testing.T) {
	t.Parallel()
	ctx := testContext(t)
	dsn := pgtest.Start(t)
	pool := openPool(t, ctx, dsn, 0)
	if err := migrations.ApplyPostgres(ctx, pool); err != nil {
		t.Fatalf("first apply: %v", err)
	}
	first := appliedPostgres(t, ctx, pool)

	if err := migrations.ApplyPostgres(ctx, pool); err != nil {
		t.Fatalf("second apply: %v", err)
	}
	conn, err := pgx.Connect(ctx, dsn)
	if err != nil {
		t.Fatalf("connect: %v", err)
	}
	defer conn.Close(ctx)
	if err := migrations.ApplyPostgres(ctx, conn); err != nil {
		t.Fatalf("apply through a single connection: %v", err)
	}
	if again := appliedPostgres(t, ctx, pool); !slices.Equal(again, first) {
		t.Fatalf("records after applying again = %v, want unchanged %v", again, first)
	}
}

// TestApplyPostgresConcurrently pins the advisory lock: replicas starting
// together on an empty database (each its own pool) all succeed, and each
// file is applied once. Without the lock all but one fail on CREATE TABLE.
func TestApplyPostgresConcurrently(t *testing.T) {
	t.Parallel()
	ctx := testContext(t)
	dsn := pgtest.Start(t)
	const replicas = 4
	pools := make([]*pgxpool.Pool, replicas)
	for i := range pools {
		pools[i] = openPool(t, ctx, dsn, 0)
		if err := pools[i].Ping(ctx); err != nil { // connected before the race starts
			t.Fatalf("ping: %v", err)
		}
	}
	start := make(chan struct{})
	errs := make([]error, replicas)
	var wg sync.WaitGroup
	for i, pool := range pools {
		wg.Go(func() {
			<-start
			errs[i] = migrations.ApplyPostgres(ctx, pool)
		})
	}
	close(start)
	wg.Wait()
	for i, err := range errs {
		if err != nil {
			t.Errorf("replica %d: %v", i, err)
		}
	}
	if got, want := names(appliedPostgres(t, ctx, pools[0])), postgresFiles(t); !slices.Equal(got, want) {
		t.Fatalf("applied = %v, want each of %v once", got, want)
	}
}

// TestApplyPostgresAcrossRestart pins what a replica sees when PostgreSQL
// goes away and comes back: while it is down ApplyPostgres fails (it does not
// hang), and once it is back the same pool reconnects and finds everything
// applied.
func TestApplyPostgresAcrossRestart(t *testing.T) {
	t.Parallel()
	ctx := testContext(t)
	srv := pgtest.New(t)
	pool := openPool(t, ctx, srv.CreateDatabase(t), 1) // one connection: the stale one is the one reused
	if err := migrations.ApplyPostgres(ctx, pool); err != nil {
		t.Fatalf("apply: %v", err)
	}
	first := appliedPostgres(t, ctx, pool)

	srv.Stop(t)
	if err := migrations.ApplyPostgres(ctx, pool); err == nil {
		t.Fatal("apply with the server stopped succeeded")
	}
	srv.Restart(t)
	if err := migrations.ApplyPostgres(ctx, pool); err != nil {
		t.Fatalf("apply after restart: %v", err)
	}
	if again := appliedPostgres(t, ctx, pool); !slices.Equal(again, first) {
		t.Fatalf("records after restart = %v, want %v", again, first)
	}
}

// postgresOnly lists what only PostgreSQL has, left out of the comparison:
// the replicas that share one database (0003_replicas.sql). A SQLite file
// has one writing process, so it needs neither.
var postgresOnly = struct {
	tables  []string
	columns map[string][]string // by table
}{
	tables:  []string{"replicas"},
	columns: map[string][]string{"exchanges": {"replica_id"}},
}

// TestPostgresSchemaMirrorsSQLite pins that both backends store the same
// thing: the same tables with the same columns in the same order, and the
// same secondary indexes, but for the PostgreSQL-only ones in postgresOnly.
// A migration for one backend needs its twin.
func TestPostgresSchemaMirrorsSQLite(t *testing.T) {
	t.Parallel()
	ctx := testContext(t)
	pool := openPool(t, ctx, pgtest.Start(t), 0)
	if err := migrations.ApplyPostgres(ctx, pool); err != nil {
		t.Fatalf("apply postgres: %v", err)
	}
	lite := openDB(t, filepath.Join(t.TempDir(), "test.db"))
	if err := migrations.Apply(ctx, lite); err != nil {
		t.Fatalf("apply sqlite: %v", err)
	}

	var tables []string
	rows, err := lite.QueryContext(ctx, `SELECT name FROM sqlite_schema
		WHERE type = 'table' AND name NOT LIKE 'sqlite_%' AND name != 'schema_migrations' ORDER BY name`)
	if err != nil {
		t.Fatalf("sqlite tables: %v", err)
	}
	for rows.Next() {
		var name string
		if err := rows.Scan(&name); err != nil {
			t.Fatalf("scan: %v", err)
		}
		tables = append(tables, name)
	}
	rows.Close()
	pgTables := pgStrings(t, ctx, pool, `SELECT table_name::text FROM information_schema.tables
		WHERE table_schema = 'public' AND table_name != 'schema_migrations' ORDER BY table_name`)
	for _, name := range postgresOnly.tables { // the list must not outlive what it excuses
		if !slices.Contains(pgTables, name) {
			t.Errorf("postgres-only table %s does not exist", name)
		}
	}
	pgTables = slices.DeleteFunc(pgTables, func(name string) bool { return slices.Contains(postgresOnly.tables, name) })
	if !slices.Equal(pgTables, tables) {
		t.Fatalf("postgres tables = %v, sqlite tables = %v", pgTables, tables)
	}

	for _, table := range tables {
		var liteCols []string
		// table_xinfo, not table_info: it lists generated columns too.
		rows, err := lite.QueryContext(ctx, `SELECT name FROM pragma_table_xinfo(?) ORDER BY cid`, table)
		if err != nil {
			t.Fatalf("sqlite columns of %s: %v", table, err)
		}
		for rows.Next() {
			var name string
			if err := rows.Scan(&name); err != nil {
				t.Fatalf("scan: %v", err)
			}
			liteCols = append(liteCols, name)
		}
		rows.Close()
		pgCols := pgStrings(t, ctx, pool, `SELECT column_name::text FROM information_schema.columns
			WHERE table_schema = 'public' AND table_name = $1 ORDER BY ordinal_position`, table)
		for _, name := range postgresOnly.columns[table] {
			if !slices.Contains(pgCols, name) {
				t.Errorf("postgres-only column %s.%s does not exist", table, name)
			}
		}
		pgCols = slices.DeleteFunc(pgCols, func(name string) bool { return slices.Contains(postgresOnly.columns[table], name) })
		if !slices.Equal(pgCols, liteCols) {
			t.Errorf("columns of %s: postgres %v, sqlite %v", table, pgCols, liteCols)
		}
	}

	var liteIndexes []string
	rows, err = lite.QueryContext(ctx, `SELECT name FROM sqlite_schema
		WHERE type = 'index' AND name NOT LIKE 'sqlite_autoindex_%' ORDER BY name`)
	if err != nil {
		t.Fatalf("sqlite indexes: %v", err)
	}
	for rows.Next() {
		var name string
		if err := rows.Scan(&name); err != nil {
			t.Fatalf("scan: %v", err)
		}
		liteIndexes = append(liteIndexes, name)
	}
	rows.Close()
	pgIndexes := pgStrings(t, ctx, pool, `SELECT indexname::text FROM pg_indexes
		WHERE schemaname = 'public' AND indexname NOT LIKE '%\_pkey' ORDER BY indexname`)
	if !slices.Equal(pgIndexes, liteIndexes) {
		t.Errorf("indexes: postgres %v, sqlite %v", pgIndexes, liteIndexes)
	}
}

func pgStrings(t *testing.T, ctx context.Context, pool *pgxpool.Pool, query string, args ...any) []string {
	t.Helper()
	rows, err := pool.Query(ctx, query, args...)
	if err != nil {
		t.Fatalf("query %q: %v", query, err)
	}
	out, err := pgx.CollectRows(rows, pgx.RowTo[string])
	if err != nil {
		t.Fatalf("query %q: %v", query, err)
	}
	return out
}
