package ssebench

import (
	"fmt"
	"os"
	"os/signal"
	"syscall"
	"testing"

	"github.com/gin-gonic/gin"
)

func TestMain(m *testing.M) {
	gin.SetMode(gin.ReleaseMode) // as the binary runs it, without the debug route dump
	if up := os.Getenv(bareUpstreamEnv); up != "" {
		os.Exit(serveBare(up))
	}
	code := m.Run()
	removeBuilt()
	os.Exit(code)
}

// bareUpstreamEnv makes the test binary a bare proxy in front of the
// upstream it names, so that its memory can be read in a process of its own.
const bareUpstreamEnv = "SSEBENCH_BARE_UPSTREAM"

// serveBare serves the bare target until the process is killed or
// interrupted.
func serveBare(upstream string) int {
	t, err := Bare(&Upstream{URL: upstream})
	if err != nil {
		fmt.Fprintln(os.Stderr, err)
		return 1
	}
	fmt.Fprintf(os.Stderr, "bare proxy serving data=%s\n", t.URL)
	stop := make(chan os.Signal, 1)
	signal.Notify(stop, os.Interrupt, syscall.SIGTERM)
	<-stop
	return 0
}
