package proxy

import (
	"bytes"
	"errors"
	"io"
	"net"
	"net/http"
	"net/http/httputil"
	"strconv"
	"time"
)

// An event stream can stay open for hours while nothing happens. Served the
// usual way it keeps net/http's server connection busy: the handler's
// goroutine with its deep stack, the connection's background read goroutine
// and its read, write and response buffers, most of an idle stream's cost.
// So once the agent's headers are in, a stream on an HTTP/1.1 connection is
// taken off net/http (the connection is hijacked), framed here with chunked
// transfer encoding as net/http would frame it, and copied by a goroutine
// of its own with a shallow stack; the handler returns and net/http lets go
// of all the rest. When the stream ends, the connection goes back to the
// server for the client's next requests, as after any response.

// errDetached is what modifyResponse returns for a stream it took over, so
// that ReverseProxy leaves the response alone.
var errDetached = errors.New("proxy: stream taken off the server connection")

// errClientGone cancels the upstream call of a detached stream whose client
// went away.
var errClientGone = errors.New("the client closed the connection")

// hijacker is the connection behind w, when a stream may be taken off it:
// HTTP/1.1 (HTTP/2 streams share a connection; HTTP/1.0 has no chunking),
// and net/http's own writer under gin's. It is taken through gin's writer,
// so that gin counts the response as written and adds nothing to it.
func hijacker(w http.ResponseWriter, r *http.Request) http.Hijacker {
	outer, ok := w.(http.Hijacker)
	if !ok || r.ProtoMajor != 1 || r.ProtoMinor < 1 {
		return nil
	}
	for {
		u, ok := w.(interface{ Unwrap() http.ResponseWriter })
		if !ok {
			break
		}
		w = u.Unwrap()
	}
	if _, ok := w.(http.Hijacker); !ok {
		return nil
	}
	return outer
}

// detach takes the client's connection over for resp, an event stream, and
// sends it resp's status line and headers. It reports false, leaving the
// response to ReverseProxy, when the stream is not one it frames the same.
func (ex *exchange) detach(resp *http.Response) bool {
	if ex.hijacker == nil || resp.StatusCode != http.StatusOK || resp.ContentLength >= 0 ||
		len(resp.Trailer) > 0 || ex.in.Method == http.MethodHead {
		return false
	}
	conn, brw, err := ex.hijacker.Hijack()
	if err != nil {
		return false
	}
	ex.conn = conn
	if ex.in.Context().Err() != nil {
		ex.gone.Store(true) // the client left before: net/http no longer says so
	}
	// The server's buffers, returned with conn, are dropped. Bytes the
	// client sent past the request could not be handed back with conn.
	if srv, ok := ex.in.Context().Value(http.ServerContextKey).(*http.Server); ok && !ex.in.Close && brw.Reader.Buffered() == 0 {
		ex.server = srv
	}
	ex.in.Body = http.NoBody // it holds the server's read buffer
	if _, err := conn.Write(responseHead(resp.Header, ex.in.Close)); err != nil {
		ex.clientGone()
	}
	return true
}

// responseHead is what net/http writes before a chunked body, with the
// headers ReverseProxy would have copied: sorted, then Date if the agent
// sent none, then Connection: close if the client asked for it.
func responseHead(h http.Header, closing bool) []byte {
	h.Del("Content-Length")
	h.Del("Connection")
	var b bytes.Buffer
	b.WriteString("HTTP/1.1 200 OK\r\n")
	_ = h.Write(&b)
	if _, ok := h["Date"]; !ok {
		b.WriteString("Date: ")
		b.Write(time.Now().UTC().AppendFormat(nil, http.TimeFormat))
		b.WriteString("\r\n")
	}
	if closing {
		b.WriteString("Connection: close\r\n")
	}
	b.WriteString("Transfer-Encoding: chunked\r\n\r\n")
	return b.Bytes()
}

// clientGone notes that the client of a detached stream left, and cuts the
// upstream call.
func (ex *exchange) clientGone() {
	ex.gone.Store(true)
	ex.cancel(errClientGone)
}

// chunkRoom is what a chunk's size line takes before its data in the copy
// buffer: up to 8 hex digits and CRLF; the CRLF after the data takes 2.
const chunkRoom = 10

// stream copies a detached stream to the client, each read of the agent's
// body as one chunk in one write, as ReverseProxy flushes each, and ends the
// exchange. It runs on its own goroutine.
func (p *Proxy) stream(ex *exchange) {
	conn := ex.conn
	watched := make(chan bool, 1)
	go ex.watchClient(conn, watched)
	ex.tee.shallow = true
	err := copyChunks(conn, ex.tee, p.rp.BufferPool)
	ex.closing.Store(true) // a client that leaves now has had the whole stream
	var werr *writeError
	if errors.As(err, &werr) {
		ex.clientGone()
	}
	ex.tee.Close()
	// Recorded before the client sees the end, as when net/http ends it.
	p.finishOnce(ex)
	// The watch stops before the last chunk: the client's next request,
	// sent as soon as it has it, is the server's to read.
	keep := err == nil && ex.server != nil && stopWatching(conn, watched)
	if err == nil {
		_, err = io.WriteString(conn, "0\r\n\r\n")
	}
	// After a failure, the connection closes without the last chunk: the
	// client sees the stream broken.
	if err != nil || !keep || !serveNext(ex.server, conn) {
		conn.Close()
	}
	p.open.Done()
}

// writeError is a failed write to the client.
type writeError struct{ err error }

func (e *writeError) Error() string { return e.err.Error() }
func (e *writeError) Unwrap() error { return e.err }

// idleBufSize is the copy buffer of a stream waiting for its agent: most
// events fit; one that fills it is followed by reads into a pooled buffer
// until a read comes back short, so that a stream does not hold a buffer of
// copyBufferSize while it idles.
const idleBufSize = 1 << 10

// copyChunks copies r to w, each read as one chunk.
func copyChunks(w io.Writer, r io.Reader, pool httputil.BufferPool) error {
	idle := make([]byte, chunkRoom+idleBufSize+2)
	buf := idle
	defer func() {
		if len(buf) != len(idle) {
			pool.Put(buf)
		}
	}()
	for {
		n, rerr := r.Read(buf[chunkRoom : len(buf)-2])
		if n > 0 {
			size := strconv.AppendInt(buf[:0:chunkRoom], int64(n), 16)
			start := chunkRoom - len(size) - 2
			copy(buf[start:], size)
			buf[chunkRoom-2], buf[chunkRoom-1] = '\r', '\n'
			end := chunkRoom + n
			buf[end], buf[end+1] = '\r', '\n'
			if _, err := w.Write(buf[start : end+2]); err != nil {
				return &writeError{err}
			}
		}
		if rerr == io.EOF {
			return nil
		}
		if rerr != nil {
			return rerr
		}
		switch full := n == len(buf)-chunkRoom-2; {
		case full && len(buf) == len(idle):
			buf = pool.Get()
		case !full && len(buf) != len(idle):
			pool.Put(buf)
			buf = idle
		}
	}
}

// watchClient cuts the stream as soon as the client closes its connection,
// as net/http's background read does for a handler's request. It reports
// on watched, once stopped, whether conn may serve further requests: not
// if the client sent bytes meanwhile (they are discarded) or left.
func (ex *exchange) watchClient(conn net.Conn, watched chan<- bool) {
	var b [64]byte
	clean := true
	for {
		n, err := conn.Read(b[:])
		if n > 0 {
			clean = false
		}
		if err != nil {
			if !ex.closing.Load() {
				ex.clientGone()
			}
			var ne net.Error
			watched <- clean && errors.As(err, &ne) && ne.Timeout()
			return
		}
	}
}

// stopWatching stops watchClient, and reports whether conn may serve
// further requests.
func stopWatching(conn net.Conn, watched <-chan bool) bool {
	if err := conn.SetReadDeadline(time.Unix(1, 0)); err != nil {
		return false
	}
	clean := <-watched
	return clean && conn.SetReadDeadline(time.Time{}) == nil
}

// serveNext hands conn back to srv, which serves the client's next
// requests on it as after any response, and reports whether srv took it
// (not when it is shutting down).
func serveNext(srv *http.Server, conn net.Conn) bool {
	l := &oneConn{conn: conn}
	_ = srv.Serve(l) // returns once conn is taken: its goroutine serves it
	return l.taken
}

// oneConn is a listener that accepts conn, then reports itself closed.
type oneConn struct {
	conn  net.Conn
	taken bool
}

func (l *oneConn) Accept() (net.Conn, error) {
	if l.taken {
		return nil, net.ErrClosed
	}
	l.taken = true
	return l.conn, nil
}

func (l *oneConn) Close() error   { return nil }
func (l *oneConn) Addr() net.Addr { return l.conn.LocalAddr() }
