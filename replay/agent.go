package replay

import (
	"bytes"
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"log/slog"
	"net/http"
	"strings"
	"sync"
	"sync/atomic"

	"github.com/a2aproxy/a2a-proxy/internal/a2awire"
	"github.com/a2aproxy/a2a-proxy/internal/forwarded"
	"github.com/a2aproxy/a2a-proxy/recorder"
)

// maxRequestBytes bounds the request bodies the agent reads.
const maxRequestBytes = 10 << 20

// ErrNothingToReplay is returned by NewAgent for recordings without a
// JSON-RPC exchange: the replay agent speaks JSON-RPC only.
var ErrNothingToReplay = errors.New("no JSON-RPC exchange to replay")

// AgentOptions configure an Agent.
type AgentOptions struct {
	// Recordings are what the agent answers with. Required.
	Recordings []*recorder.Recording
	// Strict matches each message to a recorded one by method and text, and
	// answers the others with an error, as fixtures need. Otherwise a message
	// no recording's text matches gets the first recorded answer of its
	// method: the replay of one task, whatever the client says.
	Strict bool
	// Prefix is the path the agent is served under ("/replay/T"), "" for the
	// root; the card's URL names it.
	Prefix string
	// Name is the agent's name in its card. If empty, "a2a-proxy replay".
	Name string
	// Progress remembers how far streams got, for resubscribes across
	// requests (and Agents). If nil, the agent keeps its own.
	Progress *Progress
	// Logger receives requests no recording answers and failed writes. If
	// nil, nothing is logged.
	Logger *slog.Logger
	// TrustForwarded says whose X-Forwarded-* headers name the card's URL;
	// the zero value trusts no one, and the request's Host is used.
	TrustForwarded forwarded.Trust
	// RecordMissing, if set, makes the recordings grow: a request none of
	// them answers is forwarded to a live agent instead of getting an
	// error, and what the agent answers is recorded and answers the same
	// request from then on. Recordings may then be empty. Only at the root
	// (Prefix "").
	RecordMissing *RecordMissing
}

// Agent serves recordings as an A2A agent of their protocol version, over
// JSON-RPC: a card naming itself, then message/stream (SendStreamingMessage)
// answered with the recorded stream under the new request's id,
// message/send (SendMessage) with the recorded or final result, tasks/get
// (GetTask) with the final task, and resubscribe as the version prescribes.
// The pace and faults come from the query of the agent's URL (ParseQuery).
type Agent struct {
	catalog  atomic.Pointer[catalog] // replaced whole when a recording is added
	recs     []*recorder.Recording   // what catalog indexes; guarded by grow
	grow     sync.Mutex
	live     *liveAgent // nil unless RecordMissing
	strict   bool
	prefix   string
	name     string
	progress *Progress
	log      *slog.Logger
	trust    forwarded.Trust
}

// NewAgent returns an agent for opts.Recordings.
func NewAgent(opts AgentOptions) (*Agent, error) {
	a := &Agent{
		recs:     opts.Recordings,
		strict:   opts.Strict,
		prefix:   strings.TrimSuffix(opts.Prefix, "/"),
		name:     opts.Name,
		progress: opts.Progress,
		log:      opts.Logger,
		trust:    opts.TrustForwarded,
	}
	cat := newCatalog(opts.Recordings)
	a.catalog.Store(cat)
	if len(cat.calls) == 0 && opts.RecordMissing == nil {
		return nil, ErrNothingToReplay
	}
	if a.name == "" {
		a.name = "a2a-proxy replay"
	}
	if a.progress == nil {
		a.progress = &Progress{}
	}
	if a.log == nil {
		a.log = slog.New(slog.DiscardHandler)
	}
	if opts.RecordMissing != nil {
		if a.prefix != "" {
			return nil, errors.New("record missing: the agent must be served at the root")
		}
		var err error
		if a.live, err = newLiveAgent(*opts.RecordMissing, a); err != nil {
			return nil, err
		}
	}
	return a, nil
}

// fixtures returns the recordings as they stand: one request uses one
// snapshot, however many are added meanwhile.
func (a *Agent) fixtures() *catalog { return a.catalog.Load() }

// add makes a recording answer requests from now on. The catalog is
// rebuilt, not changed, so that requests being answered keep theirs;
// fixtures are small and grow by one request at a time.
func (a *Agent) add(rec *recorder.Recording) {
	a.grow.Lock()
	defer a.grow.Unlock()
	a.recs = append(a.recs[:len(a.recs):len(a.recs)], rec)
	a.catalog.Store(newCatalog(a.recs))
}

// ServeHTTP answers the card and JSON-RPC requests; paths are taken under
// the agent's prefix.
func (a *Agent) ServeHTTP(w http.ResponseWriter, r *http.Request) {
	path := strings.TrimPrefix(r.URL.Path, a.prefix)
	if r.Method == http.MethodGet && isCardPath(path) {
		if a.live != nil && len(a.fixtures().versions) == 0 {
			a.live.ServeHTTP(w, r) // no version to make a card up for: the agent's own, pointing here
			return
		}
		a.serveCard(w, r)
		return
	}
	if r.Method != http.MethodPost {
		http.Error(w, "a replay agent answers its card (GET /.well-known/agent-card.json) and JSON-RPC (POST)", http.StatusNotFound)
		return
	}
	body, err := io.ReadAll(http.MaxBytesReader(w, r.Body, maxRequestBytes))
	if err != nil {
		writeJSON(w, envelope(nullID, nil, newRPCError(a2awire.V03, codeParseError, "read request: "+err.Error())))
		return
	}
	r.Body = io.NopCloser(bytes.NewReader(body)) // for the live agent, if none answers
	req := a2awire.ParseRequest(r.Method, path, r.Header, body)
	if req.Binding != a2awire.BindingJSONRPC {
		writeJSON(w, envelope(nullID, nil, newRPCError(a2awire.V03, codeParseError, "not a JSON-RPC request: the replay agent speaks JSON-RPC only")))
		return
	}
	opts, err := ParseQuery(r.URL.Query())
	if err != nil {
		a.fail(w, req, newRPCError(req.Version, codeInvalidParams, "replay options in the agent URL: "+err.Error()))
		return
	}
	switch a2awire.V1Method(req.Method) {
	case "SendStreamingMessage":
		a.streamMessage(w, r, req, opts)
	case "SendMessage":
		a.sendMessage(w, r, req, opts)
	case "GetTask":
		a.getTask(w, r, req)
	case "SubscribeToTask":
		a.resubscribe(w, r, req, opts)
	default:
		a.fail(w, req, newRPCError(req.Version, codeMethodNotFound, fmt.Sprintf("method %q is not replayed", req.Method)))
	}
}

func (a *Agent) serveCard(w http.ResponseWriter, r *http.Request) {
	url := publicBase(r, a.trust) + a.prefix + "/"
	if r.URL.RawQuery != "" {
		url += "?" + r.URL.RawQuery // the speed and faults the client asked for
	}
	versions := a.fixtures().versions
	card := newCard(a.name, versions, cardVersionFor(r, versions), url)
	doc, err := json.Marshal(card)
	if err != nil {
		http.Error(w, "encode card", http.StatusInternalServerError)
		return
	}
	w.Header().Set("Vary", a2awire.HeaderVersion)
	writeJSON(w, doc)
}

// fail answers req with an error: in an event stream for streaming methods,
// where a2a-go's client looks for it, else as a JSON document.
func (a *Agent) fail(w http.ResponseWriter, req a2awire.Request, rpcErr *rpcError) {
	doc := envelope(responseID(req), nil, rpcErr)
	if !req.Streaming {
		writeJSON(w, doc)
		return
	}
	rc := startStream(w, "")
	if err := writeSSEData(w, rc, doc); err != nil {
		a.log.Debug("write error event", "err", err)
	}
}

// noMatch answers a message no recording has: live when recording missing
// ones, else with an error quoting its text.
func (a *Agent) noMatch(w http.ResponseWriter, r *http.Request, req a2awire.Request) {
	if a.live != nil {
		a.live.ServeHTTP(w, r)
		return
	}
	msg := fmt.Sprintf("no recording matches %s with text %q", req.Method, req.Text)
	a.log.Warn("replay: no recording matches", "method", req.Method, "text", req.Text)
	a.fail(w, req, newRPCError(req.Version, codeNoRecording, msg))
}

// unknownTask answers a request for a task no recording holds: live when
// recording missing ones, else with an error.
func (a *Agent) unknownTask(w http.ResponseWriter, r *http.Request, req a2awire.Request) {
	if a.live != nil {
		a.live.ServeHTTP(w, r)
		return
	}
	a.taskNotFound(w, req, "not in the recordings")
}

// taskNotFound answers a request for a task the recordings cannot answer.
func (a *Agent) taskNotFound(w http.ResponseWriter, req a2awire.Request, why string) {
	a.fail(w, req, newRPCError(req.Version, codeTaskNotFound, fmt.Sprintf("task %q: %s", req.TaskID, why)))
}
