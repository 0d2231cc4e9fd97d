package streamclient

import (
	"bytes"
	"context"
	"encoding/json"
	"fmt"
	"io"
	"iter"
	"mime"
	"net/http"

	sse "github.com/tmaxmax/go-sse"

	"github.com/a2aproxy/a2a-proxy/internal/a2awire"
)

// maxEventSize bounds one SSE event. go-sse's default of 64 KiB is too small
// for agents that send whole documents as artifacts.
const maxEventSize = 16 << 20

// Stream sends text as a new user message to ep and yields the events of the
// answer as they arrive, until the agent closes the stream. A JSON-RPC error
// from the agent, in the stream or instead of it, is an Event with Err set;
// the error value is for failures to get or read the answer (such as an
// *HTTPError). Breaking out of the loop closes the connection.
func (c *Client) Stream(ctx context.Context, ep Endpoint, text string) iter.Seq2[Event, error] {
	return func(yield func(Event, error) bool) {
		resp, err := c.post(ctx, ep, newStreamRequest(ep.Version, text))
		if err != nil {
			yield(Event{}, err)
			return
		}
		defer resp.Body.Close()

		if !isEventStream(resp) {
			yield(readDocument(resp))
			return
		}
		for e, err := range sse.Read(resp.Body, &sse.ReadConfig{MaxEventSize: maxEventSize}) {
			if err != nil {
				yield(Event{}, fmt.Errorf("read stream: %w", err))
				return
			}
			if e.Data == "" {
				continue // an id or event field alone carries no A2A event
			}
			if !yield(decodeSSE(e), nil) {
				return
			}
		}
	}
}

func (c *Client) post(ctx context.Context, ep Endpoint, rpc rpcRequest) (*http.Response, error) {
	body, err := json.Marshal(rpc)
	if err != nil {
		return nil, fmt.Errorf("encode %s: %w", rpc.Method, err)
	}
	req, err := http.NewRequestWithContext(ctx, http.MethodPost, ep.URL, bytes.NewReader(body))
	if err != nil {
		return nil, fmt.Errorf("%s: %w", rpc.Method, err)
	}
	req.Header.Set("Content-Type", "application/json")
	req.Header.Set("Accept", "text/event-stream")
	if ep.Version == a2awire.V10 {
		req.Header.Set(a2awire.HeaderVersion, a2awire.V10)
	}
	resp, err := c.http.Do(req)
	if err != nil {
		return nil, fmt.Errorf("%s: %w", rpc.Method, err)
	}
	if resp.StatusCode != http.StatusOK {
		defer resp.Body.Close()
		return nil, newHTTPError(req, resp)
	}
	return resp, nil
}

func isEventStream(resp *http.Response) bool {
	mediaType, _, _ := mime.ParseMediaType(resp.Header.Get("Content-Type"))
	return mediaType == "text/event-stream"
}

// readDocument reads an answer that is not a stream: normally a JSON-RPC
// error, possibly a unary result.
func readDocument(resp *http.Response) (Event, error) {
	body, err := io.ReadAll(io.LimitReader(resp.Body, maxEventSize))
	if err != nil {
		return Event{}, fmt.Errorf("read response: %w", err)
	}
	ev := DecodeEvent(string(bytes.TrimSpace(body)))
	if ev.Kind == "" {
		return Event{}, fmt.Errorf("want an event stream, got %q: %.200s", resp.Header.Get("Content-Type"), body)
	}
	return ev, nil
}

// decodeSSE decodes one SSE event. @a2a-js/sdk sends failures after the
// headers as "event: error"; they count as errors even when their data is
// not a JSON-RPC error document.
func decodeSSE(e sse.Event) Event {
	ev := DecodeEvent(e.Data)
	if e.Type == "error" && ev.Err == nil {
		ev.Kind = a2awire.KindError
		ev.Err = &RPCError{Message: e.Data}
	}
	return ev
}
