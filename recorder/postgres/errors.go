package postgres

import (
	"context"
	"errors"
	"fmt"
	"io"
	"net"

	"github.com/jackc/pgx/v5/pgconn"

	"github.com/a2aproxy/a2a-proxy/recorder"
)

// LossReason classifies a failed Commit by PostgreSQL's SQLSTATE, or as
// unreachable when the server could not be talked to at all.
func (s *Store) LossReason(err error) recorder.LossReason {
	if unreachable(err) {
		return recorder.LossUnreachable
	}
	var pe *pgconn.PgError
	if !errors.As(err, &pe) {
		return recorder.LossCommitFailed
	}
	switch pe.Code {
	case "53100": // disk_full
		return recorder.LossDiskFull
	case "55P03", "40P01": // lock_not_available (lock_timeout), deadlock_detected
		return recorder.LossLocked
	case "25006", "42501": // read_only_sql_transaction (a standby, default_transaction_read_only), insufficient_privilege
		return recorder.LossUnwritable
	}
	return recorder.LossCommitFailed
}

// Retryable reports whether the store could not be reached: the writer
// keeps the batch and tries again later.
func (s *Store) Retryable(err error) bool { return unreachable(err) }

// unreachable is true for failures of the connection rather than of the
// statements: no server, a server shutting down or restarting, a broken
// or timed-out connection, no free connection slot.
func unreachable(err error) bool {
	if err == nil || errors.Is(err, context.Canceled) {
		return false
	}
	var pe *pgconn.PgError
	if errors.As(err, &pe) {
		switch {
		case len(pe.Code) == 5 && pe.Code[:2] == "08": // connection_exception
			return true
		case pe.Code == "57P01", pe.Code == "57P02", pe.Code == "57P03": // admin or crash shutdown, cannot connect now
			return true
		case pe.Code == "53300": // too_many_connections
			return true
		}
		return false
	}
	var ce *pgconn.ConnectError
	var ne net.Error
	return errors.As(err, &ce) || errors.As(err, &ne) || pgconn.Timeout(err) || pgconn.SafeToRetry(err) ||
		errors.Is(err, io.EOF) || errors.Is(err, io.ErrUnexpectedEOF) || errors.Is(err, context.DeadlineExceeded)
}

// writeError explains why the database cannot be written, and how to fix
// it, for a failed start.
func (s *Store) writeError(err error) error {
	switch s.LossReason(err) {
	case recorder.LossUnreachable:
		return fmt.Errorf("cannot reach the PostgreSQL server of %s: check that it runs and that the DSN's host, port, user and password are right: %w", s.where, err)
	case recorder.LossUnwritable:
		return fmt.Errorf("cannot write the PostgreSQL database %s (a read-only standby, or a user without the rights to create tables and write them): point --db at the primary, with a user that may write: %w",
			s.where, err)
	case recorder.LossLocked:
		return fmt.Errorf("the PostgreSQL database %s is locked by another session: %w", s.where, err)
	case recorder.LossDiskFull:
		return fmt.Errorf("the disk of the PostgreSQL server of %s is full: %w", s.where, err)
	}
	return fmt.Errorf("write the PostgreSQL database %s: %w", s.where, err)
}
