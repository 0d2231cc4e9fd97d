package postgres

import (
	"strings"
	"time"
	"unicode/utf8"
)

// pgText returns s as PostgreSQL text can hold it: valid UTF-8 without NUL.
// SQLite keeps any bytes in TEXT; here a NUL or an invalid byte becomes
// U+FFFD rather than failing the batch. Recorded strings come from JSON
// and HTTP and almost never need it.
func pgText(s string) string {
	if utf8.ValidString(s) && strings.IndexByte(s, 0) < 0 {
		return s
	}
	return strings.ReplaceAll(strings.ToValidUTF8(s, "\uFFFD"), "\x00", "\uFFFD")
}

// Times are stored as unix nanoseconds, as SQLite stores them; 0 stands for
// the zero time.
func unixNano(t time.Time) int64 {
	if t.IsZero() {
		return 0
	}
	return t.UnixNano()
}

func fromUnixNano(ns int64) time.Time {
	if ns == 0 {
		return time.Time{}
	}
	return time.Unix(0, ns).UTC()
}
