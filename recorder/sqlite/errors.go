package sqlite

import (
	"errors"
	"fmt"
	"os"

	"modernc.org/sqlite"
	sqlite3 "modernc.org/sqlite/lib"

	"github.com/a2aproxy/a2a-proxy/recorder"
)

// LossReason classifies a failed Commit by SQLite's result code.
func (s *Store) LossReason(err error) recorder.LossReason { return lossReason(err) }

// Retryable is false: a local file is never unreachable, and a lock, a full
// disk or a read-only file is not worth holding the batch for.
func (s *Store) Retryable(error) bool { return false }

// lossReason classifies a failed write by SQLite's primary result code.
func lossReason(err error) recorder.LossReason {
	var se *sqlite.Error
	if !errors.As(err, &se) {
		return recorder.LossCommitFailed
	}
	switch se.Code() & 0xff { // the primary code of an extended one
	case sqlite3.SQLITE_FULL:
		return recorder.LossDiskFull
	case sqlite3.SQLITE_BUSY, sqlite3.SQLITE_LOCKED:
		return recorder.LossLocked
	case sqlite3.SQLITE_READONLY, sqlite3.SQLITE_PERM, sqlite3.SQLITE_CANTOPEN:
		return recorder.LossUnwritable
	}
	return recorder.LossCommitFailed
}

// writeError explains why the database at path cannot be written, and how
// to fix it, for a failed start.
func writeError(path string, err error) error {
	switch lossReason(err) {
	case recorder.LossUnwritable:
		return fmt.Errorf("cannot write the database %s (running as uid %d): make the file, its directory and its -wal and -shm files writable, on a file system mounted read-write, or choose another file: %w",
			path, os.Getuid(), err)
	case recorder.LossLocked:
		return fmt.Errorf("the database %s is locked by another process (waited for the busy timeout): stop the other writer, or choose another file: %w", path, err)
	case recorder.LossDiskFull:
		return fmt.Errorf("the file system holding the database %s is full: free some space, or choose another file: %w", path, err)
	}
	return fmt.Errorf("write the database %s: %w", path, err)
}
