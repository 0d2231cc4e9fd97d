package console

import (
	"strings"
	"time"
)

// timeLayout prints times in the location they carry; convert them first
// (t.Local()) to show local time.
const timeLayout = "2006-01-02 15:04:05"

// formatDuration rounds d to what a reader cares about at its scale.
func formatDuration(d time.Duration) string {
	switch {
	case d < time.Second:
		return d.Round(time.Millisecond).String()
	case d < time.Minute:
		return d.Round(10 * time.Millisecond).String()
	}
	return d.Round(time.Second).String()
}

func formatTime(t time.Time) string {
	if t.IsZero() {
		return "-"
	}
	return t.Format(timeLayout)
}

// orDash keeps empty table cells visible.
func orDash(s string) string {
	if s == "" {
		return "-"
	}
	return s
}

// lines splits text for printing one line at a time; "" gives one empty line.
func lines(text string) []string {
	return strings.Split(strings.TrimRight(text, "\n"), "\n")
}
