package streamclient

import (
	"encoding/json"

	"github.com/a2aproxy/a2a-proxy/internal/a2awire"
)

// Event is one event of an A2A stream (or one unary answer), decoded from
// either protocol version.
type Event struct {
	Data string // the JSON document exactly as received
	// Fields are what a2awire extracts, State in the v0.3 spelling
	// ("working", "input-required"); Final is v0.3 only, the end of the
	// stream is what counts.
	a2awire.Fields
	ArtifactName string
	LastChunk    bool
	Err          *RPCError // set when Kind is a2awire.KindError
}

// DecodeEvent decodes one JSON document: a JSON-RPC response whose result is
// an event, or a bare event, in either version. It never fails: a document it
// cannot read yields an Event with only Data set.
func DecodeEvent(data string) Event {
	ev := Event{Data: data}
	wire, err := a2awire.ParseEvent([]byte(data))
	if err != nil {
		return ev
	}
	ev.Fields = wire.Fields
	if wire.Kind == a2awire.KindError {
		ev.Err = &RPCError{Code: wire.ErrorCode, Message: wire.ErrorMessage}
	}
	if wire.Kind == a2awire.KindArtifactUpdate {
		var doc artifactDoc
		if json.Unmarshal([]byte(data), &doc) == nil {
			update := doc.update()
			ev.ArtifactName, ev.LastChunk = update.Artifact.Name, update.LastChunk
		}
	}
	return ev
}

// artifactUpdate holds the artifact-update fields a2awire leaves out.
type artifactUpdate struct {
	Artifact struct {
		Name string `json:"name"`
	} `json:"artifact"`
	LastChunk bool `json:"lastChunk"`
}

// artifactDoc finds the artifact update in a bare v0.3 event, a v1.0 wrapper,
// or either inside a JSON-RPC response.
type artifactDoc struct {
	artifactUpdate
	ArtifactUpdate *artifactUpdate `json:"artifactUpdate"`
	Result         *artifactDoc    `json:"result"`
}

func (d *artifactDoc) update() artifactUpdate {
	switch {
	case d.Result != nil:
		return d.Result.update()
	case d.ArtifactUpdate != nil:
		return *d.ArtifactUpdate
	}
	return d.artifactUpdate
}
