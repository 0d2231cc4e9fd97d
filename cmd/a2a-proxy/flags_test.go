package main

import (
	"io"
	"strings"
	"testing"
)

func TestEnvNames(t *testing.T) {
	tests := []struct{ command, flag, want string }{
		{"serve", "admin-token", "A2A_PROXY_ADMIN_TOKEN"},
		{"serve", "listen", "A2A_PROXY_LISTEN"},
		{"tasks", "db", "A2A_PROXY_DB"},
		{"agent", "listen", "A2A_PROXY_AGENT_LISTEN"},
		{"replay serve", "listen", "A2A_PROXY_REPLAY_SERVE_LISTEN"},
		{"show", "json", "A2A_PROXY_SHOW_JSON"},
	}
	for _, tt := range tests {
		if got := envName(tt.command, tt.flag); got != tt.want {
			t.Errorf("envName(%q, %q) = %s, want %s", tt.command, tt.flag, got, tt.want)
		}
	}
}

// A variable set for serve's data plane must not move the agent command,
// while the command line still wins over the command's own variable.
func TestEnvironmentIsScopedByCommand(t *testing.T) {
	t.Setenv("A2A_PROXY_LISTEN", "127.0.0.1:8080")
	t.Setenv("A2A_PROXY_AGENT_STEP_DELAY", "5s")
	fs := newFlagSet("agent", "", io.Discard)
	listen := fs.String("listen", "127.0.0.1:8001", "")
	delay := fs.String("step-delay", "1s", "")
	if err := parseFlags(fs, nil); err != nil {
		t.Fatal(err)
	}
	if *listen != "127.0.0.1:8001" || *delay != "5s" {
		t.Errorf("agent got --listen %s --step-delay %s", *listen, *delay)
	}
	fs = newFlagSet("agent", "", io.Discard)
	delay = fs.String("step-delay", "1s", "")
	if err := parseFlags(fs, []string{"--step-delay", "2s"}); err != nil || *delay != "2s" {
		t.Errorf("command line lost to the environment: %s %v", *delay, err)
	}
}

// TestRedactFlags pins that the --redact-* flags repeat and read their
// environment variables as comma-separated lists, the command line winning.
func TestRedactFlags(t *testing.T) {
	t.Setenv("A2A_PROXY_REDACT_QUERY", "tenant_pin, otp")
	t.Setenv("A2A_PROXY_REDACT_HEADER", "X-From-Env")
	var c ServeConfig
	fs := newFlagSet("serve", "", io.Discard)
	c.register(fs)
	if err := parseFlags(fs, []string{"--redact-field", "pin", "--redact-field", "ssn", "--redact-header", "X-Tenant"}); err != nil {
		t.Fatal(err)
	}
	if strings.Join(c.RedactFields, ",") != "pin,ssn" || strings.Join(c.RedactQuery, ",") != "tenant_pin,otp" ||
		strings.Join(c.RedactHeaders, ",") != "X-Tenant" {
		t.Errorf("fields %q, query %q, headers %q", c.RedactFields, c.RedactQuery, c.RedactHeaders)
	}
}
