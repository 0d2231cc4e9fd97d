package builtinagent

import "net/http"

// jsonByDefault gives the JSON-RPC handler's responses a Content-Type:
// a2a-go v0.3.3 writes unary replies (and errors) without one, so net/http
// would sniff them as text/plain, which the A2A spec does not allow (the
// conformance rule http.content-type). Streams set text/event-stream
// themselves and are left alone.
func jsonByDefault(next http.Handler) http.Handler {
	return http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		next.ServeHTTP(&jsonWriter{ResponseWriter: w}, r)
	})
}

type jsonWriter struct {
	http.ResponseWriter
	wrote bool
}

func (w *jsonWriter) WriteHeader(status int) {
	if !w.wrote {
		w.wrote = true
		if h := w.Header(); h.Get("Content-Type") == "" {
			h.Set("Content-Type", "application/json")
		}
	}
	w.ResponseWriter.WriteHeader(status)
}

func (w *jsonWriter) Write(p []byte) (int, error) {
	if !w.wrote {
		w.WriteHeader(http.StatusOK)
	}
	return w.ResponseWriter.Write(p)
}

// Unwrap lets http.NewResponseController reach the flusher, so streams are
// still flushed event by event.
func (w *jsonWriter) Unwrap() http.ResponseWriter { return w.ResponseWriter }

// Flush keeps the handler's own flushes working: a2a-go asserts http.Flusher.
func (w *jsonWriter) Flush() {
	if !w.wrote {
		w.WriteHeader(http.StatusOK)
	}
	http.NewResponseController(w.ResponseWriter).Flush() //nolint:errcheck // as http.Flusher, which has no error
}
