package ssebench

import (
	"bufio"
	"bytes"
	"context"
	"errors"
	"fmt"
	"io"
	"net"
	"net/http"
	"strconv"
	"time"
)

// newHTTPClient keeps one connection per stream open between exchanges and
// leaves the bytes as they are sent.
func newHTTPClient(streams int) *http.Client {
	return &http.Client{Transport: &http.Transport{
		DialContext:         (&net.Dialer{Timeout: 10 * time.Second}).DialContext,
		MaxIdleConns:        streams,
		MaxIdleConnsPerHost: streams,
		IdleConnTimeout:     90 * time.Second,
		DisableCompression:  true,
	}}
}

// streamResult is what one stream of the load client saw.
type streamResult struct {
	latencies []int64 // per event, receive minus send, in nanoseconds
	exchanges int
	expected  int // events asked for
	received  int
	err       error // the first failure; the stream stops there
}

// loadStream is one stream of the load client: a connection that runs
// exchanges back to back and times every event.
type loadStream struct {
	id     int
	client *http.Client
	url    string
	w      Workload
	br     *bufio.Reader // reused by every exchange
	res    streamResult
}

// newLoadStream allocates the stream's buffers, latencies included, so
// that the run itself allocates as little as possible.
func newLoadStream(id int, client *http.Client, url string, w Workload) *loadStream {
	return &loadStream{
		id: id, client: client, url: url, w: w,
		br:  bufio.NewReaderSize(nil, 16<<10),
		res: streamResult{latencies: make([]int64, 0, w.latencyCap(id))},
	}
}

// run sends the stream's share of the workload; start is the workload's.
func (s *loadStream) run(ctx context.Context, start time.Time) streamResult {
	res := s.res
	timer := time.NewTimer(0)
	defer timer.Stop()
	if !sleepUntil(ctx, timer, start.Add(s.w.stagger(s.id))) {
		res.err = ctx.Err()
		return res
	}
	left := s.w.quota(s.id)
	for left != 0 && (left > 0 || time.Since(start) < s.w.Duration) {
		n := s.w.PerExchange
		if res.exchanges == 0 {
			n = s.w.firstExchange(s.id)
		}
		if left > 0 {
			n = min(n, left)
			left -= n
		}
		res.expected += n
		res.exchanges++
		if res.err = s.exchange(ctx, &res, n); res.err != nil {
			return res
		}
	}
	return res
}

// exchange opens one stream of n events and reads it to the end.
func (s *loadStream) exchange(ctx context.Context, res *streamResult, n int) error {
	p := streamParams{
		task:     "T-" + strconv.Itoa(s.id) + "." + strconv.Itoa(res.exchanges),
		events:   n,
		interval: s.w.Interval,
		size:     s.w.Size,
	}
	body := bytes.NewReader(requestBody(p.task))
	req, err := http.NewRequestWithContext(ctx, http.MethodPost, s.url+"/?"+p.query(), body)
	if err != nil {
		return err
	}
	req.Header.Set("Content-Type", "application/json")
	req.Header.Set("Accept", "text/event-stream")
	resp, err := s.client.Do(req)
	if err != nil {
		return fmt.Errorf("stream %s: %w", p.task, err)
	}
	defer resp.Body.Close()
	if resp.StatusCode != http.StatusOK {
		return fmt.Errorf("stream %s: status %s", p.task, resp.Status)
	}
	s.br.Reset(resp.Body)
	got, err := readEvents(s.br, &res.latencies)
	res.received += got
	if err != nil {
		return fmt.Errorf("stream %s: after %d events: %w", p.task, got, err)
	}
	if got != n {
		return fmt.Errorf("stream %s: %d events, want %d", p.task, got, n)
	}
	return nil
}

// readEvents reads SSE lines up to EOF, timing each data line against the
// send stamp inside it. It checks that ids run 0, 1, 2... and nothing more:
// a full SSE parser would add its own cost to every event of every target.
func readEvents(br *bufio.Reader, latencies *[]int64) (n int, err error) {
	for {
		line, err := br.ReadSlice('\n')
		switch {
		case errors.Is(err, io.EOF) && len(line) == 0:
			return n, nil
		case err != nil:
			return n, err
		}
		switch {
		case bytes.HasPrefix(line, []byte("data:")):
			at := monoNow()
			sent, ok := parseSentNs(line)
			if !ok {
				return n, fmt.Errorf("event %d: no send stamp", n)
			}
			*latencies = append(*latencies, at-sent)
			n++
		case bytes.HasPrefix(line, []byte("id: ")):
			if id, ok := parseDigits(line[4:]); !ok || id != int64(n) {
				return n, fmt.Errorf("event id %d, want %d", id, n)
			}
		}
	}
}
