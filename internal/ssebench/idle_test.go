package ssebench

import (
	"flag"
	"os"
	"os/exec"
	"path/filepath"
	"runtime"
	"testing"
)

var idleStreams = flag.Int("idle-streams", 1000, "idle: streams held open through each proxy process")

// maxIdleStreamBytes bounds what an idle open stream may cost the
// a2a-proxy process: the 32 KiB. Measured over 1,000 streams:
// about 28 KiB, against about 57 KiB for a bare httputil.ReverseProxy
// (72 KiB before streams were taken off net/http's connections). What is
// left is two goroutines per stream (the copy loop, with its stack kept
// shallow by parsing events off it, and the client watch), the two
// connections, a 1 KiB copy buffer and a 1 KiB read buffer, the exchange's
// state, and the garbage collector's headroom over all of it (GOGC=100).
// Fewer streams give a noisier slope (300 streams: 34 to 37 KiB), as the
// heap grows in steps. The bound leaves room for the collector's timing
// and catches a stream that holds a buffer more, a goroutine more or its
// recording.
const maxIdleStreamBytes = 32 << 10

// idleWarmUp streams open before the first reading: they bring the proxy's
// buffer pools, connection tables, SQLite page cache and heap to their
// working size, so that the growth measured after is the streams' own.
const idleWarmUp = 50

// TestIdleStreamMemory pins "idle streams are cheap": an open stream whose
// agent has gone quiet after one event costs the a2a-proxy process, the
// real binary as users run it, at most maxIdleStreamBytes of RSS. It
// measures memory, not time, so a loaded machine does not move it; the
// warm-up keeps one-time growth out of the figure, and the figure is the
// slope of ten readings, so that the garbage collector running just before
// one of them does not move it either. A bare httputil.ReverseProxy process
// is measured in the same run as the floor of any Go proxy.
// -idle-streams 1000 gives the README's figure.
func TestIdleStreamMemory(t *testing.T) {
	if runtime.GOOS != "linux" {
		t.Skip("reads RSS from /proc")
	}
	up, err := StartIdleUpstream()
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { up.Close() })
	// Each stream takes two descriptors here (client and upstream side) and
	// two in the proxy; Go raises the soft limit on open files to the hard one.
	dir := t.TempDir()
	bin := filepath.Join(dir, "a2a-proxy")
	if out, err := exec.Command("go", "build", "-o", bin, "github.com/a2aproxy/a2a-proxy/cmd/a2a-proxy").CombinedOutput(); err != nil {
		t.Fatalf("go build: %v\n%s", err, out)
	}
	proxyArgs := []string{"serve", "--builtin=false", "--agent", "up=" + up.URL, "--db", filepath.Join(dir, "idle.db"),
		"--listen", "127.0.0.1:0", "--admin-listen", "127.0.0.1:0"}

	for _, target := range []struct {
		name string
		bin  string
		env  []string
		args []string
	}{
		{"a2a-proxy", bin, nil, proxyArgs},
		{"bare", os.Args[0], []string{bareUpstreamEnv + "=" + up.URL}, nil},
	} {
		if target.name == "bare" && raceBuild {
			continue // the test binary: with -race its memory is no floor
		}
		p, err := StartProcess(t.Context(), target.bin, target.env, target.args...)
		if err != nil {
			t.Fatal(err)
		}
		streams := NewIdleStreams()
		m, err := MeasureIdle(t.Context(), target.name, p, up, streams, idleWarmUp, *idleStreams)
		streams.Close()
		p.Close()
		if err != nil {
			t.Fatal(err)
		}
		t.Log(m)
		if target.name == "a2a-proxy" && m.PerStream > maxIdleStreamBytes {
			t.Errorf("an idle stream costs a2a-proxy %d bytes, over the %d bound", m.PerStream, maxIdleStreamBytes)
		}
	}
}
