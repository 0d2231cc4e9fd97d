package recorder

import (
	"bufio"
	"bytes"
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"net/http"
	"time"
	"unicode/utf8"
)

// RecordingFormat and RecordingVersion open every recording in the NDJSON
// export format (docs/replay.md). A reader refuses versions it does not know.
const (
	RecordingFormat  = "a2a-proxy.recording"
	RecordingVersion = 1
)

// Recording is everything recorded about one task: the exchanges linked to it
// and those of their events that belong to it (the ones GetTask returns), in
// the same order. It is what export writes, import reads and replay plays.
type Recording struct {
	Task      RecordedTask
	Exchanges []RecordedExchange // by start time
	Events    []Event            // exchange by exchange, in Exchanges' order, then by Seq
}

// RecordedTask names the task of a recording.
type RecordedTask struct {
	TaskID    string `json:"taskId"`
	ContextID string `json:"contextId,omitempty"`
	Agent     string `json:"agent,omitempty"`
	State     string `json:"state,omitempty"`
}

// RecordedExchange is an exchange's request and, once it is over, its end.
type RecordedExchange struct {
	Exchange
	End *ExchangeEnd // nil while the exchange was still open
}

// EventDocs returns the API's view of the recording's events, in the same
// order: the events of GET /api/tasks/{taskId}.
func (r *Recording) EventDocs() []EventDoc {
	maybeSSE := make(map[string]bool, len(r.Exchanges))
	for _, x := range r.Exchanges {
		maybeSSE[x.ID] = x.End == nil || x.End.Streaming
	}
	docs := make([]EventDoc, len(r.Events))
	for i := range r.Events {
		ev := &r.Events[i]
		docs[i] = ev.doc(maybeSSE[ev.ExchangeID])
	}
	return docs
}

// WriteRecordings writes recordings in the NDJSON export format: for each, a
// header line (format, version, task, exchanges), then one line per event.
// The output depends only on the recordings, so export, import and export
// again gives the same bytes.
func WriteRecordings(w io.Writer, recs ...*Recording) error {
	bw := bufio.NewWriter(w)
	enc := json.NewEncoder(bw) // one document and one newline per Encode
	enc.SetEscapeHTML(false)   // keep recorded payloads readable: no \u003c for <
	for _, rec := range recs {
		if err := enc.Encode(newHeaderLine(rec)); err != nil {
			return fmt.Errorf("write recording of task %s: %w", rec.Task.TaskID, err)
		}
		for i := range rec.Events {
			if err := enc.Encode(newEventLine(&rec.Events[i])); err != nil {
				return fmt.Errorf("write recording of task %s: %w", rec.Task.TaskID, err)
			}
		}
	}
	if err := bw.Flush(); err != nil {
		return fmt.Errorf("write recordings: %w", err)
	}
	return nil
}

// headerLine opens a recording.
type headerLine struct {
	Format    string         `json:"format"`
	Version   int            `json:"version"`
	Task      RecordedTask   `json:"task"`
	Exchanges []exchangeLine `json:"exchanges"`
}

// exchangeLine is one exchange in a header line. The end fields are absent
// for an exchange that was still open.
type exchangeLine struct {
	ID                   string      `json:"id"`
	Agent                string      `json:"agent,omitempty"`
	Method               string      `json:"method,omitempty"`
	ProtocolVersion      string      `json:"protocolVersion,omitempty"`
	Binding              string      `json:"binding,omitempty"`
	HTTPMethod           string      `json:"httpMethod,omitempty"`
	Path                 string      `json:"path,omitempty"`
	RequestHeaders       http.Header `json:"requestHeaders,omitempty"`
	RequestBody          payload     `json:"requestBody,omitempty"`
	RequestBodyTruncated bool        `json:"requestBodyTruncated,omitempty"`
	RPCID                string      `json:"rpcId,omitempty"`
	TaskID               string      `json:"taskId,omitempty"`
	ContextID            string      `json:"contextId,omitempty"`
	MessageID            string      `json:"messageId,omitempty"`
	StartedAt            time.Time   `json:"startedAt"`
	TraceID              string      `json:"traceId,omitempty"`
	SpanID               string      `json:"spanId,omitempty"`
	EndedAt              *time.Time  `json:"endedAt,omitempty"`
	Status               int         `json:"status,omitempty"`
	ContentType          string      `json:"contentType,omitempty"`
	Streaming            bool        `json:"streaming,omitempty"`
	Outcome              string      `json:"outcome,omitempty"`
	Error                string      `json:"error,omitempty"`
	EventCount           int         `json:"eventCount,omitempty"`
	DroppedEvents        int         `json:"droppedEvents,omitempty"`
}

// eventLine is one event. at may be left out by hand-written fixtures: it is
// then the exchange's start plus the offset.
type eventLine struct {
	ExchangeID string    `json:"exchangeId"`
	Seq        int       `json:"seq"`
	OffsetNs   int64     `json:"offsetNs"`
	At         time.Time `json:"at,omitzero"`
	Kind       string    `json:"kind,omitempty"`
	TaskID     string    `json:"taskId,omitempty"`
	ContextID  string    `json:"contextId,omitempty"`
	State      string    `json:"state,omitempty"`
	Final      bool      `json:"final,omitempty"`
	ArtifactID string    `json:"artifactId,omitempty"`
	Flag       string    `json:"flag,omitempty"`
	Raw        *payload  `json:"raw"` // nil when the line has none
}

func newHeaderLine(rec *Recording) headerLine {
	h := headerLine{
		Format:    RecordingFormat,
		Version:   RecordingVersion,
		Task:      rec.Task,
		Exchanges: make([]exchangeLine, len(rec.Exchanges)),
	}
	for i, x := range rec.Exchanges {
		line := exchangeLine{
			ID: x.ID, Agent: x.Agent, Method: x.Method, ProtocolVersion: x.ProtocolVersion,
			Binding: x.Binding, HTTPMethod: x.HTTPMethod, Path: x.Path,
			RequestHeaders: x.RequestHeaders, RequestBody: x.RequestBody,
			RequestBodyTruncated: x.RequestBodyTruncated, RPCID: x.RPCID,
			TaskID: x.TaskID, ContextID: x.ContextID, MessageID: x.MessageID,
			StartedAt: x.StartedAt, TraceID: x.TraceID, SpanID: x.SpanID,
		}
		if end := x.End; end != nil {
			line.EndedAt = &end.EndedAt
			line.Status, line.ContentType, line.Streaming = end.Status, end.ContentType, end.Streaming
			line.Outcome, line.Error = end.Outcome, end.Error
			line.EventCount, line.DroppedEvents = end.EventCount, end.DroppedEvents
		}
		h.Exchanges[i] = line
	}
	return h
}

func newEventLine(ev *Event) eventLine {
	raw := payload(ev.Raw)
	return eventLine{
		ExchangeID: ev.ExchangeID, Seq: ev.Seq, OffsetNs: int64(ev.Offset), At: ev.At,
		Kind: ev.Kind, TaskID: ev.TaskID, ContextID: ev.ContextID, State: ev.State,
		Final: ev.Final, ArtifactID: ev.ArtifactID, Flag: ev.Flag, Raw: &raw,
	}
}

// payload is recorded bytes in a JSON line: a string when they are UTF-8,
// which keeps SSE blocks and JSON bodies readable and editable, else
// {"base64":"..."}, so that any bytes come back exactly.
type payload []byte

type base64Payload struct {
	Base64 []byte `json:"base64"` // encoding/json writes []byte as standard base64
}

func (p payload) MarshalJSON() ([]byte, error) {
	if !utf8.Valid(p) {
		return json.Marshal(base64Payload{Base64: p})
	}
	// json.Marshal would escape <, > and & in the string, and the encoder
	// keeps what a marshaler returns.
	var b bytes.Buffer
	enc := json.NewEncoder(&b)
	enc.SetEscapeHTML(false)
	if err := enc.Encode(string(p)); err != nil {
		return nil, err
	}
	return bytes.TrimSuffix(b.Bytes(), []byte{'\n'}), nil
}

func (p *payload) UnmarshalJSON(b []byte) error {
	if len(b) > 0 && b[0] == '"' {
		var s string
		if err := json.Unmarshal(b, &s); err != nil {
			return err
		}
		*p = []byte(s)
		return nil
	}
	var wrapped base64Payload
	dec := json.NewDecoder(bytes.NewReader(b))
	dec.DisallowUnknownFields()
	if err := dec.Decode(&wrapped); err != nil || wrapped.Base64 == nil {
		return errors.New(`want a string or {"base64":"..."}`)
	}
	*p = wrapped.Base64
	return nil
}
