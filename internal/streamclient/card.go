package streamclient

import (
	"cmp"
	"context"
	"encoding/json"
	"fmt"
	"io"
	"net/http"
	"net/url"
	"strings"

	"github.com/a2aproxy/a2a-proxy/internal/a2awire"
)

// maxCardSize bounds how much of a card response is read.
const maxCardSize = 1 << 20

// Endpoint is where and how to send messages to an agent.
type Endpoint struct {
	Agent   string // the card's name
	URL     string // the JSON-RPC service URL
	Version string // a2awire.V03 or a2awire.V10
}

// agentCard holds the card fields that say where an agent listens, in both
// versions' shapes.
type agentCard struct {
	Name string `json:"name"`
	// v0.3
	URL                  string `json:"url"`
	PreferredTransport   string `json:"preferredTransport"`
	AdditionalInterfaces []struct {
		URL       string `json:"url"`
		Transport string `json:"transport"`
	} `json:"additionalInterfaces"`
	// v1.0, also embedded in the v0.3 cards of @a2a-js/sdk 1.x
	SupportedInterfaces []struct {
		URL             string `json:"url"`
		ProtocolBinding string `json:"protocolBinding"`
		ProtocolVersion string `json:"protocolVersion"`
	} `json:"supportedInterfaces"`
}

const bindingJSONRPC = "JSONRPC"

// Discover reads the agent card at baseURL (the agent's base URL, or the
// card's own URL when it ends in .json) and picks the JSON-RPC endpoint to
// stream from.
func (c *Client) Discover(ctx context.Context, baseURL string) (Endpoint, error) {
	where, err := cardURL(baseURL)
	if err != nil {
		return Endpoint{}, err
	}
	card, err := c.fetchCard(ctx, where)
	if err != nil {
		return Endpoint{}, fmt.Errorf("fetch card: %w", err)
	}
	ep, ok := card.endpoint(c.version)
	if !ok {
		return Endpoint{}, fmt.Errorf("card %s lists no JSON-RPC interface", where)
	}
	return ep, nil
}

func cardURL(baseURL string) (string, error) {
	u, err := url.Parse(baseURL)
	if err != nil {
		return "", fmt.Errorf("agent url: %w", err)
	}
	if u.Scheme != "http" && u.Scheme != "https" {
		return "", fmt.Errorf("agent url %q: want http or https", baseURL)
	}
	if strings.HasSuffix(u.Path, ".json") {
		return u.String(), nil
	}
	return u.JoinPath(".well-known", "agent-card.json").String(), nil
}

// fetchCard asks for the v1.0 card unless v0.3 is forced. A 1.x JS server
// answers A2A-Version: 1.0 with a v1.0 card and a request without it with a
// v0.3 card (whose url a v0.3 client must use); both list the v1.0
// interfaces. v0.3-only servers ignore the header.
func (c *Client) fetchCard(ctx context.Context, where string) (*agentCard, error) {
	req, err := http.NewRequestWithContext(ctx, http.MethodGet, where, nil)
	if err != nil {
		return nil, err
	}
	req.Header.Set("Accept", "application/json")
	if c.version != a2awire.V03 {
		req.Header.Set(a2awire.HeaderVersion, a2awire.V10)
	}
	resp, err := c.http.Do(req)
	if err != nil {
		return nil, err
	}
	defer resp.Body.Close()
	if resp.StatusCode != http.StatusOK {
		return nil, newHTTPError(req, resp)
	}
	var card agentCard
	if err := json.NewDecoder(io.LimitReader(resp.Body, maxCardSize)).Decode(&card); err != nil {
		return nil, fmt.Errorf("decode %s: %w", where, err)
	}
	return &card, nil
}

// endpoint picks the JSON-RPC interface for version, or for the newest
// version the card offers when version is empty. A forced version falls back
// to the other version's URL, since agents often serve both at one address.
func (card *agentCard) endpoint(version string) (Endpoint, bool) {
	v1, v03 := card.v1URL(), card.v03URL()
	if version == "" {
		version = a2awire.V03
		if v1 != "" {
			version = a2awire.V10
		}
	}
	address := cmp.Or(v03, v1)
	if version == a2awire.V10 {
		address = cmp.Or(v1, v03)
	}
	return Endpoint{Agent: card.Name, URL: address, Version: version}, address != ""
}

func (card *agentCard) v1URL() string {
	for _, in := range card.SupportedInterfaces {
		if strings.EqualFold(in.ProtocolBinding, bindingJSONRPC) && isV1(in.ProtocolVersion) {
			return in.URL
		}
	}
	return ""
}

func (card *agentCard) v03URL() string {
	if card.URL != "" && (card.PreferredTransport == "" || strings.EqualFold(card.PreferredTransport, bindingJSONRPC)) {
		return card.URL
	}
	for _, in := range card.AdditionalInterfaces {
		if strings.EqualFold(in.Transport, bindingJSONRPC) {
			return in.URL
		}
	}
	for _, in := range card.SupportedInterfaces {
		if strings.EqualFold(in.ProtocolBinding, bindingJSONRPC) && strings.HasPrefix(in.ProtocolVersion, "0.") {
			return in.URL
		}
	}
	return ""
}

func isV1(protocolVersion string) bool {
	return protocolVersion == "1" || strings.HasPrefix(protocolVersion, "1.")
}
