package replay

import (
	"net/http"

	"github.com/a2aproxy/a2a-proxy/internal/a2awire"
	"github.com/a2aproxy/a2a-proxy/internal/forwarded"
)

// The card of a replay agent is made up, not the recorded agent's: the
// recording may hold no card, and a recorded one names the real agent's URLs
// and skills. A minimal valid card in the recording's version, whose service
// URL is the replay agent itself, is what clients need to discover it.

type agentInterface struct {
	URL             string `json:"url"`
	ProtocolBinding string `json:"protocolBinding"`
	ProtocolVersion string `json:"protocolVersion"`
}

type capabilities struct {
	Streaming bool `json:"streaming"`
}

type skill struct {
	ID          string   `json:"id"`
	Name        string   `json:"name"`
	Description string   `json:"description"`
	Tags        []string `json:"tags"`
}

// cardV03 is shaped like a v0.3 card. A replay that also holds v1.0
// recordings lists them in supportedInterfaces, as @a2a-js/sdk servers with
// v0.3 compatibility do.
type cardV03 struct {
	ProtocolVersion     string           `json:"protocolVersion"`
	Name                string           `json:"name"`
	Description         string           `json:"description"`
	URL                 string           `json:"url"`
	PreferredTransport  string           `json:"preferredTransport"`
	Version             string           `json:"version"`
	Capabilities        capabilities     `json:"capabilities"`
	DefaultInputModes   []string         `json:"defaultInputModes"`
	DefaultOutputModes  []string         `json:"defaultOutputModes"`
	Skills              []skill          `json:"skills"`
	SupportedInterfaces []agentInterface `json:"supportedInterfaces,omitempty"`
}

type cardV10 struct {
	Name                string           `json:"name"`
	Description         string           `json:"description"`
	SupportedInterfaces []agentInterface `json:"supportedInterfaces"`
	Version             string           `json:"version"`
	Capabilities        capabilities     `json:"capabilities"`
	DefaultInputModes   []string         `json:"defaultInputModes"`
	DefaultOutputModes  []string         `json:"defaultOutputModes"`
	Skills              []skill          `json:"skills"`
}

const (
	bindingJSONRPC = "JSONRPC"
	cardVersion    = "1.0.0" // of the replay agent, which clients may show
)

var replaySkill = skill{
	ID:          "replay",
	Name:        "Replay",
	Description: "Answers with the events recorded by a2a-proxy, at their recorded pace divided by the speed in this URL's ?speed=.",
	Tags:        []string{"replay", "a2a-proxy"},
}

// newCard returns the card for a client that asked in version, listing one
// JSON-RPC interface at url for each version recorded.
func newCard(name string, versions []string, version, url string) any {
	var interfaces []agentInterface
	for _, v := range []string{a2awire.V10, a2awire.V03} { // newest first: interfaces are in preference order
		for _, have := range versions {
			if have == v {
				interfaces = append(interfaces, agentInterface{URL: url, ProtocolBinding: bindingJSONRPC, ProtocolVersion: cardProtocolVersion(v)})
			}
		}
	}
	modes := []string{"text/plain"}
	description := "A replay of recorded A2A traffic, served by a2a-proxy."
	if version == a2awire.V10 {
		return cardV10{
			Name: name, Description: description, SupportedInterfaces: interfaces, Version: cardVersion,
			Capabilities: capabilities{Streaming: true}, DefaultInputModes: modes, DefaultOutputModes: modes,
			Skills: []skill{replaySkill},
		}
	}
	card := cardV03{
		ProtocolVersion: cardProtocolVersion(a2awire.V03), Name: name, Description: description,
		URL: url, PreferredTransport: bindingJSONRPC, Version: cardVersion,
		Capabilities: capabilities{Streaming: true}, DefaultInputModes: modes, DefaultOutputModes: modes,
		Skills: []skill{replaySkill},
	}
	if len(versions) > 1 {
		card.SupportedInterfaces = interfaces
	}
	return card
}

func cardProtocolVersion(v string) string {
	if v == a2awire.V03 {
		return "0.3.0"
	}
	return v
}

// cardVersionFor picks the card version for a request, as a @a2a-js/sdk
// server does: v1.0 for a client that sends A2A-Version 1.x, else v0.3 if
// there is a v0.3 recording.
func cardVersionFor(r *http.Request, versions []string) string {
	wants := a2awire.HeaderProtocolVersion(r.Header.Get(a2awire.HeaderVersion))
	for _, v := range versions {
		if v == wants {
			return v
		}
	}
	return versions[0]
}

// isCardPath tells the well-known card paths, the pre-0.3 alias included.
func isCardPath(path string) bool {
	return path == "/.well-known/agent-card.json" || path == "/.well-known/agent.json"
}

// publicBase is the scheme and host clients reached the agent at.
func publicBase(r *http.Request, trust forwarded.Trust) string {
	scheme, host := trust.Origin(r)
	return scheme + "://" + host
}
