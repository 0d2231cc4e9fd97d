// Package streamclient is a small A2A client that speaks both protocol
// versions: it reads an agent card, picks v1.0 or v0.3 JSON-RPC, sends one
// user message on a streaming call and decodes the events of the answer. It
// backs `a2a-proxy send` and the printing of replays.
package streamclient

import (
	"cmp"
	"fmt"
	"net/http"

	"github.com/a2aproxy/a2a-proxy/internal/a2awire"
)

// Options configures a Client. The zero value is ready to use.
type Options struct {
	// Version forces the protocol version: "0.3" or "1.0". Empty means v1.0
	// when the agent card lists a v1.0 JSON-RPC interface, else v0.3.
	Version string
	// HTTPClient sends the requests. If nil, http.DefaultClient is used.
	HTTPClient *http.Client
}

// Client sends messages to A2A agents over JSON-RPC.
type Client struct {
	version string
	http    *http.Client
}

// New returns a Client, or an error when opts names an unknown version.
func New(opts Options) (*Client, error) {
	switch opts.Version {
	case "", a2awire.V03, a2awire.V10:
	default:
		return nil, fmt.Errorf("protocol version %q: want %q, %q or empty", opts.Version, a2awire.V03, a2awire.V10)
	}
	return &Client{
		version: opts.Version,
		http:    cmp.Or(opts.HTTPClient, http.DefaultClient),
	}, nil
}
