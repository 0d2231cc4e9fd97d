package pgtest

import (
	"os"
	"path/filepath"
	"runtime"
	"strings"
	"testing"
)

// recordingTB records how findBins ends a test, without ending this one.
type recordingTB struct {
	testing.TB
	skipped, failed string
}

func (r *recordingTB) Helper() {}
func (r *recordingTB) Skip(args ...any) {
	r.skipped = args[0].(string)
	runtime.Goexit()
}
func (r *recordingTB) Fatal(args ...any) {
	r.failed = args[0].(string)
	runtime.Goexit()
}

func findBinsIn(tb testing.TB) *recordingTB {
	r := &recordingTB{TB: tb}
	done := make(chan struct{})
	go func() {
		defer close(done)
		findBins(r)
	}()
	<-done
	return r
}

// TestMissingServerSkipsOrFailsInCI pins what a machine without PostgreSQL
// does: a developer's skips, CI fails, and both say how to install it.
func TestMissingServerSkipsOrFailsInCI(t *testing.T) {
	empty := t.TempDir()
	t.Setenv("PATH", empty)
	saved := debianBins
	debianBins = filepath.Join(empty, "*", "bin")
	t.Cleanup(func() { debianBins = saved })

	t.Setenv("CI", "")
	r := findBinsIn(t)
	if r.failed != "" || !strings.Contains(r.skipped, "make postgres-deps") {
		t.Errorf("without CI: skipped %q, failed %q; want a skip naming make postgres-deps", r.skipped, r.failed)
	}
	t.Setenv("CI", "true")
	r = findBinsIn(t)
	if r.skipped != "" || !strings.Contains(r.failed, "make postgres-deps") {
		t.Errorf("with CI: skipped %q, failed %q; want a failure naming make postgres-deps", r.skipped, r.failed)
	}
}

// TestBinDirPrefersTheHighestMajor pins the search order under the Debian
// directory: the highest major version that has both programs.
func TestBinDirPrefersTheHighestMajor(t *testing.T) {
	root := t.TempDir()
	t.Setenv("PATH", t.TempDir())
	for _, major := range []string{"9", "15", "16"} {
		dir := filepath.Join(root, major, "bin")
		if err := os.MkdirAll(dir, 0o755); err != nil {
			t.Fatal(err)
		}
		names := []string{"initdb", "postgres"}
		if major == "16" {
			names = names[:1] // a client-only install: no server
		}
		for _, name := range names {
			if err := os.WriteFile(filepath.Join(dir, name), []byte("#!/bin/sh\n"), 0o755); err != nil {
				t.Fatal(err)
			}
		}
	}
	saved := debianBins
	debianBins = filepath.Join(root, "*", "bin")
	t.Cleanup(func() { debianBins = saved })

	got, err := binDir()
	if want := filepath.Join(root, "15", "bin"); err != nil || got != want {
		t.Fatalf("binDir() = %q, %v; want %q", got, err, want)
	}
}
