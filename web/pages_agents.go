package web

import (
	"cmp"
	"context"
	"encoding/json"
	"net/http"
	"net/url"
	"slices"
	"sync"
	"time"

	"github.com/gin-gonic/gin"

	"github.com/a2aproxy/a2a-proxy/recorder"
)

// Directory lists the agents the proxy fronts; *proxy.Proxy implements it.
type Directory interface {
	// AgentNames returns the configured agents, the default agent first.
	AgentNames() []string
	// AgentURL returns an agent's upstream base URL.
	AgentURL(name string) (string, bool)
	// Card fetches an agent's card from its upstream, rewritten as the data
	// plane at base serves it, without recording anything.
	Card(ctx context.Context, name string, base *url.URL) (json.RawMessage, error)
}

// cardTimeout bounds the card fetches of one agents page: an agent that
// does not answer by then is shown as unreachable.
const cardTimeout = 3 * time.Second

// agentView is one agent on the agents page.
type agentView struct {
	Name      string
	Default   bool
	Upstream  string // the agent's own base URL
	ProxyURL  string // its base URL through the proxy
	Reachable bool   // its card could be fetched
	Error     string // why not
	Card      cardView
	Counts    recorder.AgentCount
}

// cardView is what the page shows of an agent card, plus the card itself.
type cardView struct {
	Name            string `json:"name"`
	Description     string `json:"description"`
	Version         string `json:"version"`
	ProtocolVersion string `json:"protocolVersion"` // v0.3
	Skills          []struct {
		Name        string `json:"name"`
		Description string `json:"description"`
	} `json:"skills"`
	// v0.3 names its main interface at the top and others in a list; v1.0
	// lists them all.
	URL                  string          `json:"url"`
	PreferredTransport   string          `json:"preferredTransport"`
	AdditionalInterfaces []cardInterface `json:"additionalInterfaces"`
	SupportedInterfaces  []cardInterface `json:"supportedInterfaces"`

	JSON string `json:"-"`
}

// cardInterface is one way to reach an agent: v0.3 names its binding
// transport, v1.0 protocolBinding.
type cardInterface struct {
	URL             string `json:"url"`
	Transport       string `json:"transport"`
	ProtocolBinding string `json:"protocolBinding"`
	ProtocolVersion string `json:"protocolVersion"`
}

// Interfaces lists the card's interfaces, each once.
func (c cardView) Interfaces() []cardInterface {
	var all []cardInterface
	if c.URL != "" {
		all = append(all, cardInterface{URL: c.URL, Transport: c.PreferredTransport, ProtocolVersion: c.ProtocolVersion})
	}
	for _, i := range slices.Concat(c.AdditionalInterfaces, c.SupportedInterfaces) {
		if i.ProtocolVersion == "" {
			i.ProtocolVersion = c.ProtocolVersion
		}
		if !slices.ContainsFunc(all, func(j cardInterface) bool { return j.URL == i.URL && j.Binding() == i.Binding() }) {
			all = append(all, i)
		}
	}
	return all
}

// Binding is the interface's protocol binding: JSONRPC, GRPC, HTTP+JSON.
func (i cardInterface) Binding() string { return cmp.Or(i.ProtocolBinding, i.Transport, "JSONRPC") }

// agentsPage serves GET /agents: every configured agent, its card as the
// proxy serves it, whether it answers, and what was recorded of it.
func (s *Server) agentsPage(c *gin.Context) {
	ctx := c.Request.Context()
	counts, err := s.store.AgentCounts(ctx)
	if err != nil {
		_ = c.Error(err)
		return
	}
	var agents []agentView
	if s.ui.agents != nil {
		agents = s.describeAgents(ctx, counts)
	}
	s.render(c, http.StatusOK, "agents", "Agents", agents)
}

// describeAgents fetches every agent's card at once.
func (s *Server) describeAgents(ctx context.Context, counts map[string]recorder.AgentCount) []agentView {
	ctx, cancel := context.WithTimeout(ctx, cardTimeout)
	defer cancel()
	names := s.ui.agents.AgentNames()
	agents := make([]agentView, len(names))
	var wg sync.WaitGroup
	for i, name := range names {
		upstream, _ := s.ui.agents.AgentURL(name)
		agents[i] = agentView{
			Name:     name,
			Default:  i == 0,
			Upstream: upstream,
			ProxyURL: s.ui.proxyURL.JoinPath("agents", name).String() + "/",
			Counts:   counts[name],
		}
		wg.Go(func() { s.fetchCard(ctx, &agents[i]) })
	}
	wg.Wait()
	return agents
}

func (s *Server) fetchCard(ctx context.Context, a *agentView) {
	card, err := s.ui.agents.Card(ctx, a.Name, s.ui.proxyURL)
	if err != nil {
		a.Error = err.Error()
		return
	}
	a.Reachable = true
	_ = json.Unmarshal(card, &a.Card) // the summary is best effort; the JSON is shown whole
	a.Card.JSON = indentJSON(card)
}
