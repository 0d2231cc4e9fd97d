package builtinagent

import "github.com/a2aproject/a2a-go/a2a"

// protocolVersion is the A2A version a2a-go v0.3.3 speaks.
const protocolVersion = "0.3.0"

// Card returns the agent card of the tutorial's basic streaming agent, with url
// as the address clients send JSON-RPC requests to.
func Card(url string) *a2a.AgentCard {
	return &a2a.AgentCard{
		Name:        "Basic Streaming Agent",
		Description: "Demonstrates A2A streaming with real-time updates",
		URL:         url,
		Version:     "1.0.0",
		Capabilities: a2a.AgentCapabilities{
			Streaming:              true,
			PushNotifications:      false,
			StateTransitionHistory: false,
		},
		// The tutorial lists no skills; an empty list (not null) keeps strict
		// clients that require the array happy.
		Skills:             []a2a.AgentSkill{},
		DefaultInputModes:  []string{"text/plain"},
		DefaultOutputModes: []string{"text/plain"},
		PreferredTransport: a2a.TransportProtocolJSONRPC,
		ProtocolVersion:    protocolVersion,
	}
}
