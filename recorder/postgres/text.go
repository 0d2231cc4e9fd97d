package postgres

import (
	"strings"
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
