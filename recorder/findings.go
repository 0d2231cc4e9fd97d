package recorder

// Finding is one conformance finding about a recorded exchange: a rule of
// the conformance catalogue that the exchange breaks. The recorder stores
// and reads findings; it does not make them (package checks does).
type Finding struct {
	ExchangeID string `json:"exchangeId"`
	Seq        int    `json:"seq"` // the event's seq; -1: the exchange as a whole
	Rule       string `json:"rule"`
	Severity   string `json:"severity"` // "error" or "warning"
	Version    string `json:"version"`  // the protocol version the exchange was checked as
	Message    string `json:"message"`
	Path       string `json:"path,omitempty"` // JSON path within the event or request
}

// Severities of a Finding.
const (
	SeverityError   = "error"
	SeverityWarning = "warning"
)

// ExchangeChecks is the result of checking one exchange. Storing it replaces
// the findings stored for the exchange before, so a check run again is
// idempotent; no findings is a result too.
type ExchangeChecks struct {
	ExchangeID string
	Findings   []Finding
}

// CheckCounts sums the findings of a task's exchanges: TaskSummary's
// `checks`.
type CheckCounts struct {
	Errors   int `json:"errors"`
	Warnings int `json:"warnings"`
}

// ChecksFailed is the TaskFilter.Checks value that keeps the tasks with at
// least one finding of severity error.
const ChecksFailed = "failed"

// checksOverhead is what an ExchangeChecks costs the queue's byte budget
// beyond its messages.
const checksOverhead = 256

func (c *ExchangeChecks) size() int64 {
	n := int64(checksOverhead)
	for _, f := range c.Findings {
		n += int64(len(f.Message)+len(f.Path)) + 64
	}
	return n
}
