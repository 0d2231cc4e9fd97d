package conformance

import (
	"encoding/json"
	"fmt"
	"net/url"
	"strings"

	"github.com/a2aproxy/a2a-proxy/internal/a2awire"
)

// cardField is one member of an agent card and the JSON type it must have.
type cardField struct {
	name string
	kind byte // 's' string, 'o' object, 'a' array
}

var (
	cardV03 = []cardField{{"protocolVersion", 's'}, {"name", 's'}, {"description", 's'}, {"url", 's'},
		{"version", 's'}, {"capabilities", 'o'}, {"defaultInputModes", 'a'}, {"defaultOutputModes", 'a'}, {"skills", 'a'}}
	cardV10 = []cardField{{"name", 's'}, {"description", 's'}, {"supportedInterfaces", 'a'}, {"version", 's'},
		{"capabilities", 'o'}, {"defaultInputModes", 'a'}, {"defaultOutputModes", 'a'}, {"skills", 'a'}}
	skillFields     = []cardField{{"id", 's'}, {"name", 's'}, {"description", 's'}, {"tags", 'a'}}
	interfaceV10    = []cardField{{"url", 's'}, {"protocolBinding", 's'}, {"protocolVersion", 's'}}
	interfaceV03    = []cardField{{"url", 's'}, {"transport", 's'}}
	maxCardElements = 1000 // skills or interfaces looked at
)

// CheckCard checks an agent card as served: the fields its version requires,
// absolute http(s) URLs, and capabilities.streaming when the agent answered
// a streaming method with SSE (streamedWithSSE). version is the protocol
// version the card was asked for (the fetch's A2A-Version, a2awire.V03 or
// V10); "" tells it from the card. Findings have Seq -1 and a JSON path.
func CheckCard(version string, body []byte, streamedWithSSE bool) []Finding {
	var card map[string]json.RawMessage
	if json.Unmarshal(body, &card) != nil || card == nil {
		return []Finding{{Rule: RuleCardRequired, Severity: SeverityError, Seq: -1, Path: "$",
			Message: "the agent card is not a JSON object"}}
	}
	if version == "" {
		version = cardVersion(card)
	}
	c := &check{version: version, seen: map[findingKey]bool{}}
	c.cardRequired(card)
	c.cardURLs(card)
	if streamedWithSSE {
		var caps struct {
			Streaming *bool `json:"streaming"`
		}
		if json.Unmarshal(card["capabilities"], &caps) != nil || caps.Streaming == nil || !*caps.Streaming {
			c.add(RuleCardStreaming, -1, "$.capabilities.streaming", "the agent streams with SSE, its card does not declare capabilities.streaming: true")
		}
	}
	return c.findings
}

// cardVersion tells a card's version from its shape: v0.3 cards name their
// protocolVersion and url at the top.
func cardVersion(card map[string]json.RawMessage) string {
	if card["protocolVersion"] == nil && card["url"] == nil && card["supportedInterfaces"] != nil {
		return a2awire.V10
	}
	return a2awire.V03
}

func (c *check) cardRequired(card map[string]json.RawMessage) {
	fields := cardV03
	if c.isV10() {
		fields = cardV10
	}
	c.requireFields(card, fields, "$", c.isV10())
	for i, s := range elements(card["skills"]) {
		c.requireFields(s, skillFields, fmt.Sprintf("$.skills[%d]", i), false)
	}
	if c.isV10() {
		for i, s := range elements(card["supportedInterfaces"]) {
			c.requireFields(s, interfaceV10, fmt.Sprintf("$.supportedInterfaces[%d]", i), false)
		}
	} else {
		for i, s := range elements(card["additionalInterfaces"]) {
			c.requireFields(s, interfaceV03, fmt.Sprintf("$.additionalInterfaces[%d]", i), false)
		}
	}
}

// requireFields reports the first missing or mistyped field of obj, one
// finding per object (the dedup key is the rule and -1, so the path tells
// which); nonEmpty also asks required lists to hold an element (v1.0 5.7).
func (c *check) requireFields(obj map[string]json.RawMessage, fields []cardField, path string, nonEmpty bool) {
	for _, f := range fields {
		raw, ok := obj[f.name]
		p := path + "." + f.name
		switch {
		case !ok || isNull(raw):
			c.cardAdd(RuleCardRequired, p, "required field %s is missing", p)
		case !hasKind(raw, f.kind):
			c.cardAdd(RuleCardRequired, p, "field %s is not %s", p, kindName(f.kind))
		case f.kind == 's' && strings.TrimSpace(unquote(raw)) == "":
			c.cardAdd(RuleCardRequired, p, "required field %s is empty", p)
		case f.kind == 'a' && nonEmpty && len(elementsRaw(raw)) == 0:
			c.cardAdd(RuleCardRequired, p, "required list %s is empty", p)
		}
	}
}

// cardAdd records a card finding; unlike exchange findings, a card may
// break one rule at several paths.
func (c *check) cardAdd(rule, path, format string, args ...any) {
	if len(c.findings) >= maxFindings {
		return
	}
	c.findings = append(c.findings, Finding{Rule: rule, Severity: severity(rule, c.version),
		Message: fmt.Sprintf(format, args...), Seq: -1, Path: path})
}

// cardURLs checks that every URL the card gives clients is absolute http(s).
// gRPC interfaces are left alone: their URL may be a bare host:port.
func (c *check) cardURLs(card map[string]json.RawMessage) {
	for _, name := range []string{"url", "iconUrl", "documentationUrl"} {
		if raw, ok := card[name]; ok {
			c.checkURL(raw, "$."+name)
		}
	}
	var provider map[string]json.RawMessage
	if json.Unmarshal(card["provider"], &provider) == nil {
		if raw, ok := provider["url"]; ok {
			c.checkURL(raw, "$.provider.url")
		}
	}
	for _, list := range []string{"additionalInterfaces", "supportedInterfaces"} {
		for i, iface := range elements(card[list]) {
			binding := strings.ToUpper(unquote(iface["protocolBinding"]) + unquote(iface["transport"]))
			if binding == "GRPC" {
				continue
			}
			if raw, ok := iface["url"]; ok {
				c.checkURL(raw, fmt.Sprintf("$.%s[%d].url", list, i))
			}
		}
	}
}

func (c *check) checkURL(raw json.RawMessage, path string) {
	s := unquote(raw)
	u, err := url.Parse(s)
	if err != nil || !u.IsAbs() || u.Host == "" || u.Scheme != "http" && u.Scheme != "https" {
		c.cardAdd(RuleCardURLs, path, "%s is %q, not an absolute http(s) URL", path, truncate(s, 80))
	}
}

// elements decodes a JSON array of objects, up to maxCardElements.
func elements(raw json.RawMessage) []map[string]json.RawMessage {
	var out []map[string]json.RawMessage
	for _, e := range elementsRaw(raw) {
		var m map[string]json.RawMessage
		if json.Unmarshal(e, &m) != nil || m == nil {
			m = map[string]json.RawMessage{}
		}
		out = append(out, m)
	}
	return out
}

func elementsRaw(raw json.RawMessage) []json.RawMessage {
	var list []json.RawMessage
	if json.Unmarshal(raw, &list) != nil {
		return nil
	}
	if len(list) > maxCardElements {
		list = list[:maxCardElements]
	}
	return list
}

func hasKind(raw json.RawMessage, kind byte) bool {
	raw = trimSpace(raw)
	if len(raw) == 0 {
		return false
	}
	switch kind {
	case 's':
		return raw[0] == '"'
	case 'o':
		return raw[0] == '{'
	case 'a':
		return raw[0] == '['
	}
	return false
}

func kindName(kind byte) string {
	switch kind {
	case 's':
		return "a string"
	case 'o':
		return "an object"
	}
	return "a list"
}

func unquote(raw json.RawMessage) string {
	var s string
	if json.Unmarshal(raw, &s) != nil {
		return ""
	}
	return s
}

func trimSpace(raw json.RawMessage) json.RawMessage {
	return json.RawMessage(strings.TrimSpace(string(raw)))
}
