package proxy

import (
	"bufio"
	"context"
	"errors"
	"fmt"
	"io"
	"net"
	"net/http"
	"net/http/httptest"
	"strconv"
	"strings"
	"testing"

	"github.com/a2aproxy/a2a-proxy/recorder"
)

// readHead reads a response's status line and headers off a raw connection.
func readHead(t *testing.T, br *bufio.Reader) (string, http.Header) {
	t.Helper()
	status, err := br.ReadString('\n')
	if err != nil {
		t.Fatal(err)
	}
	h := http.Header{}
	for {
		line, err := br.ReadString('\n')
		if err != nil {
			t.Fatal(err)
		}
		line = strings.TrimRight(line, "\r\n")
		if line == "" {
			return strings.TrimRight(status, "\r\n"), h
		}
		k, v, _ := strings.Cut(line, ": ")
		h.Add(k, v)
	}
}

// readChunk reads one chunk of a chunked body.
func readChunk(t *testing.T, br *bufio.Reader) string {
	t.Helper()
	line, err := br.ReadString('\n')
	if err != nil {
		t.Fatal(err)
	}
	n, err := strconv.ParseInt(strings.TrimRight(line, "\r\n"), 16, 64)
	if err != nil {
		t.Fatalf("chunk size line %q: %v", line, err)
	}
	data := make([]byte, n+2)
	if _, err := io.ReadFull(br, data); err != nil {
		t.Fatal(err)
	}
	if string(data[n:]) != "\r\n" {
		t.Fatalf("chunk %q not ended by CRLF", data)
	}
	return string(data[:n])
}

func rawStreamRequest(extra string) string {
	return fmt.Sprintf("POST / HTTP/1.1\r\nHost: proxy\r\nContent-Type: application/json\r\n%sContent-Length: %d\r\n\r\n%s",
		extra, len(streamRequest), streamRequest)
}

// A stream taken off net/http's connection reads on the wire as net/http
// would write it: the agent's end-to-end headers without its hop-by-hop
// ones, chunked, one chunk per event as soon as it arrives, the last chunk
// at the end; and the connection then serves the client's next request, as
// after any response.
func TestDetachedStreamWireAndKeepAlive(t *testing.T) {
	next := make(chan struct{})
	srv, rec, _ := startProxy(t, http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		w.Header().Set("Connection", "X-Hop")
		w.Header().Set("X-Hop", "1")
		w.Header().Set("Keep-Alive", "timeout=5")
		w.Header().Set("X-Agent", "yes")
		sseHeaders(w)
		for _, ev := range a2aEvents {
			io.WriteString(w, ev)
			w.(http.Flusher).Flush()
			<-next // the client has it: the next event is a read of its own
		}
	}))
	conn, err := net.Dial("tcp", srv.Listener.Addr().String())
	if err != nil {
		t.Fatal(err)
	}
	defer conn.Close()
	br := bufio.NewReader(conn)
	io.WriteString(conn, rawStreamRequest(""))
	status, h := readHead(t, br)
	if status != "HTTP/1.1 200 OK" || h.Get("Transfer-Encoding") != "chunked" || h.Get("Content-Type") != "text/event-stream" ||
		h.Get("X-Agent") != "yes" || len(h.Values("Date")) != 1 {
		t.Fatalf("head %q %v", status, h)
	}
	for _, hop := range []string{"Connection", "X-Hop", "Keep-Alive", "Content-Length"} {
		if v, ok := h[hop]; ok {
			t.Errorf("hop-by-hop header %s: %v reached the client", hop, v)
		}
	}
	for i, ev := range a2aEvents {
		if got := readChunk(t, br); got != ev {
			t.Fatalf("chunk %d = %q, want event %q", i, got, ev)
		}
		next <- struct{}{}
	}
	if last := readChunk(t, br); last != "" { // "0\r\n\r\n": no trailers
		t.Fatalf("last chunk %q", last)
	}
	if end, _ := rec.waitEnd(t); end.Outcome != recorder.OutcomeCompleted || end.EventCount != 4 {
		t.Fatalf("end %+v", end)
	}

	io.WriteString(conn, "GET /healthz HTTP/1.1\r\nHost: proxy\r\n\r\n")
	resp, err := http.ReadResponse(br, nil)
	if err != nil {
		t.Fatalf("next request on the connection: %v", err)
	}
	body, _ := io.ReadAll(resp.Body)
	if resp.StatusCode != http.StatusOK || !strings.Contains(string(body), "ok") {
		t.Fatalf("next request: %d %s", resp.StatusCode, body)
	}
}

// A client that asks for the connection to close gets "Connection: close",
// as from net/http, and the connection closes after the stream.
func TestDetachedStreamConnectionClose(t *testing.T) {
	srv, _, _ := startProxy(t, http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		sseHeaders(w)
		io.WriteString(w, a2aEvents[0])
	}))
	conn, err := net.Dial("tcp", srv.Listener.Addr().String())
	if err != nil {
		t.Fatal(err)
	}
	defer conn.Close()
	br := bufio.NewReader(conn)
	io.WriteString(conn, rawStreamRequest("Connection: close\r\n"))
	if _, h := readHead(t, br); h.Get("Connection") != "close" {
		t.Fatalf("head %v", h)
	}
	if got := readChunk(t, br); got != a2aEvents[0] {
		t.Fatalf("chunk %q", got)
	}
	rest, err := io.ReadAll(br)
	if err != nil || string(rest) != "0\r\n\r\n" {
		t.Fatalf("after the event: %q %v, want the last chunk then EOF", rest, err)
	}
}

// An agent may answer before it has read the request: the stream is then
// detached while the request body is still being written. The body must
// still reach the agent whole and the stream go on.
func TestDetachedStreamWhileRequestIsWritten(t *testing.T) {
	pad := strings.Repeat("x", 8<<20) // more than the sockets buffer
	body := `{"jsonrpc":"2.0","id":1,"method":"message/stream","params":{"pad":"` + pad + `"}}`
	srv, rec, _ := startProxy(t, http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		sseHeaders(w)
		io.WriteString(w, a2aEvents[0])
		w.(http.Flusher).Flush()
		got, err := io.ReadAll(r.Body)
		fmt.Fprintf(w, "data: {\"read\":%d,\"err\":%q}\n\n", len(got), fmt.Sprint(err))
	}))
	resp, err := http.Post(srv.URL, "application/json", strings.NewReader(body))
	if err != nil {
		t.Fatal(err)
	}
	defer resp.Body.Close()
	got, err := io.ReadAll(resp.Body)
	want := a2aEvents[0] + fmt.Sprintf("data: {\"read\":%d,\"err\":\"<nil>\"}\n\n", len(body))
	if err != nil || string(got) != want {
		t.Fatalf("client got %q %v, want %q", got, err, want)
	}
	if end, _ := rec.waitEnd(t); end.Outcome != recorder.OutcomeCompleted {
		t.Fatalf("end %+v", end)
	}
}

// Over HTTP/2 a stream shares its connection and cannot be taken off it:
// it is served as before, event by event, and recorded the same.
func TestStreamOverHTTP2(t *testing.T) {
	up := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		sseHeaders(w)
		for _, ev := range a2aEvents {
			io.WriteString(w, ev)
			w.(http.Flusher).Flush()
		}
	}))
	defer up.Close()
	agent, err := NewAgent("test", up.URL)
	if err != nil {
		t.Fatal(err)
	}
	rec := newMemRecorder()
	p, err := New(Options{Agents: []Agent{agent}, Recorder: rec})
	if err != nil {
		t.Fatal(err)
	}
	srv := httptest.NewUnstartedServer(p)
	srv.EnableHTTP2 = true
	srv.StartTLS()
	defer srv.Close()
	resp, err := srv.Client().Post(srv.URL, "application/json", strings.NewReader(streamRequest))
	if err != nil {
		t.Fatal(err)
	}
	defer resp.Body.Close()
	got, err := io.ReadAll(resp.Body)
	if err != nil || resp.ProtoMajor != 2 || string(got) != strings.Join(a2aEvents, "") {
		t.Fatalf("HTTP/%d: %q %v", resp.ProtoMajor, got, err)
	}
	if end, evs := rec.waitEnd(t); end.Outcome != recorder.OutcomeCompleted || len(evs) != 4 {
		t.Fatalf("end %+v, %d events", end, len(evs))
	}
}

// http.Server.Shutdown does not wait for streams taken off its
// connections; Proxy.WaitContext does, until its context ends.
func TestWaitContextCoversDetachedStreams(t *testing.T) {
	srv, rec, p := startProxy(t, http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		sseHeaders(w)
		io.WriteString(w, a2aEvents[0])
		w.(http.Flusher).Flush()
		<-r.Context().Done()
	}))
	resp := postStream(t, context.Background(), srv.URL)
	if _, err := readEvent(bufio.NewReader(resp.Body)); err != nil {
		t.Fatal(err)
	}
	ctx, cancel := context.WithCancel(context.Background())
	cancel()
	if err := p.WaitContext(ctx); !errors.Is(err, context.Canceled) {
		t.Fatalf("WaitContext with a stream open: %v", err)
	}
	resp.Body.Close()
	if end, _ := rec.waitEnd(t); end.Outcome != recorder.OutcomeClientClosed {
		t.Fatalf("end %+v", end)
	}
	if err := p.WaitContext(context.Background()); err != nil {
		t.Fatalf("WaitContext once the stream ended: %v", err)
	}
}
