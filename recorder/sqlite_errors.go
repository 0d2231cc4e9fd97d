package recorder

import (
	"errors"

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
