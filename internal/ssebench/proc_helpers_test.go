package ssebench

import (
	"context"
	"os"
	"os/exec"
	"path/filepath"
	"sync"
	"testing"

	"github.com/jackc/pgx/v5"

	"github.com/a2aproxy/a2a-proxy/internal/pgtest"
	"github.com/a2aproxy/a2a-proxy/recorder"
)

// built is the a2a-proxy binary, built once per test binary into a
// directory TestMain removes.
var built struct {
	once sync.Once
	dir  string
	bin  string
	err  error
}

// a2aProxyBin builds a2a-proxy as users build it, once.
func a2aProxyBin(tb testing.TB) string {
	tb.Helper()
	built.once.Do(func() {
		if built.dir, built.err = os.MkdirTemp("", "ssebench-bin-"); built.err != nil {
			return
		}
		built.bin = filepath.Join(built.dir, "a2a-proxy")
		out, err := exec.Command("go", "build", "-o", built.bin, "github.com/a2aproxy/a2a-proxy/cmd/a2a-proxy").CombinedOutput()
		if err != nil {
			built.err = &buildError{err, out}
		}
	})
	if built.err != nil {
		tb.Fatal(built.err)
	}
	return built.bin
}

type buildError struct {
	err error
	out []byte
}

func (e *buildError) Error() string {
	return "go build a2a-proxy: " + e.err.Error() + "\n" + string(e.out)
}

// removeBuilt removes the binary a2aProxyBin built, if any.
func removeBuilt() {
	if built.dir != "" {
		os.RemoveAll(built.dir)
	}
}

// a2aProxyProcess is `a2a-proxy serve` in its own process, recording in
// mode into a new SQLite file, or into a new database on pg when pg is set.
func a2aProxyProcess(name string, mode recorder.Mode, pg *pgtest.Server) newTargetFunc {
	return a2aProxyProcessOf(a2aProxyBin, name, mode, pg)
}

// a2aProxyProcessOf is a2aProxyProcess running the binary bin returns.
func a2aProxyProcessOf(bin func(testing.TB) string, name string, mode recorder.Mode, pg *pgtest.Server) newTargetFunc {
	return func(tb testing.TB, up *Upstream) *Target {
		tb.Helper()
		bin := bin(tb)
		var db string
		var rows RowCounter
		if pg != nil {
			db = pg.CreateDatabase(tb)
			rows = pgRows(tb, db)
		} else {
			db = filepath.Join(tb.TempDir(), name+".db")
			rows = func(context.Context) (int64, error) { return countRows(db) }
		}
		p, err := StartProcess(tb.Context(), bin, nil, "serve", "--builtin=false", "--agent", "up="+up.URL,
			"--db", db, "--record-mode", string(mode), "--listen", "127.0.0.1:0", "--admin-listen", "127.0.0.1:0")
		if err != nil {
			tb.Fatal(err)
		}
		return ProcessTarget(name, p, rows)
	}
}

// pgRows counts the events in the database at dsn, on one connection kept
// for tb's life.
func pgRows(tb testing.TB, dsn string) RowCounter {
	var conn *pgx.Conn
	tb.Cleanup(func() {
		if conn != nil {
			conn.Close(context.Background())
		}
	})
	return func(ctx context.Context) (int64, error) {
		if conn == nil {
			var err error
			if conn, err = pgx.Connect(ctx, dsn); err != nil {
				return 0, err
			}
		}
		var n int64
		err := conn.QueryRow(ctx, "SELECT count(*) FROM events").Scan(&n)
		return n, err
	}
}

// bareProcess is a bare httputil.ReverseProxy in its own process: this
// test binary, re-executed (see TestMain).
func bareProcess(tb testing.TB, up *Upstream) *Target {
	tb.Helper()
	p, err := StartProcess(tb.Context(), os.Args[0], []string{bareUpstreamEnv + "=" + up.URL})
	if err != nil {
		tb.Fatal(err)
	}
	return ProcessTarget("bare", p, nil)
}

// nginxProcess is nginx in its own process, configured for SSE. Without
// nginx installed it skips tb, or fails it in CI.
func nginxProcess(tb testing.TB, up *Upstream) *Target {
	tb.Helper()
	bin := NginxPath()
	if bin == "" {
		msg := "nginx not installed (Debian package nginx; `make nginx-deps`)"
		if os.Getenv("CI") != "" {
			tb.Fatal(msg)
		}
		tb.Skip(msg)
	}
	p, err := StartNginx(tb.Context(), bin, tb.TempDir(), up.URL)
	if err != nil {
		tb.Fatal(err)
	}
	return ProcessTarget("nginx", p, nil)
}
