package recorder

import (
	"errors"
	"fmt"
	"os"

	"modernc.org/sqlite"
	sqlite3 "modernc.org/sqlite/lib"
)

// lossReason classifies a failed write by SQLite's primary result code.
func lossReason(err error) LossReason {
	var se *sqlite.Error
	if !errors.As(err, &se) {
		return LossCommitFailed
	}
	switch se.Code() & 0xff { // the primary code of an extended one
	case sqlite3.SQLITE_FULL:
		return LossDiskFull
	case sqlite3.SQLITE_BUSY, sqlite3.SQLITE_LOCKED:
		return LossLocked
	case sqlite3.SQLITE_READONLY, sqlite3.SQLITE_PERM, sqlite3.SQLITE_CANTOPEN:
		return LossUnwritable
	}
	return LossCommitFailed
}

// writeError explains why the database at path cannot be written, and how
// to fix it, for a failed start.
func writeError(path string, err error) error {
	switch lossReason(err) {
	case LossUnwritable:
		return fmt.Errorf("cannot write the database %s (running as uid %d): make the file, its directory and its -wal and -shm files writable, on a file system mounted read-write, or choose another file: %w",
			path, os.Getuid(), err)
	case LossLocked:
		return fmt.Errorf("the database %s is locked by another process (waited for the busy timeout): stop the other writer, or choose another file: %w", path, err)
	case LossDiskFull:
		return fmt.Errorf("the file system holding the database %s is full: free some space, or choose another file: %w", path, err)
	}
	return fmt.Errorf("write the database %s: %w", path, err)
}
