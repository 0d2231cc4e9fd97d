package streamclient

import (
	"fmt"
	"io"
	"net/http"
	"strings"
)

// RPCError is a JSON-RPC error the agent answered with.
type RPCError struct {
	Code    int
	Message string
}

func (e *RPCError) Error() string {
	return fmt.Sprintf("agent error %d: %s", e.Code, e.Message)
}

// HTTPError is an HTTP response other than 200 OK.
type HTTPError struct {
	Method     string
	URL        string
	StatusCode int
	Status     string // "404 Not Found"
	Body       string // the start of the response body, for the reader
}

func (e *HTTPError) Error() string {
	msg := fmt.Sprintf("%s %s: %s", e.Method, e.URL, e.Status)
	if e.Body != "" {
		msg += ": " + e.Body
	}
	return msg
}

// maxErrorBody bounds how much of an error response is quoted.
const maxErrorBody = 512

func newHTTPError(req *http.Request, resp *http.Response) *HTTPError {
	body, _ := io.ReadAll(io.LimitReader(resp.Body, maxErrorBody)) // best effort: the status says enough
	return &HTTPError{
		Method:     req.Method,
		URL:        req.URL.String(),
		StatusCode: resp.StatusCode,
		Status:     resp.Status,
		Body:       strings.TrimSpace(string(body)),
	}
}
