package pgtest

import (
	"errors"
	"fmt"
	"os"
	"os/exec"
	"path/filepath"
	"strconv"
)

// debianBins is where Debian's postgresql-<major> package puts the server
// (a variable for the test of a machine without it).
var debianBins = "/usr/lib/postgresql/*/bin"

// binDir returns the directory that holds initdb and postgres: the one an
// initdb on PATH resolves to (Debian links only the client tools into
// /usr/bin, so this is usually a hand-made link), else the highest major
// version under /usr/lib/postgresql.
func binDir() (string, error) {
	if initdb, err := exec.LookPath("initdb"); err == nil {
		if real, err := filepath.EvalSymlinks(initdb); err == nil && hasServer(filepath.Dir(real)) {
			return filepath.Dir(real), nil
		}
	}
	dirs, err := filepath.Glob(debianBins)
	if err != nil {
		return "", fmt.Errorf("look for postgresql: %w", err)
	}
	best, bestMajor := "", -1
	for _, dir := range dirs {
		major, err := strconv.Atoi(filepath.Base(filepath.Dir(dir)))
		if err != nil || major <= bestMajor || !hasServer(dir) {
			continue
		}
		best, bestMajor = dir, major
	}
	if best == "" {
		return "", errors.New("no initdb and postgres on PATH or under " + debianBins)
	}
	return best, nil
}

func hasServer(dir string) bool {
	for _, name := range []string{"initdb", "postgres"} {
		if info, err := os.Stat(filepath.Join(dir, name)); err != nil || info.IsDir() || info.Mode()&0o111 == 0 {
			return false
		}
	}
	return true
}
