package conformance

import (
	"strings"
	"testing"
)

const (
	card03 = `{"protocolVersion":"0.3.0","name":"a","description":"d","url":"http://127.0.0.1:8001/","version":"1.0.0",
		"capabilities":{"streaming":true},"defaultInputModes":["text"],"defaultOutputModes":["text"],
		"skills":[{"id":"s","name":"s","description":"d","tags":["t"]}],"preferredTransport":"JSONRPC"}`
	card10 = `{"name":"a","description":"d","version":"1.0.0","capabilities":{"streaming":true},
		"supportedInterfaces":[{"url":"https://agent.example/a2a","protocolBinding":"JSONRPC","protocolVersion":"1.0"},
		{"url":"agent.example:50051","protocolBinding":"GRPC","protocolVersion":"1.0"}],
		"defaultInputModes":["text"],"defaultOutputModes":["text"],"skills":[{"id":"s","name":"s","description":"d","tags":[]}]}`
)

// TestCheckCard pins the card rules for both versions.
func TestCheckCard(t *testing.T) {
	tests := []struct {
		name     string
		version  string
		card     string
		streamed bool
		want     []string
	}{
		{"v0.3", "0.3", card03, true, nil},
		{"v1.0", "1.0", card10, true, nil},
		{"v1.0 told by shape", "", card10, false, nil},
		{"v0.3 no name", "0.3", strings.Replace(card03, `"name":"a",`, "", 1), false, []string{RuleCardRequired}},
		{"v0.3 skill without tags", "0.3", strings.Replace(card03, `,"tags":["t"]`, "", 1), false, []string{RuleCardRequired}},
		{"v1.0 no interfaces", "1.0", strings.Replace(card10, `"supportedInterfaces"`, `"otherInterfaces"`, 1), false, []string{RuleCardRequired}},
		{"v1.0 empty skills", "1.0", strings.Replace(card10, `"skills":[{"id":"s","name":"s","description":"d","tags":[]}]`, `"skills":[]`, 1), false, []string{RuleCardRequired}},
		{"v1.0 v0.3 card asked as 1.0", "1.0", card03, false, []string{RuleCardRequired}},
		{"v0.3 relative url", "0.3", strings.Replace(card03, "http://127.0.0.1:8001/", "/a2a", 1), false, []string{RuleCardURLs}},
		{"v1.0 ftp url", "1.0", strings.Replace(card10, "https://agent.example/a2a", "ftp://agent.example/a2a", 1), false, []string{RuleCardURLs}},
		{"v0.3 streams undeclared", "0.3", strings.Replace(card03, `"streaming":true`, `"streaming":false`, 1), true, []string{RuleCardStreaming}},
		{"v1.0 streams undeclared", "1.0", strings.Replace(card10, `{"streaming":true}`, `{}`, 1), true, []string{RuleCardStreaming}},
		{"not json", "1.0", "<html>", false, []string{RuleCardRequired}},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			assertRules(t, CheckCard(tt.version, []byte(tt.card), tt.streamed), tt.want...)
		})
	}
}

// TestRulesCatalogue pins the catalogue: unique ids, a text, a spec
// reference for every version a rule applies to, and every rule a check
// can report is listed.
func TestRulesCatalogue(t *testing.T) {
	seen := map[string]bool{}
	for _, r := range Rules() {
		if seen[r.ID] {
			t.Errorf("duplicate rule %s", r.ID)
		}
		seen[r.ID] = true
		if r.Title == "" || len(r.Specs) == 0 || r.Severity == "" {
			t.Errorf("rule %s lacks a title, spec or severity", r.ID)
		}
		for _, s := range r.Specs {
			if !strings.HasPrefix(s.URL, "https://a2a-protocol.org/v") || s.Section == "" {
				t.Errorf("rule %s: spec %+v", r.ID, s)
			}
		}
		if _, ok := RuleByID(r.ID); !ok {
			t.Errorf("RuleByID(%s) not found", r.ID)
		}
	}
	if len(seen) != len(byID) || len(seen) < 22 {
		t.Errorf("%d rules", len(seen))
	}
}
