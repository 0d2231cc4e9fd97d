package conformance

// Severity says how bad a finding is: an error breaks a MUST of the spec, a
// warning a SHOULD.
type Severity string

// Severities.
const (
	SeverityError   Severity = "error"
	SeverityWarning Severity = "warning"
)

// Rule is one entry of the catalogue.
type Rule struct {
	ID       string    `json:"id"`       // stable, e.g. "stream.first-event"
	Severity Severity  `json:"severity"` // the severity of a violation (the worst, when it differs by version: see Specs)
	Title    string    `json:"title"`    // the rule's text, for the UI
	Specs    []SpecRef `json:"specs"`    // where each protocol version states it
	TCK      []string  `json:"tck"`      // A2A TCK requirement ids (a2aproject/a2a-tck, tck/requirements), empty when none matches
}

// SpecRef names the section of one protocol version's specification that a
// rule enforces.
type SpecRef struct {
	Version  string   `json:"version"`  // a2awire.V03 or a2awire.V10
	Section  string   `json:"section"`  // "3.1.2. Send Streaming Message"
	URL      string   `json:"url"`      // the section on a2a-protocol.org
	Severity Severity `json:"severity"` // the severity in this version
}

// Spec returns the rule's reference for a protocol version, and false when
// the rule does not apply to it.
func (r Rule) Spec(version string) (SpecRef, bool) {
	for _, s := range r.Specs {
		if s.Version == version {
			return s, true
		}
	}
	return SpecRef{}, false
}

// Finding is one violation of a rule in one exchange or card.
type Finding struct {
	Rule     string   `json:"rule"`
	Severity Severity `json:"severity"`
	Message  string   `json:"message"`
	Seq      int      `json:"seq"`            // the event's Seq; -1: the exchange (or card) as a whole
	Path     string   `json:"path,omitempty"` // JSON path within the event (or request, or card), if any
}

// Errors counts the findings of severity error.
func Errors(findings []Finding) int {
	n := 0
	for _, f := range findings {
		if f.Severity == SeverityError {
			n++
		}
	}
	return n
}
