package pgtest_test

import (
	"context"
	"fmt"
	"net/url"
	"os"
	"strconv"
	"strings"
	"testing"
	"time"

	"github.com/jackc/pgx/v5"
	"github.com/jackc/pgx/v5/pgxpool"

	"github.com/a2aproxy/a2a-proxy/internal/pgtest"
)

func TestMain(m *testing.M) { pgtest.Main(m) }

func testContext(t *testing.T) context.Context {
	ctx, cancel := context.WithTimeout(context.Background(), time.Minute)
	t.Cleanup(cancel)
	return ctx
}

func connect(t *testing.T, ctx context.Context, dsn string) *pgx.Conn {
	t.Helper()
	conn, err := pgx.Connect(ctx, dsn)
	if err != nil {
		t.Fatalf("connect %s: %v", dsn, err)
	}
	t.Cleanup(func() { conn.Close(context.Background()) })
	return conn
}

// TestStartGivesEachTestItsOwnDatabase pins that Start's databases share one
// loopback-only server but not their tables.
func TestStartGivesEachTestItsOwnDatabase(t *testing.T) {
	t.Parallel()
	ctx := testContext(t)
	dsnA, dsnB := pgtest.Start(t), pgtest.Start(t)
	a, b := mustParse(t, dsnA), mustParse(t, dsnB)
	if a.Scheme != "postgres" || a.Hostname() != "127.0.0.1" {
		t.Fatalf("dsn = %s, want postgres://...@127.0.0.1", dsnA)
	}
	if a.Host != b.Host || a.Path == b.Path {
		t.Fatalf("dsns %s and %s: want one server, two databases", dsnA, dsnB)
	}

	connA, connB := connect(t, ctx, dsnA), connect(t, ctx, dsnB)
	if _, err := connA.Exec(ctx, `CREATE TABLE only_in_a (x int)`); err != nil {
		t.Fatalf("create table: %v", err)
	}
	var found bool
	if err := connB.QueryRow(ctx, `SELECT to_regclass('only_in_a') IS NOT NULL`).Scan(&found); err != nil {
		t.Fatalf("look up table: %v", err)
	}
	if found {
		t.Fatal("a table created in one test's database shows in another's")
	}
	var listen string
	if err := connA.QueryRow(ctx, `SHOW listen_addresses`).Scan(&listen); err != nil {
		t.Fatalf("show listen_addresses: %v", err)
	}
	if listen != "127.0.0.1" {
		t.Fatalf("listen_addresses = %q, want 127.0.0.1 only", listen)
	}
}

func mustParse(t *testing.T, dsn string) *url.URL {
	t.Helper()
	u, err := url.Parse(dsn)
	if err != nil {
		t.Fatalf("parse dsn %q: %v", dsn, err)
	}
	return u
}

// TestServerStopRestartAndCrash pins what tests of a store that goes away
// rely on: while stopped the server refuses connections and PID is 0; after
// Restart the same DSN works again, a pool reconnects by itself, committed
// rows are still there (after a crash too), and PID names the new postmaster.
func TestServerStopRestartAndCrash(t *testing.T) {
	t.Parallel()
	ctx := testContext(t)
	srv := pgtest.New(t)
	dsn := srv.CreateDatabase(t)

	cfg, err := pgxpool.ParseConfig(dsn)
	if err != nil {
		t.Fatalf("parse dsn: %v", err)
	}
	cfg.MaxConns = 1 // the stale connection is the one the next query gets
	pool, err := pgxpool.NewWithConfig(ctx, cfg)
	if err != nil {
		t.Fatalf("open pool: %v", err)
	}
	t.Cleanup(pool.Close)
	if _, err := pool.Exec(ctx, `CREATE TABLE kept (n int)`); err != nil {
		t.Fatalf("create table: %v", err)
	}

	insertAndCheck := func(n int) {
		t.Helper()
		if _, err := pool.Exec(ctx, `INSERT INTO kept VALUES ($1)`, n); err != nil {
			t.Fatalf("insert %d: %v", n, err)
		}
	}
	assertPostmaster(t, ctx, pool, srv.PID())
	insertAndCheck(1)

	firstPID := srv.PID()
	srv.Stop(t)
	if pid := srv.PID(); pid != 0 {
		t.Fatalf("PID of a stopped server = %d, want 0", pid)
	}
	if _, err := pool.Exec(ctx, `SELECT 1`); err == nil {
		t.Fatal("a query to a stopped server succeeded")
	}
	if _, err := pgx.Connect(ctx, dsn); err == nil {
		t.Fatal("connected to a stopped server")
	}
	srv.Restart(t)
	if pid := srv.PID(); pid == 0 || pid == firstPID {
		t.Fatalf("PID after restart = %d, want a new postmaster (was %d)", pid, firstPID)
	}
	assertPostmaster(t, ctx, pool, srv.PID())
	insertAndCheck(2)

	srv.Crash(t)
	if _, err := pool.Exec(ctx, `SELECT 1`); err == nil {
		t.Fatal("a query to a crashed server succeeded")
	}
	srv.Restart(t)
	insertAndCheck(3)

	var got []int
	rows, err := pool.Query(ctx, `SELECT n FROM kept ORDER BY n`)
	if err != nil {
		t.Fatalf("read back: %v", err)
	}
	got, err = pgx.CollectRows(rows, pgx.RowTo[int])
	if err != nil {
		t.Fatalf("read back: %v", err)
	}
	if fmt.Sprint(got) != "[1 2 3]" {
		t.Fatalf("rows after a stop and a crash = %v, want [1 2 3]", got)
	}
}

// assertPostmaster checks that pid is the parent of the backend serving pool.
func assertPostmaster(t *testing.T, ctx context.Context, pool *pgxpool.Pool, pid int) {
	t.Helper()
	var backend int
	if err := pool.QueryRow(ctx, `SELECT pg_backend_pid()`).Scan(&backend); err != nil {
		t.Fatalf("backend pid: %v", err)
	}
	stat, err := os.ReadFile("/proc/" + strconv.Itoa(backend) + "/stat")
	if err != nil {
		t.Fatalf("read backend's stat: %v", err)
	}
	// pid (comm) state ppid ...; comm may hold spaces, so cut after ')'.
	fields := strings.Fields(string(stat[strings.LastIndexByte(string(stat), ')')+1:]))
	if len(fields) < 2 || fields[1] != strconv.Itoa(pid) {
		t.Fatalf("backend %d's parent = %v, want PID() = %d", backend, fields[:2], pid)
	}
}
