package ssebench

import (
	"bufio"
	"bytes"
	"context"
	"fmt"
	"io"
	"os"
	"os/exec"
	"regexp"
	"strconv"
	"time"
)

// Process is a proxy in a process of its own, as users run it, so that its
// memory can be read apart from the load's.
type Process struct {
	URL  string
	cmd  *exec.Cmd
	tail *bytes.Buffer // the stderr lines before the serving line, for errors
	// exited, if not nil, is closed once a goroutine's cmd.Wait returns.
	exited chan struct{}
}

// servingLine is how a2a-proxy (and the bare proxy of the tests) logs the
// address it serves on.
var servingLine = regexp.MustCompile(`serving.* data=(\S+)`)

// StartProcess runs bin with args and extra environment, and returns once
// it has logged the data plane's address.
func StartProcess(ctx context.Context, bin string, env []string, args ...string) (*Process, error) {
	cmd := exec.Command(bin, args...)
	cmd.Env = append(os.Environ(), env...)
	stderr, err := cmd.StderrPipe()
	if err != nil {
		return nil, err
	}
	if err := cmd.Start(); err != nil {
		return nil, fmt.Errorf("start %s: %w", bin, err)
	}
	p := &Process{cmd: cmd, tail: &bytes.Buffer{}}
	found := make(chan string, 1)
	go scanStderr(stderr, p.tail, found)
	ctx, cancel := context.WithTimeout(ctx, time.Minute)
	defer cancel()
	select {
	case p.URL = <-found:
		if p.URL == "" {
			err = fmt.Errorf("%s exited: %s", bin, p.tail)
			break
		}
		return p, nil
	case <-ctx.Done():
		err = fmt.Errorf("%s did not start: %w", bin, ctx.Err())
	}
	p.Close()
	return nil, err
}

// scanStderr sends the serving line's URL on found ("" if the process ends
// first) and drains the rest so that the process never blocks on a full pipe.
func scanStderr(r io.Reader, tail *bytes.Buffer, found chan<- string) {
	sc := bufio.NewScanner(r)
	for sc.Scan() {
		if m := servingLine.FindStringSubmatch(sc.Text()); m != nil {
			found <- m[1]
			io.Copy(io.Discard, r)
			return
		}
		tail.WriteString(sc.Text() + "\n")
	}
	found <- ""
}

// RSS is the process's resident set size in bytes, from Linux's
// /proc/<pid>/status: the memory users see it take.
func (p *Process) RSS() (int64, error) {
	b, err := os.ReadFile(fmt.Sprintf("/proc/%d/status", p.cmd.Process.Pid))
	if err != nil {
		return 0, fmt.Errorf("read RSS: %w", err)
	}
	for line := range bytes.Lines(b) {
		if v, ok := bytes.CutPrefix(line, []byte("VmRSS:")); ok {
			kb, err := strconv.ParseInt(string(bytes.TrimSuffix(bytes.TrimSpace(v), []byte(" kB"))), 10, 64)
			if err != nil {
				return 0, fmt.Errorf("read RSS: %q: %w", line, err)
			}
			return kb << 10, nil
		}
	}
	return 0, fmt.Errorf("read RSS: no VmRSS in /proc/%d/status", p.cmd.Process.Pid)
}

// PID is the process's id.
func (p *Process) PID() int { return p.cmd.Process.Pid }

// CPU is the CPU time the process has used so far.
func (p *Process) CPU() (time.Duration, error) { return pidCPU(p.PID()) }

// Close kills the process and waits for it.
func (p *Process) Close() error {
	p.cmd.Process.Kill()
	if p.exited != nil {
		<-p.exited
		return nil
	}
	p.cmd.Wait()
	return nil
}

// IdleMemory is what idle open streams cost a proxy process.
type IdleMemory struct {
	Target  string
	Streams int
	// Before and After are the RSS in bytes before and after the streams
	// opened; PerStream is the slope of the readings taken in between.
	Before, After int64
	PerStream     int64
}

func (m IdleMemory) String() string {
	return fmt.Sprintf("%s: %d idle streams, RSS %.1f -> %.1f MiB, %.1f KiB per stream",
		m.Target, m.Streams, float64(m.Before)/(1<<20), float64(m.After)/(1<<20), float64(m.PerStream)/(1<<10))
}

// idleSteps is how many readings MeasureIdle takes as the streams open.
const idleSteps = 10

// MeasureIdle opens warm streams through p to up, which brings the
// process's pools, caches and heap to their working size, then opens n
// more in steps, reading the process's RSS before and after each. The cost
// of a stream is the least-squares slope of RSS over streams open: one
// reading lands before or after a garbage collection by chance, a slope
// over many does not. The streams stay open until the caller closes them.
func MeasureIdle(ctx context.Context, name string, p *Process, up *IdleUpstream, streams *IdleStreams, warm, n int) (IdleMemory, error) {
	m := IdleMemory{Target: name, Streams: n}
	if err := streams.Open(ctx, p.URL, up, warm); err != nil {
		return m, fmt.Errorf("%s: warm-up: %w", name, err)
	}
	var xs, ys []float64
	for i := 0; i <= idleSteps; i++ {
		if i > 0 {
			if err := streams.Open(ctx, p.URL, up, n*i/idleSteps-n*(i-1)/idleSteps); err != nil {
				return m, fmt.Errorf("%s: %w", name, err)
			}
		}
		rss, err := p.RSS()
		if err != nil {
			return m, err
		}
		xs, ys = append(xs, float64(n*i/idleSteps)), append(ys, float64(rss))
	}
	m.Before, m.After = int64(ys[0]), int64(ys[len(ys)-1])
	m.PerStream = int64(slope(xs, ys))
	return m, nil
}

// slope is the least-squares slope of ys over xs.
func slope(xs, ys []float64) float64 {
	var mx, my float64
	for i := range xs {
		mx += xs[i]
		my += ys[i]
	}
	mx /= float64(len(xs))
	my /= float64(len(ys))
	var sxy, sxx float64
	for i := range xs {
		sxy += (xs[i] - mx) * (ys[i] - my)
		sxx += (xs[i] - mx) * (xs[i] - mx)
	}
	return sxy / sxx
}
