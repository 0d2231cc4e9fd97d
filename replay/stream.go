package replay

import (
	"net/http"
	"time"
)

// startStream sends the headers of an event stream. The server's write
// timeout, if any, is lifted: a replay at the recorded pace is as long as
// the recording.
func startStream(w http.ResponseWriter, contentType string) *http.ResponseController {
	rc := http.NewResponseController(w)
	_ = rc.SetWriteDeadline(time.Time{}) // not every writer has deadlines
	if contentType == "" {
		contentType = "text/event-stream"
	}
	w.Header().Set("Content-Type", contentType)
	w.Header().Set("Cache-Control", "no-cache")
	w.WriteHeader(http.StatusOK)
	_ = rc.Flush() // the client sees the stream open before the first event is due
	return rc
}

// writeSSEData sends one event made of a data line, as a2a-go frames them,
// and flushes it.
func writeSSEData(w http.ResponseWriter, rc *http.ResponseController, data []byte) error {
	for _, part := range [][]byte{[]byte("data: "), data, []byte("\n\n")} {
		if _, err := w.Write(part); err != nil {
			return err
		}
	}
	return rc.Flush()
}

// CutConnection ends a response abnormally: the client sees the connection
// drop in the middle of the stream, not its end. It hijacks the connection
// and closes it, which works through any middleware: gin's Recovery would
// turn a panic with http.ErrAbortHandler into a clean end, and gin's writer
// refuses to hijack once the body is written, so the writers it wraps are
// tried in turn. Where no writer can hijack (HTTP/2) it panics with
// http.ErrAbortHandler.
func CutConnection(w http.ResponseWriter) {
	for w != nil {
		if h, ok := w.(http.Hijacker); ok {
			if conn, _, err := h.Hijack(); err == nil {
				_ = conn.Close() // the point is that it is gone
				return
			}
		}
		u, ok := w.(interface{ Unwrap() http.ResponseWriter })
		if !ok {
			break
		}
		w = u.Unwrap()
	}
	panic(http.ErrAbortHandler)
}
