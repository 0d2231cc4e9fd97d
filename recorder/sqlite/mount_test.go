package sqlite_test

import (
	"os"
	"os/exec"
	"testing"
)

// mountTmpfs mounts a tmpfs of size (like "1m") on a new directory and
// returns it; the tests that need one (a full disk, a read-only file system)
// run as root in CI. Without root and without CI they skip; with CI set they
// fail, so that CI never loses them silently.
func mountTmpfs(t *testing.T, size string) string {
	t.Helper()
	dir := t.TempDir()
	out, err := exec.Command("mount", "-t", "tmpfs", "-o", "size="+size, "tmpfs", dir).CombinedOutput()
	if err != nil {
		if os.Getenv("CI") != "" {
			t.Fatalf("mount tmpfs (the test needs root): %v: %s", err, out)
		}
		t.Skipf("mount tmpfs (the test needs root): %v: %s", err, out)
	}
	t.Cleanup(func() {
		if out, err := exec.Command("umount", "-l", dir).CombinedOutput(); err != nil {
			t.Errorf("umount %s: %v: %s", dir, err, out)
		}
	})
	return dir
}

// remountReadOnly makes the tmpfs at dir read-only: what chmod cannot do
// for root.
func remountReadOnly(t *testing.T, dir string) {
	t.Helper()
	if out, err := exec.Command("mount", "-o", "remount,ro", dir).CombinedOutput(); err != nil {
		t.Fatalf("remount %s read-only: %v: %s", dir, err, out)
	}
}
