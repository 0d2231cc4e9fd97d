package proxy

import (
	"fmt"
	"net/url"
	"regexp"
	"strings"
)

// Agent is one upstream A2A agent the proxy fronts.
type Agent struct {
	Name string   // used in /agents/{name}/ and recorded with every exchange
	URL  *url.URL // the agent's base URL: where its card and endpoints live
}

var agentName = regexp.MustCompile(`^[A-Za-z0-9][A-Za-z0-9._-]*$`)

// ParseAgent reads a NAME=URL flag value.
func ParseAgent(s string) (Agent, error) {
	name, raw, ok := strings.Cut(s, "=")
	if !ok {
		return Agent{}, fmt.Errorf("agent %q: want NAME=URL", s)
	}
	return NewAgent(name, raw)
}

// NewAgent checks a name and an absolute http(s) base URL.
func NewAgent(name, rawURL string) (Agent, error) {
	if !agentName.MatchString(name) {
		return Agent{}, fmt.Errorf("agent name %q: use letters, digits, '.', '_' and '-'", name)
	}
	u, err := url.Parse(rawURL)
	if err != nil {
		return Agent{}, fmt.Errorf("agent %s: %w", name, err)
	}
	if (u.Scheme != "http" && u.Scheme != "https") || u.Host == "" {
		return Agent{}, fmt.Errorf("agent %s: URL %q must be absolute http(s)", name, rawURL)
	}
	u.Path = strings.TrimSuffix(u.Path, "/")
	u.RawPath = ""
	u.RawQuery, u.Fragment = "", ""
	return Agent{Name: name, URL: u}, nil
}
