package builtinagent

import (
	"cmp"
	"log/slog"
	"net/http"
	"time"

	"github.com/a2aproject/a2a-go/a2asrv"
)

// DefaultStepDelay is the tutorial's pause between progress steps.
const DefaultStepDelay = time.Second

// Options configures the built-in agent.
type Options struct {
	// URL is the address the agent card advertises for JSON-RPC, normally the
	// agent's own listen address ("http://127.0.0.1:8001/").
	URL string
	// StepDelay is the pause after each progress step. Zero means
	// DefaultStepDelay; a negative value means no pause.
	StepDelay time.Duration
	// Logger receives the agent's and a2a-go's logs. If nil, slog.Default() is used.
	Logger *slog.Logger
}

// NewHandler returns the agent: its card at /.well-known/agent-card.json (and
// the pre-0.3 /.well-known/agent.json) and JSON-RPC at / (and, so that a path
// in Options.URL needs no routing of its own, at every other path).
func NewHandler(opts Options) http.Handler {
	logger := cmp.Or(opts.Logger, slog.Default())
	agent := newExecutor(opts.stepDelay(), logger)
	card := a2asrv.NewStaticAgentCardHandler(Card(opts.URL))

	mux := http.NewServeMux()
	mux.Handle(a2asrv.WellKnownAgentCardPath, card)
	mux.Handle("/.well-known/agent.json", card)
	mux.Handle("/", jsonByDefault(a2asrv.NewJSONRPCHandler(a2asrv.NewHandler(agent, a2asrv.WithLogger(logger)))))
	return mux
}

func (o Options) stepDelay() time.Duration {
	switch {
	case o.StepDelay == 0:
		return DefaultStepDelay
	case o.StepDelay < 0:
		return 0
	}
	return o.StepDelay
}
