package recorder

import (
	"encoding/base64"
	"fmt"
	"strconv"
	"strings"
	"time"
)

// Backends store times as unix nanoseconds, 0 standing for the zero time.

// UnixNano returns t in unix nanoseconds, or 0 for the zero time.
func UnixNano(t time.Time) int64 {
	if t.IsZero() {
		return 0
	}
	return t.UnixNano()
}

// FromUnixNano is the inverse of UnixNano, in UTC.
func FromUnixNano(ns int64) time.Time {
	if ns == 0 {
		return time.Time{}
	}
	return time.Unix(0, ns).UTC()
}

// Page sizes of ListTasks.
const (
	DefaultTaskLimit = 50
	MaxTaskLimit     = 500
)

// PageLimit returns the page size TaskFilter.Limit asks for: the default
// for 0, at most MaxTaskLimit, ErrInvalidFilter when negative.
func PageLimit(limit int) (int, error) {
	switch {
	case limit < 0:
		return 0, fmt.Errorf("%w: negative limit %d", ErrInvalidFilter, limit)
	case limit == 0:
		return DefaultTaskLimit, nil
	default:
		return min(limit, MaxTaskLimit), nil
	}
}

// EncodeCursor makes TaskPage.NextCursor from the sort key (first seen in
// unix nanoseconds, task id) of a page's last task, opaque to clients.
func EncodeCursor(firstSeen int64, taskID string) string {
	return base64.RawURLEncoding.EncodeToString([]byte(strconv.FormatInt(firstSeen, 10) + "/" + taskID))
}

// DecodeCursor reads what EncodeCursor wrote; ErrInvalidFilter otherwise.
func DecodeCursor(cursor string) (firstSeen int64, taskID string, err error) {
	b, err := base64.RawURLEncoding.DecodeString(cursor)
	if err != nil {
		return 0, "", fmt.Errorf("%w: malformed cursor", ErrInvalidFilter)
	}
	ns, taskID, ok := strings.Cut(string(b), "/")
	if !ok {
		return 0, "", fmt.Errorf("%w: malformed cursor", ErrInvalidFilter)
	}
	firstSeen, err = strconv.ParseInt(ns, 10, 64)
	if err != nil {
		return 0, "", fmt.Errorf("%w: malformed cursor", ErrInvalidFilter)
	}
	return firstSeen, taskID, nil
}
