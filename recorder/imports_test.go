package recorder_test

import (
	"os/exec"
	"strings"
	"testing"
)

// TestImportsNoDatabaseDriver pins the storage boundary: the domain and
// pipeline build without any database driver, so that the proxy, the admin
// plane and the CLI depend on no backend through it.
func TestImportsNoDatabaseDriver(t *testing.T) {
	out, err := exec.Command("go", "list", "-deps", "github.com/a2aproxy/a2a-proxy/recorder").Output()
	if err != nil {
		t.Fatalf("go list -deps: %v", err)
	}
	deps := strings.Fields(string(out))
	if len(deps) < 10 {
		t.Fatalf("go list -deps listed %d packages, want the standard library at least", len(deps))
	}
	for _, dep := range deps {
		for _, banned := range []string{"database/sql", "modernc.org/sqlite", "github.com/jackc/", "github.com/lib/pq", "github.com/mattn/go-sqlite3"} {
			if dep == banned || strings.HasPrefix(dep, banned+"/") || strings.HasPrefix(dep, banned) && strings.HasSuffix(banned, "/") {
				t.Errorf("recorder imports %s", dep)
			}
		}
	}
}
