package conformance

import (
	"encoding/json"
	"strconv"
	"strings"
	"time"

	"github.com/a2aproxy/a2a-proxy/internal/a2awire"
)

// freeForm are members whose values are the sender's own (metadata, a data
// part, extension params, JSON-RPC error data, security scheme names): no
// naming rule applies inside them.
var freeForm = map[string]bool{
	"metadata":             true,
	"data":                 true,
	"params":               true, // below the root: AgentExtension.params
	"securitySchemes":      true,
	"security":             true,
	"securityRequirements": true,
	"error":                true, // a JSON-RPC error: code, message and free data
}

var (
	v03States = map[string]bool{"submitted": true, "working": true, "input-required": true, "completed": true,
		"canceled": true, "failed": true, "rejected": true, "auth-required": true, "unknown": true}
	v10States = map[string]bool{"TASK_STATE_UNSPECIFIED": true, "TASK_STATE_SUBMITTED": true, "TASK_STATE_WORKING": true,
		"TASK_STATE_COMPLETED": true, "TASK_STATE_FAILED": true, "TASK_STATE_CANCELED": true,
		"TASK_STATE_INPUT_REQUIRED": true, "TASK_STATE_REJECTED": true, "TASK_STATE_AUTH_REQUIRED": true}
	v03Roles = map[string]bool{"user": true, "agent": true}
	v10Roles = map[string]bool{"ROLE_UNSPECIFIED": true, "ROLE_USER": true, "ROLE_AGENT": true}
)

// timestampFields are the protocol's timestamp members (google.protobuf.Timestamp).
var timestampFields = map[string]bool{"timestamp": true, "statusTimestampAfter": true}

// walk checks the wire spelling of every field of one document: camelCase
// names, kind members, enum spellings and timestamps. seq is the event's, or
// -1 for the request.
func (c *check) walk(doc []byte, seq int, request bool) {
	if len(doc) > maxWalkDoc {
		return
	}
	kindV03 := c.version == a2awire.V03 && c.binding == a2awire.BindingJSONRPC
	_, _ = a2awire.Walk(doc, maxDepth, maxNodes, func(n a2awire.Node) bool {
		if n.Depth == 1 && n.Key == "params" && request {
			return true // the request's params are A2A objects
		}
		if n.Depth > 0 && freeForm[n.Key] {
			return false
		}
		if n.Key != "" && !isCamel(n.Key) {
			c.add(RuleWireCamelCase, seq, n.Path, "field %q is not camelCase", n.Key)
		}
		if n.Key == "kind" && c.isV10() {
			c.add(RuleWireKindField, seq, n.Path, `v1.0 has no "kind" member`)
		}
		switch v := n.Value.(type) {
		case string:
			c.scalar(n, v, seq)
		case map[string]any:
			if kindV03 && n.Key == "message" {
				c.needKind(v, n.Path, seq)
			}
		case []any:
			if kindV03 && (n.Key == "parts" || n.Key == "history") {
				for i, e := range v {
					if m, ok := e.(map[string]any); ok {
						c.needKind(m, n.Path+"["+strconv.Itoa(i)+"]", seq)
					}
				}
			}
		default:
			if timestampFields[n.Key] {
				c.add(RuleWireTimestamp, seq, n.Path, "timestamp %q is not a string", n.Key)
			}
		}
		return true
	})
}

func (c *check) needKind(m map[string]any, path string, seq int) {
	if _, ok := m["kind"]; !ok {
		c.add(RuleWireKindField, seq, path, `v0.3 object without "kind"`)
	}
}

// scalar checks one string value: enum spelling and timestamps.
func (c *check) scalar(n a2awire.Node, v string, seq int) {
	switch {
	case n.Key == "state":
		c.enum(n, v, seq, v03States, v10States, "task state", "TASK_STATE_*")
	case n.Key == "role":
		c.enum(n, v, seq, v03Roles, v10Roles, "role", "ROLE_*")
	case timestampFields[n.Key]:
		c.timestamp(n, v, seq)
	}
}

func (c *check) enum(n a2awire.Node, v string, seq int, v03, v10 map[string]bool, what, v10Form string) {
	switch {
	case c.isV10() && !v10[v]:
		c.add(RuleWireEnumSpelling, seq, n.Path, "%s %q: v1.0 spells it %s", what, v, v10Form)
	case c.legacyREST() && !v03[v] && !v10[v]:
		c.add(RuleWireEnumSpelling, seq, n.Path, "unknown %s %q", what, v)
	case c.version == a2awire.V03 && !c.legacyREST() && !v03[v]:
		c.add(RuleWireEnumSpelling, seq, n.Path, "%s %q: v0.3 spells it in lowercase (%s)", what, v, strings.ToLower(strings.ReplaceAll(strings.TrimPrefix(strings.TrimPrefix(v, "TASK_STATE_"), "ROLE_"), "_", "-")))
	}
}

func (c *check) timestamp(n a2awire.Node, v string, seq int) {
	t, err := time.Parse(time.RFC3339Nano, v)
	if err != nil {
		if _, lerr := time.Parse("2006-01-02T15:04:05.999999999", v); lerr == nil && !c.isV10() {
			c.addFinding(Finding{Rule: RuleWireTimestamp, Severity: SeverityWarning, Seq: seq, Path: n.Path,
				Message: "timestamp " + jsonQuote(v) + " has no time zone (v0.3 recommends UTC, ending in Z)"})
			return
		}
		c.add(RuleWireTimestamp, seq, n.Path, "timestamp %q is not an RFC 3339 date-time in UTC", truncate(v, 40))
		return
	}
	if strings.HasSuffix(v, "Z") || strings.HasSuffix(v, "z") {
		return
	}
	if c.isV10() {
		c.add(RuleWireTimestamp, seq, n.Path, "timestamp %q is not in UTC (ends in an offset, not Z)", v)
		return
	}
	_, offset := t.Zone()
	if offset != 0 {
		f := Finding{Rule: RuleWireTimestamp, Severity: SeverityWarning, Seq: seq, Path: n.Path,
			Message: "timestamp " + jsonQuote(v) + " is not in UTC (v0.3 recommends UTC)"}
		c.addFinding(f)
	}
}

// addFinding records a finding whose severity differs from the rule's.
func (c *check) addFinding(f Finding) {
	k := findingKey{f.Rule, f.Seq}
	if c.seen[k] || len(c.findings) >= maxFindings {
		return
	}
	c.seen[k] = true
	c.findings = append(c.findings, f)
}

func jsonQuote(s string) string {
	b, _ := json.Marshal(s)
	return string(b)
}

// isCamel reports a lowerCamelCase member name: a lowercase letter, then
// letters and digits.
func isCamel(k string) bool {
	if strings.HasPrefix(k, "@") { // "@type" of a ProtoJSON Any
		return true
	}
	for i := 0; i < len(k); i++ {
		ch := k[i]
		switch {
		case ch >= 'a' && ch <= 'z':
		case i > 0 && (ch >= 'A' && ch <= 'Z' || ch >= '0' && ch <= '9'):
		default:
			return false
		}
	}
	return k != ""
}
