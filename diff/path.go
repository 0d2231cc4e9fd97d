package diff

import (
	"encoding/json"
	"fmt"
	"strconv"
	"strings"
)

// step is one step of a concrete path: a member name, or an array index
// when index >= 0.
type step struct {
	name  string
	index int
}

func member(name string) step { return step{name: name, index: -1} }
func element(i int) step      { return step{index: i} }

// formatPath writes a concrete path in the syntax ParsePattern reads, so a
// path copied from a report can be passed to Options.Ignore as it is.
func formatPath(path []step) string {
	var b strings.Builder
	b.WriteByte('$')
	for _, s := range path {
		switch {
		case s.index >= 0:
			b.WriteByte('[')
			b.WriteString(strconv.Itoa(s.index))
			b.WriteByte(']')
		case plainName(s.name):
			b.WriteByte('.')
			b.WriteString(s.name)
		default:
			b.WriteByte('[')
			b.Write(quote(s.name))
			b.WriteByte(']')
		}
	}
	return b.String()
}

// plainName tells a member name that can follow a dot: not empty, not the
// wildcard, and free of the characters the syntax uses.
func plainName(name string) bool {
	return name != "" && name != "*" && !strings.ContainsAny(name, `.[]"' `)
}

// quote encodes s as a JSON string without HTML escaping.
func quote(s string) []byte {
	b, _ := marshal(s) // a string always encodes
	return b
}

// Pattern is a parsed path pattern: see the package documentation for the
// syntax.
type Pattern struct {
	text string
	segs []segment
}

// segment is one step of a pattern.
type segment struct {
	deep  bool // after "..": any number of steps come first
	any   bool // "*" or "[*]": any one step
	index int  // an array index when >= 0
	name  string
}

func (g segment) matches(s step) bool {
	switch {
	case g.any:
		return true
	case g.index >= 0:
		return s.index == g.index
	}
	return s.index < 0 && s.name == g.name
}

// String returns the pattern as it was written.
func (p Pattern) String() string { return p.text }

// ParsePattern parses a path pattern such as "$.result.artifact.parts[*].text"
// or "$..timestamp". The leading "$" may be left out ("result.id").
func ParsePattern(s string) (Pattern, error) {
	p := Pattern{text: s}
	rest := s
	switch {
	case strings.HasPrefix(rest, "$"):
		rest = rest[1:]
	case strings.HasPrefix(rest, ".") || strings.HasPrefix(rest, "["):
	default:
		rest = "." + rest
	}
	for rest != "" {
		var g segment
		var err error
		switch {
		case strings.HasPrefix(rest, ".."):
			g.deep = true
			rest = rest[2:]
			if strings.HasPrefix(rest, "[") {
				g, rest, err = parseBracket(g, rest)
			} else {
				g, rest, err = parseName(g, rest)
			}
		case rest[0] == '.':
			g, rest, err = parseName(segment{}, rest[1:])
		case rest[0] == '[':
			g, rest, err = parseBracket(segment{}, rest)
		default:
			err = fmt.Errorf("unexpected %q", rest[:1])
		}
		if err != nil {
			return Pattern{}, fmt.Errorf("parse path %q: %w", s, err)
		}
		p.segs = append(p.segs, g)
	}
	return p, nil
}

// parseName reads a member name (or "*") up to the next "." or "[".
func parseName(g segment, rest string) (segment, string, error) {
	end := strings.IndexAny(rest, ".[")
	if end < 0 {
		end = len(rest)
	}
	name := rest[:end]
	if name == "" {
		return g, rest, fmt.Errorf("empty member name")
	}
	if strings.ContainsAny(name, `]"`) {
		return g, rest, fmt.Errorf("member name %q: quote it as [\"...\"]", name)
	}
	g.index = -1
	if name == "*" {
		g.any = true
	} else {
		g.name = name
	}
	return g, rest[end:], nil
}

// parseBracket reads "[*]", "[N]" or "[\"name\"]".
func parseBracket(g segment, rest string) (segment, string, error) {
	g.index = -1
	if strings.HasPrefix(rest, `["`) {
		dec := json.NewDecoder(strings.NewReader(rest[1:]))
		var name string
		if err := dec.Decode(&name); err != nil {
			return g, rest, fmt.Errorf("quoted member name: %w", err)
		}
		after := rest[1+int(dec.InputOffset()):]
		if !strings.HasPrefix(after, "]") {
			return g, rest, fmt.Errorf("missing ] after quoted name")
		}
		g.name = name
		return g, after[1:], nil
	}
	end := strings.IndexByte(rest, ']')
	if end < 0 {
		return g, rest, fmt.Errorf("missing ]")
	}
	inner := rest[1:end]
	if inner == "*" {
		g.any = true
		return g, rest[end+1:], nil
	}
	n, err := strconv.Atoi(inner)
	if err != nil || n < 0 || inner[0] == '+' {
		return g, rest, fmt.Errorf("index %q: want *, a number or a quoted name", inner)
	}
	g.index = n
	return g, rest[end+1:], nil
}

// match tells whether the pattern names exactly this concrete path.
func (p Pattern) match(path []step) bool { return matchSegs(p.segs, path) }

func matchSegs(segs []segment, path []step) bool {
	if len(segs) == 0 {
		return len(path) == 0
	}
	g := segs[0]
	if !g.deep {
		return len(path) > 0 && g.matches(path[0]) && matchSegs(segs[1:], path[1:])
	}
	for k := range path {
		if g.matches(path[k]) && matchSegs(segs[1:], path[k+1:]) {
			return true
		}
	}
	return false
}
