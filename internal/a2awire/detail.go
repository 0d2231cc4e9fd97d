package a2awire

import "encoding/json"

// Detail is what conformance checks need of an event beyond Event: flags
// whose presence matters, and the artifacts a task snapshot already holds.
type Detail struct {
	HasFinal  bool     // the event carries a "final" member (v0.3 status updates)
	Append    bool     // artifact update: append to an artifact sent before
	LastChunk bool     // artifact update: the artifact's last chunk
	Artifacts []string // task: the ids of the artifacts it carries
}

type detailBody struct {
	Final     *bool `json:"final"`
	Append    bool  `json:"append"`
	LastChunk bool  `json:"lastChunk"`
	Artifacts []struct {
		ArtifactID string `json:"artifactId"`
	} `json:"artifacts"`
}

type detailWrapped struct {
	detailBody
	Task           *detailBody `json:"task"`
	StatusUpdate   *detailBody `json:"statusUpdate"`
	ArtifactUpdate *detailBody `json:"artifactUpdate"`
}

type detailDoc struct {
	detailWrapped
	Result *detailWrapped `json:"result"`
}

// ParseDetail reads the Detail of one event document, JSON-RPC or bare, in
// either version. What it cannot read stays zero.
func ParseDetail(doc []byte) Detail {
	var d detailDoc
	if json.Unmarshal(doc, &d) != nil {
		return Detail{}
	}
	w := &d.detailWrapped
	if d.Result != nil {
		w = d.Result
	}
	b := &w.detailBody
	for _, inner := range []*detailBody{w.Task, w.StatusUpdate, w.ArtifactUpdate} {
		if inner != nil {
			b = inner
			break
		}
	}
	out := Detail{HasFinal: b.Final != nil, Append: b.Append, LastChunk: b.LastChunk}
	for _, a := range b.Artifacts {
		if a.ArtifactID != "" {
			out.Artifacts = append(out.Artifacts, a.ArtifactID)
		}
	}
	return out
}
