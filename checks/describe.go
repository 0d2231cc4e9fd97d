package checks

import (
	"github.com/a2aproxy/a2a-proxy/conformance"
	"github.com/a2aproxy/a2a-proxy/internal/a2awire"
	"github.com/a2aproxy/a2a-proxy/recorder"
)

// Described is a stored finding with its rule's text, the specification
// section for the exchange's protocol version and the TCK ids, as the API,
// the UI and the check command show it.
type Described struct {
	recorder.Finding
	Title string               `json:"title"`
	Spec  *conformance.SpecRef `json:"spec,omitempty"` // nil for a rule unknown to this build
	TCK   []string             `json:"tck"`
}

// Describe names the rule of each finding.
func Describe(fs []recorder.Finding) []Described {
	out := make([]Described, len(fs))
	for i, f := range fs {
		d := Described{Finding: f, TCK: []string{}}
		if r, ok := conformance.RuleByID(f.Rule); ok {
			d.Title = r.Title
			if r.TCK != nil {
				d.TCK = r.TCK
			}
			spec, ok := r.Spec(f.Version)
			if !ok {
				spec, ok = r.Spec(a2awire.V03)
			}
			if !ok && len(r.Specs) > 0 {
				spec, ok = r.Specs[0], true
			}
			if ok {
				d.Spec = &spec
			}
		}
		out[i] = d
	}
	return out
}

// Count sums findings by severity.
func Count(fs []recorder.Finding) recorder.CheckCounts {
	var c recorder.CheckCounts
	for _, f := range fs {
		switch f.Severity {
		case recorder.SeverityError:
			c.Errors++
		case recorder.SeverityWarning:
			c.Warnings++
		}
	}
	return c
}

// TaskChecks is the answer of GET /api/tasks/{taskId}/checks.
type TaskChecks struct {
	TaskID   string               `json:"taskId"`
	Checks   recorder.CheckCounts `json:"checks"`
	Findings []Described          `json:"findings"`
}
