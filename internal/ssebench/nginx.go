package ssebench

import (
	"bytes"
	"context"
	"fmt"
	"net"
	"net/url"
	"os"
	"os/exec"
	"path/filepath"
	"strings"
	"time"
)

// nginxConf is a reverse proxy configured as for SSE: no response
// buffering, HTTP/1.1 with kept-alive connections to the upstream. One
// process (master_process off) serves everything, so its CPU time is the
// proxy's; %[1]s is the prefix directory, %[2]s the listen address, %[3]s
// the upstream's.
const nginxConf = `daemon off;
master_process off;
pid %[1]s/nginx.pid;
error_log stderr warn;
worker_rlimit_nofile 65536;
events { worker_connections 16384; }
http {
	access_log off;
	client_body_temp_path %[1]s/body;
	proxy_temp_path %[1]s/proxy;
	fastcgi_temp_path %[1]s/fastcgi;
	uwsgi_temp_path %[1]s/uwsgi;
	scgi_temp_path %[1]s/scgi;
	upstream agent {
		server %[3]s;
		keepalive 1024;
	}
	server {
		listen %[2]s;
		location / {
			proxy_pass http://agent;
			proxy_http_version 1.1;
			proxy_set_header Connection "";
			proxy_buffering off;
			proxy_read_timeout 1h;
		}
	}
}
`

// NginxPath is where Debian's nginx package puts the server, else "" when
// it is not installed.
func NginxPath() string {
	for _, p := range []string{"/usr/sbin/nginx", "nginx"} {
		if path, err := exec.LookPath(p); err == nil {
			return path
		}
	}
	return ""
}

// StartNginx runs nginx from bin in front of upstream, with its
// configuration and temporary files in dir, and returns once it accepts
// connections.
func StartNginx(ctx context.Context, bin, dir, upstream string) (*Process, error) {
	up, err := url.Parse(upstream)
	if err != nil {
		return nil, err
	}
	addr, err := freeLoopbackAddr()
	if err != nil {
		return nil, err
	}
	conf := filepath.Join(dir, "nginx.conf")
	if err := os.WriteFile(conf, fmt.Appendf(nil, nginxConf, dir, addr, up.Host), 0o644); err != nil {
		return nil, fmt.Errorf("write nginx config: %w", err)
	}
	cmd := exec.Command(bin, "-p", dir, "-c", conf, "-e", "stderr")
	tail := &bytes.Buffer{}
	cmd.Stdout, cmd.Stderr = tail, tail
	if err := cmd.Start(); err != nil {
		return nil, fmt.Errorf("start nginx: %w", err)
	}
	p := &Process{URL: "http://" + addr, cmd: cmd, tail: tail, exited: make(chan struct{})}
	go func() { cmd.Wait(); close(p.exited) }()
	ctx, cancel := context.WithTimeout(ctx, 30*time.Second)
	defer cancel()
	for {
		if c, err := net.Dial("tcp", addr); err == nil {
			c.Close()
			return p, nil
		}
		select {
		case <-p.exited:
			return nil, fmt.Errorf("nginx exited: %s", strings.TrimSpace(tail.String()))
		case <-ctx.Done():
			p.Close()
			return nil, fmt.Errorf("nginx did not start: %w", ctx.Err())
		case <-time.After(10 * time.Millisecond):
		}
	}
}

// freeLoopbackAddr is a loopback address with a port free a moment ago, for
// a server that cannot be handed a listener or report the port it took.
func freeLoopbackAddr() (string, error) {
	ln, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		return "", fmt.Errorf("find a free port: %w", err)
	}
	defer ln.Close()
	return ln.Addr().String(), nil
}
