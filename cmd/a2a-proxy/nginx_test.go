package main

import (
	"bufio"
	"fmt"
	"net"
	"net/http"
	"os"
	"os/exec"
	"path/filepath"
	"regexp"
	"slices"
	"strings"
	"syscall"
	"testing"
	"time"

	"github.com/a2aproxy/a2a-proxy/internal/pgtest"
)

// nginxTemplate is the load-balancer config the README shows; the test
// runs it with its example addresses replaced.
const nginxTemplate = "../../docs/nginx-replicas.conf"

// nginxBinary finds Debian's nginx (make nginx-deps): a missing one skips
// the test, or fails it under CI.
func nginxBinary(t *testing.T) string {
	t.Helper()
	for _, bin := range []string{"nginx", "/usr/sbin/nginx"} {
		if path, err := exec.LookPath(bin); err == nil {
			return path
		}
	}
	if os.Getenv("CI") != "" {
		t.Fatal("nginx is not installed (make nginx-deps)")
	}
	t.Skip("nginx is not installed (make nginx-deps)")
	return ""
}

func freeLoopbackPort(t *testing.T) int {
	t.Helper()
	l, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		t.Fatal(err)
	}
	defer l.Close()
	return l.Addr().(*net.TCPAddr).Port
}

// startNginx runs nginx in the foreground with the README's config in front
// of the upstreams, on a free loopback port, everything under a temporary
// prefix, and returns its base URL once it accepts connections.
func startNginx(t *testing.T, upstreams [2]string) string {
	t.Helper()
	bin := nginxBinary(t)
	tmpl, err := os.ReadFile(nginxTemplate)
	if err != nil {
		t.Fatal(err)
	}
	port := freeLoopbackPort(t)
	site := strings.NewReplacer(
		"server 10.0.0.11:8080;", "server "+upstreams[0]+";",
		"server 10.0.0.12:8080;", "server "+upstreams[1]+";",
		"listen 8000;", fmt.Sprintf("listen 127.0.0.1:%d;", port),
	).Replace(string(tmpl))
	if site == string(tmpl) {
		t.Fatal("the template's example addresses changed: update the test")
	}
	dir := t.TempDir()
	user := ""
	if os.Geteuid() == 0 {
		user = "user root;" // workers would switch to nobody, who cannot use the temporary prefix
	}
	conf := fmt.Sprintf(`daemon off;
%s
pid %[2]s/nginx.pid;
error_log %[2]s/error.log info;
events {}
http {
    access_log %[2]s/access.log;
    client_body_temp_path %[2]s/client_body;
    proxy_temp_path %[2]s/proxy;
    fastcgi_temp_path %[2]s/fastcgi;
    uwsgi_temp_path %[2]s/uwsgi;
    scgi_temp_path %[2]s/scgi;
    include %[2]s/a2a-proxy.conf;
}
`, user, dir)
	for name, text := range map[string]string{"nginx.conf": conf, "a2a-proxy.conf": site} {
		if err := os.WriteFile(filepath.Join(dir, name), []byte(text), 0o600); err != nil {
			t.Fatal(err)
		}
	}
	out, err := os.Create(filepath.Join(dir, "output"))
	if err != nil {
		t.Fatal(err)
	}
	defer out.Close()
	cmd := exec.Command(bin, "-p", dir, "-c", filepath.Join(dir, "nginx.conf"), "-e", filepath.Join(dir, "error.log"))
	cmd.Stdout, cmd.Stderr = out, out // a file: Wait never waits on a worker holding a pipe
	cmd.SysProcAttr = &syscall.SysProcAttr{Setpgid: true}
	if err := cmd.Start(); err != nil {
		t.Fatal(err)
	}
	exited := make(chan error, 1)
	go func() { exited <- cmd.Wait() }()
	t.Cleanup(func() {
		cmd.Process.Signal(syscall.SIGTERM) // the master stops its workers
		select {
		case <-exited:
		case <-time.After(10 * time.Second):
			syscall.Kill(-cmd.Process.Pid, syscall.SIGKILL)
			<-exited
		}
		if t.Failed() {
			output, _ := os.ReadFile(filepath.Join(dir, "output"))
			log, _ := os.ReadFile(filepath.Join(dir, "error.log"))
			t.Logf("nginx output: %s\nerror log:\n%s", output, log)
		}
	})
	addr := fmt.Sprintf("127.0.0.1:%d", port)
	deadline := time.Now().Add(30 * time.Second)
	for {
		select {
		case err := <-exited:
			output, _ := os.ReadFile(filepath.Join(dir, "output"))
			log, _ := os.ReadFile(filepath.Join(dir, "error.log"))
			t.Fatalf("nginx exited: %v\n%s\n%s", err, output, log)
		default:
		}
		if c, err := net.Dial("tcp", addr); err == nil {
			c.Close()
			return "http://" + addr
		}
		if time.Now().After(deadline) {
			t.Fatal("nginx did not listen in 30s")
		}
		time.Sleep(10 * time.Millisecond) // polling a port another process binds
	}
}

// TestNginxInFrontOfReplicas pins the README's load-balancer config: nginx
// in front of two real-binary replicas on one PostgreSQL database passes a
// stream to the agent on as it comes, every event unchanged; tasks/get calls
// spread over both replicas join the same task; both replicas' APIs show it;
// and the agent card through nginx names nginx's URL.
func TestNginxInFrontOfReplicas(t *testing.T) {
	t.Parallel()
	nginxBinary(t)
	bin := buildBinary(t)
	dsn := pgtest.Start(t)
	agent := startAgent(t, bin)
	a := startReplica(t, bin, dsn, agent, "--trust-forwarded=127.0.0.1")
	b := startReplica(t, bin, dsn, agent, "--trust-forwarded=127.0.0.1")
	lb := startNginx(t, [2]string{strings.TrimPrefix(a.data, "http://"), strings.TrimPrefix(b.data, "http://")})

	blocks, arrivals := streamTimed(t, lb+"/")
	if spread := arrivals[len(arrivals)-1].Sub(arrivals[0]); spread < 40*time.Millisecond {
		// The agent pauses 20ms between steps: a stream held back until its
		// end would come at once.
		t.Errorf("the stream's %d events came within %v: held back, not passed on as they came", len(blocks), spread)
	}
	taskID := taskIDOf(t, blocks)
	const gets = 2 // round robin: one through each replica
	for range gets {
		getTaskRPC(t, lb+"/", taskID)
	}
	want := waitForTask(t, a.admin, taskID, 1+gets)
	if raw := streamRaw(storedTask(t, dsn, taskID), want.Exchanges[0].ID); !slices.Equal(raw, blocks) {
		t.Errorf("through nginx the client got\n%q\nthe replica recorded\n%q", blocks, raw)
	}
	if want.Task.State != "completed" || want.Task.ExchangeCount != 1+gets {
		t.Errorf("task %s: state %q, %d exchanges; want completed, %d", taskID, want.Task.State, want.Task.ExchangeCount, 1+gets)
	}
	if got := waitForTask(t, b.admin, taskID, 1+gets); got.Task != want.Task {
		t.Errorf("replica b shows %+v, a %+v", got.Task, want.Task)
	}

	var card struct {
		URL string `json:"url"`
	}
	getJSON(t, lb+"/.well-known/agent-card.json", &card)
	if !strings.HasPrefix(card.URL, lb+"/") {
		t.Errorf("card through nginx names %q, want a URL under %s", card.URL, lb)
	}
}

// streamTimed is streamAll, with when each block arrived.
func streamTimed(t *testing.T, url string) ([]string, []time.Time) {
	t.Helper()
	resp, err := http.Post(url, "application/json", strings.NewReader(streamRequest))
	if err != nil {
		t.Fatal(err)
	}
	defer resp.Body.Close()
	if resp.StatusCode != http.StatusOK {
		t.Fatalf("stream through %s: %s", url, resp.Status)
	}
	r := bufio.NewReader(resp.Body)
	var blocks []string
	var at []time.Time
	for {
		block, err := readBlock(r)
		if block != "" {
			blocks, at = append(blocks, block), append(at, time.Now())
		}
		if err != nil {
			if len(blocks) == 0 {
				t.Fatalf("empty stream: %v", err)
			}
			return blocks, at
		}
	}
}

// readmeNginxBlock is the README's nginx config: the first nginx code block
// of its "Several replicas" section.
var readmeNginxBlock = regexp.MustCompile("(?s)\n## Several replicas\n.*?\n```nginx\n(.*?)```\n")

// TestREADMEShowsTheTestedNginxConfig pins that the config users copy from
// the README is the one TestNginxInFrontOfReplicas runs.
func TestREADMEShowsTheTestedNginxConfig(t *testing.T) {
	readme, err := os.ReadFile("../../README.md")
	if err != nil {
		t.Fatal(err)
	}
	tmpl, err := os.ReadFile(nginxTemplate)
	if err != nil {
		t.Fatal(err)
	}
	m := readmeNginxBlock.FindSubmatch(readme)
	if m == nil {
		t.Fatal("README has no nginx block under \"## Several replicas\"")
	}
	if string(m[1]) != string(tmpl) {
		t.Errorf("README's nginx config differs from %s:\n%s", nginxTemplate, m[1])
	}
}
