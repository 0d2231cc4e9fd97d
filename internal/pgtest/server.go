package pgtest

import (
	"context"
	"errors"
	"fmt"
	"net"
	"os"
	"os/exec"
	"os/user"
	"path/filepath"
	"runtime"
	"strconv"
	"sync"
	"syscall"
	"testing"
	"time"

	"github.com/jackc/pgx/v5/pgconn"
)

// Superuser is the role every DSN connects as, with trust authentication.
const Superuser = "postgres"

const (
	startTimeout = 60 * time.Second // initdb'd clusters start in well under a second
	stopTimeout  = 30 * time.Second
)

// settings trade durability against an OS crash for speed: fsync is off,
// but commits still reach the OS before they return, so a committed row
// survives Crash (a killed server), as it would in production.
var settings = []string{
	"-c", "fsync=off",
	"-c", "full_page_writes=off",
	"-c", "wal_level=minimal",
	"-c", "max_wal_senders=0",
	"-c", "max_connections=200",
}

// Server is a PostgreSQL server of its own: a cluster in a temporary
// directory, listening on a free port of 127.0.0.1 only (and a unix socket
// inside that directory), with trust authentication. The postgres process is
// a child of the test binary and gets SIGQUIT if the binary dies.
type Server struct {
	bin  string // holds initdb and postgres
	dir  string // data/, the unix socket and postgres.log
	port int
	cred *syscall.Credential // the postgres user's when the tests run as root

	mu   sync.Mutex // serializes starts, stops and CREATE DATABASE
	proc *process   // nil while stopped
	dbs  int        // databases created so far, for their names
}

// process is one run of postgres.
type process struct {
	os   *os.Process
	done chan struct{} // closed once it has exited
	err  error         // its exit status, set before done is closed
}

// New starts a server for tb alone, and stops and removes it when tb ends.
// Use it for tests that stop, crash or restart the server; tests that only
// need a database use Start.
func New(tb testing.TB) *Server {
	tb.Helper()
	return newServer(tb, findBins(tb))
}

func newServer(tb testing.TB, bin string) *Server {
	tb.Helper()
	s, err := start(bin)
	if err != nil {
		tb.Fatalf("pgtest: %v", err)
	}
	tb.Cleanup(func() {
		if tb.Failed() {
			tb.Logf("pgtest: end of the server log:\n%s", s.logTail())
		}
		if err := s.close(); err != nil {
			tb.Errorf("pgtest: %v", err)
		}
	})
	return s
}

// findBins returns the server's bin directory, or ends tb: skipped on a
// developer's machine, failed in CI, where a missing server is a broken setup.
func findBins(tb testing.TB) string {
	tb.Helper()
	bin, err := binDir()
	if err == nil {
		return bin
	}
	msg := fmt.Sprintf("pgtest: PostgreSQL server not found (%v); `make postgres-deps` installs it", err)
	if os.Getenv("CI") != "" {
		tb.Fatal(msg)
	}
	tb.Skip(msg)
	return ""
}

// start creates a cluster and starts a server on it.
func start(bin string) (*Server, error) {
	cred, err := serverUser()
	if err != nil {
		return nil, err
	}
	dir, err := os.MkdirTemp("", "pgtest-")
	if err != nil {
		return nil, fmt.Errorf("create server dir: %w", err)
	}
	s := &Server{bin: bin, dir: dir, cred: cred}
	fail := func(err error) (*Server, error) {
		os.RemoveAll(dir)
		return nil, err
	}
	if cred != nil {
		if err := os.Chown(dir, int(cred.Uid), int(cred.Gid)); err != nil {
			return fail(fmt.Errorf("give server dir to %s: %w", Superuser, err))
		}
	}
	if err := s.initdb(); err != nil {
		return fail(err)
	}
	// Another process may take the free port before postgres binds it.
	for attempt := 1; ; attempt++ {
		if s.port, err = freePort(); err != nil {
			return fail(err)
		}
		s.mu.Lock()
		err = s.startLocked()
		s.mu.Unlock()
		if err == nil {
			return s, nil
		}
		if attempt == 3 {
			return fail(err)
		}
	}
}

// serverUser returns the credentials to run initdb and postgres with. Both
// refuse to run as root, so root runs them as the postgres user that
// Debian's package creates.
func serverUser() (*syscall.Credential, error) {
	if os.Geteuid() != 0 {
		return nil, nil
	}
	u, err := user.Lookup(Superuser)
	if err != nil {
		return nil, fmt.Errorf("running as root, the server must run as user %s: %w", Superuser, err)
	}
	uid, err := strconv.ParseUint(u.Uid, 10, 32)
	if err != nil {
		return nil, fmt.Errorf("uid of %s: %w", Superuser, err)
	}
	gid, err := strconv.ParseUint(u.Gid, 10, 32)
	if err != nil {
		return nil, fmt.Errorf("gid of %s: %w", Superuser, err)
	}
	return &syscall.Credential{Uid: uint32(uid), Gid: uint32(gid), Groups: []uint32{}}, nil
}

func freePort() (int, error) {
	l, err := (&net.ListenConfig{}).Listen(context.Background(), "tcp", "127.0.0.1:0")
	if err != nil {
		return 0, fmt.Errorf("find a free port: %w", err)
	}
	defer l.Close()
	return l.Addr().(*net.TCPAddr).Port, nil
}

func (s *Server) dataDir() string { return filepath.Join(s.dir, "data") }
func (s *Server) logPath() string { return filepath.Join(s.dir, "postgres.log") }

// command runs one of the server's programs as the server's user.
func (s *Server) command(name string, args ...string) *exec.Cmd {
	cmd := exec.Command(filepath.Join(s.bin, name), args...)
	cmd.Dir = s.dir // the server's user may not be able to enter ours
	cmd.SysProcAttr = &syscall.SysProcAttr{Credential: s.cred, Pdeathsig: syscall.SIGQUIT}
	return cmd
}

func (s *Server) initdb() error {
	cmd := s.command("initdb", "-D", s.dataDir(), "-U", Superuser, "-A", "trust",
		"-E", "UTF8", "--locale=C", "--no-sync", "--no-instructions")
	if out, err := cmd.CombinedOutput(); err != nil {
		return fmt.Errorf("initdb: %w\n%s", err, out)
	}
	return nil
}

// startLocked runs postgres and waits until it accepts connections.
func (s *Server) startLocked() error {
	if s.proc != nil {
		return errors.New("server already running")
	}
	logFile, err := os.OpenFile(s.logPath(), os.O_CREATE|os.O_WRONLY|os.O_APPEND, 0o644)
	if err != nil {
		return fmt.Errorf("open server log: %w", err)
	}
	defer logFile.Close() // postgres has its own copy
	args := append([]string{"-D", s.dataDir(), "-h", "127.0.0.1", "-p", strconv.Itoa(s.port), "-k", s.dir}, settings...)
	cmd := s.command("postgres", args...)
	cmd.Stdout, cmd.Stderr = logFile, logFile
	p, err := launch(cmd)
	if err != nil {
		return err
	}
	if err := s.waitReady(p); err != nil {
		p.stop(syscall.SIGQUIT)
		return err
	}
	s.proc = p
	return nil
}

// launch starts cmd from a goroutine locked to its OS thread until the
// process exits: Linux sends Pdeathsig when the thread that started the
// child ends, not the process.
func launch(cmd *exec.Cmd) (*process, error) {
	p := &process{done: make(chan struct{})}
	started := make(chan error, 1)
	go runProcess(cmd, p, started)
	if err := <-started; err != nil {
		return nil, fmt.Errorf("start postgres: %w", err)
	}
	return p, nil
}

func runProcess(cmd *exec.Cmd, p *process, started chan<- error) {
	runtime.LockOSThread() // never unlocked: the thread ends with the goroutine
	if err := cmd.Start(); err != nil {
		started <- err
		return
	}
	p.os = cmd.Process
	started <- nil
	p.err = cmd.Wait()
	close(p.done)
}

// stop sends sig (SIGINT: fast shutdown; SIGQUIT: immediate) and waits.
func (p *process) stop(sig syscall.Signal) error {
	if err := p.os.Signal(sig); err != nil && !errors.Is(err, os.ErrProcessDone) {
		return fmt.Errorf("signal postgres: %w", err)
	}
	select {
	case <-p.done:
		return nil
	case <-time.After(stopTimeout):
		p.os.Kill()
		<-p.done
		return fmt.Errorf("postgres did not stop within %v: killed", stopTimeout)
	}
}

func (s *Server) waitReady(p *process) error {
	ctx, cancel := context.WithTimeout(context.Background(), startTimeout)
	defer cancel()
	retry := time.NewTicker(20 * time.Millisecond)
	defer retry.Stop()
	for {
		conn, err := pgconn.Connect(ctx, s.DSN("postgres"))
		if err == nil {
			return conn.Close(ctx)
		}
		select {
		case <-p.done:
			return fmt.Errorf("postgres exited (%v):\n%s", p.err, s.logTail())
		case <-ctx.Done():
			return fmt.Errorf("postgres not ready after %v: %w\n%s", startTimeout, err, s.logTail())
		case <-retry.C:
		}
	}
}

// DSN returns the postgres:// URL of database name on this server.
func (s *Server) DSN(name string) string {
	return fmt.Sprintf("postgres://%s@127.0.0.1:%d/%s?sslmode=disable", Superuser, s.port, name)
}

// Port returns the TCP port the server listens on, the same across restarts.
func (s *Server) Port() int { return s.port }

// PID returns the process id of the running server (the postmaster), or 0
// while it is stopped.
func (s *Server) PID() int {
	s.mu.Lock()
	defer s.mu.Unlock()
	if s.proc == nil {
		return 0
	}
	return s.proc.os.Pid
}

// CreateDatabase creates an empty database, t_<n>, and returns its DSN.
func (s *Server) CreateDatabase(tb testing.TB) string {
	tb.Helper()
	dsn, err := s.createDatabase()
	if err != nil {
		tb.Fatalf("pgtest: %v", err)
	}
	return dsn
}

func (s *Server) createDatabase() (string, error) {
	s.mu.Lock()
	defer s.mu.Unlock()
	s.dbs++
	name := "t_" + strconv.Itoa(s.dbs)
	ctx, cancel := context.WithTimeout(context.Background(), startTimeout)
	defer cancel()
	conn, err := pgconn.Connect(ctx, s.DSN("postgres"))
	if err != nil {
		return "", fmt.Errorf("create database %s: %w", name, err)
	}
	defer conn.Close(ctx)
	if _, err := conn.Exec(ctx, "CREATE DATABASE "+name).ReadAll(); err != nil {
		return "", fmt.Errorf("create database %s: %w", name, err)
	}
	return s.DSN(name), nil
}

// Stop shuts the server down as an operator would (a fast shutdown: sessions
// are ended, open transactions rolled back) and waits until it has exited.
// Stopping a stopped server does nothing.
func (s *Server) Stop(tb testing.TB) {
	tb.Helper()
	if err := s.stop(syscall.SIGINT); err != nil {
		tb.Fatalf("pgtest: stop: %v", err)
	}
}

// Crash stops the server as a crash would (an immediate shutdown, without
// a checkpoint: the next start recovers from the WAL) and waits until it has
// exited. Committed transactions survive it.
func (s *Server) Crash(tb testing.TB) {
	tb.Helper()
	if err := s.stop(syscall.SIGQUIT); err != nil {
		tb.Fatalf("pgtest: crash: %v", err)
	}
}

// Restart starts the server again, on the same data directory and port, so
// every DSN handed out before works again; a running server is stopped
// first (as Stop does). It returns once the server accepts connections.
func (s *Server) Restart(tb testing.TB) {
	tb.Helper()
	if err := s.stop(syscall.SIGINT); err != nil {
		tb.Fatalf("pgtest: restart: %v", err)
	}
	s.mu.Lock()
	err := s.startLocked()
	s.mu.Unlock()
	if err != nil {
		tb.Fatalf("pgtest: restart on port %d: %v", s.port, err)
	}
}

func (s *Server) stop(sig syscall.Signal) error {
	s.mu.Lock()
	defer s.mu.Unlock()
	if s.proc == nil {
		return nil
	}
	p := s.proc
	s.proc = nil
	return p.stop(sig)
}

// close stops the server at once and removes its directory.
func (s *Server) close() error {
	err := s.stop(syscall.SIGQUIT)
	if rmErr := os.RemoveAll(s.dir); rmErr != nil {
		err = errors.Join(err, fmt.Errorf("remove server dir: %w", rmErr))
	}
	return err
}

// logTail returns the end of the server's log, for failure messages.
func (s *Server) logTail() string {
	b, err := os.ReadFile(s.logPath())
	if err != nil {
		return fmt.Sprintf("(no log: %v)", err)
	}
	const keep = 4 << 10
	if len(b) > keep {
		b = b[len(b)-keep:]
	}
	return string(b)
}
