package proxy

import (
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"net/http"
	"net/url"
	"strconv"
	"time"
)

// maxCardBytes caps an agent card read for the directory.
const maxCardBytes = 1 << 20

// cardFetchTimeout bounds one card fetch, the legacy-path retry included:
// an agent that accepts the connection and never answers must not hold the
// admin page (or its goroutine) for ever. The caller's context still
// applies; the agents page sets a shorter one.
const cardFetchTimeout = 10 * time.Second

// ErrCardRedirect is returned by Card for an agent that answers its card
// request with a redirect: the proxy follows none, so that a card check
// never reaches a host other than the configured agent.
var ErrCardRedirect = errors.New("a2a-proxy does not follow redirects off the agent")

// ErrUnknownAgent is returned by Card for a name that is not configured.
var ErrUnknownAgent = errors.New("unknown agent")

// AgentNames returns the configured agents' names in their configured order:
// the first is the default agent.
func (p *Proxy) AgentNames() []string {
	names := make([]string, len(p.opts.Agents))
	for i, a := range p.opts.Agents {
		names[i] = a.Name
	}
	return names
}

// AgentURL returns the upstream base URL of the named agent.
func (p *Proxy) AgentURL(name string) (string, bool) {
	a, ok := p.agents[name]
	if !ok {
		return "", false
	}
	return a.URL.String(), true
}

// Card fetches the named agent's card from its upstream and rewrites it as
// the data plane at base serves it under /agents/{name}/. It calls the agent
// directly, not through the proxy's handler, so nothing is recorded.
func (p *Proxy) Card(ctx context.Context, name string, base *url.URL) (json.RawMessage, error) {
	agent, ok := p.agents[name]
	if !ok {
		return nil, fmt.Errorf("%w %q", ErrUnknownAgent, name)
	}
	body, err := p.fetchCard(ctx, agent)
	if err != nil {
		return nil, err
	}
	res, err := rewriteCard(body, agent.URL, base.JoinPath("agents", name))
	if err != nil {
		return nil, fmt.Errorf("agent %s: card is not a JSON object: %w", name, err)
	}
	return res.body, nil
}

// fetchCard reads the agent's card, from the pre-0.3 path when the current
// one is not found, as clients do.
func (p *Proxy) fetchCard(ctx context.Context, agent Agent) ([]byte, error) {
	ctx, cancel := context.WithTimeout(ctx, p.cardTimeout)
	defer cancel()
	client := &http.Client{Transport: p.opts.Transport, CheckRedirect: noRedirects}
	body, status, err := getCard(ctx, client, agent.URL.JoinPath(cardPath))
	if err == nil && status == http.StatusNotFound {
		body, status, err = getCard(ctx, client, agent.URL.JoinPath(legacyCardPath))
	}
	switch {
	case errors.Is(err, ErrCardRedirect):
		return nil, fmt.Errorf("agent %s: card request %w", agent.Name, err)
	case err != nil:
		return nil, fmt.Errorf("agent %s: fetch card: %w", agent.Name, err)
	case status/100 != 2:
		return nil, fmt.Errorf("agent %s: fetch card: HTTP status %d", agent.Name, status)
	}
	return body, nil
}

func getCard(ctx context.Context, client *http.Client, u *url.URL) (body []byte, status int, err error) {
	req, err := http.NewRequestWithContext(ctx, http.MethodGet, u.String(), nil)
	if err != nil {
		return nil, 0, err
	}
	req.Header.Set("Accept", "application/json")
	resp, err := client.Do(req)
	if err != nil {
		return nil, 0, err
	}
	defer resp.Body.Close()
	if resp.StatusCode/100 == 3 {
		return nil, resp.StatusCode, redirectError(resp)
	}
	body, err = io.ReadAll(io.LimitReader(resp.Body, maxCardBytes))
	return body, resp.StatusCode, err
}

// noRedirects makes an http.Client return a redirect as the response.
func noRedirects(*http.Request, []*http.Request) error { return http.ErrUseLastResponse }

// redirectError says where a redirect pointed.
func redirectError(resp *http.Response) error {
	to := "nowhere (no Location)"
	if loc, err := resp.Location(); err == nil {
		to = strconv.Quote(loc.String())
	}
	return fmt.Errorf("redirected (HTTP status %d) to %s; %w", resp.StatusCode, to, ErrCardRedirect)
}
