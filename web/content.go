package web

import (
	"bytes"
	"encoding/json"
	"net/url"
	"slices"
	"strings"
)

// content is what a timeline entry shows of an event's JSON document: its
// messages (a task's history and status message, a status update's message,
// a message), its artifacts, or its JSON-RPC error. It is read leniently
// from either protocol version; a shape it does not know shows nothing here
// and stays readable in the raw JSON.
type content struct {
	Messages  []message
	Artifacts []artifact
	Error     *rpcError
}

type message struct {
	Role  string // "user" or "agent"
	Parts []part
}

type artifact struct {
	ID, Name, Description string
	Parts                 []part
	Append, LastChunk     bool
}

// part is one part of a message or artifact. Kind says which fields are set.
type part struct {
	Kind string // "text", "data" or "file"
	Text string // text
	Data string // data, as indented JSON
	File file   // file
}

type file struct {
	Name, MediaType string
	URL             string // only an http(s) URL, which the page links to
	Bytes           int    // size of inline content, 0 if none
}

type rpcError struct {
	Code    int    `json:"code"`
	Message string `json:"message"`
}

// wireBody holds the fields of every event shape at once, v0.3 and v1.0.
type wireBody struct {
	Role      string         `json:"role"`
	Parts     []wirePart     `json:"parts"`
	Content   []wirePart     `json:"content"` // v0.3 REST's name for parts
	History   []wireBody     `json:"history"`
	Status    *wireStatus    `json:"status"`
	Artifact  *wireArtifact  `json:"artifact"`
	Artifacts []wireArtifact `json:"artifacts"`
	Append    bool           `json:"append"`
	LastChunk bool           `json:"lastChunk"`
}

type wireStatus struct {
	Message *wireBody `json:"message"`
}

type wireArtifact struct {
	ArtifactID  string     `json:"artifactId"`
	Name        string     `json:"name"`
	Description string     `json:"description"`
	Parts       []wirePart `json:"parts"`
}

// wirePart is a v0.3 part (tagged by kind, file in a file object) or a v1.0
// part (untagged: text, data, or raw/url with filename and mediaType).
type wirePart struct {
	Kind      string          `json:"kind"`
	Text      *string         `json:"text"`
	Data      json.RawMessage `json:"data"`
	File      *wireFile       `json:"file"`
	URL       string          `json:"url"`
	Raw       string          `json:"raw"`
	Filename  string          `json:"filename"`
	MediaType string          `json:"mediaType"`
}

type wireFile struct {
	Name          string `json:"name"`
	MimeType      string `json:"mimeType"`
	MediaType     string `json:"mediaType"`
	URI           string `json:"uri"`
	Bytes         string `json:"bytes"`
	FileWithURI   string `json:"fileWithUri"`
	FileWithBytes string `json:"fileWithBytes"`
}

// v1Kinds name the member that wraps a v1.0 event's body.
var v1Kinds = []string{"task", "message", "statusUpdate", "artifactUpdate"}

// readContent extracts the content of an event document: a JSON-RPC
// response, or a bare event (REST), v0.3 or v1.0.
func readContent(doc json.RawMessage) content {
	var env struct {
		JSONRPC string          `json:"jsonrpc"`
		Result  json.RawMessage `json:"result"`
		Error   *rpcError       `json:"error"`
	}
	if json.Unmarshal(doc, &env) != nil {
		return content{}
	}
	body := doc
	if env.JSONRPC != "" {
		if env.Error != nil {
			return content{Error: env.Error}
		}
		body = env.Result
	}
	var members map[string]json.RawMessage
	if json.Unmarshal(body, &members) != nil {
		return content{}
	}
	for _, kind := range v1Kinds {
		if raw, ok := members[kind]; ok && len(members) == 1 {
			body = raw
		}
	}
	return bodyContent(body)
}

func bodyContent(raw json.RawMessage) content {
	var b wireBody
	if json.Unmarshal(raw, &b) != nil {
		return content{}
	}
	var c content
	messages := slices.Concat(b.History, []wireBody{b}) // b has parts of its own when it is a message
	if b.Status != nil && b.Status.Message != nil {
		messages = append(messages, *b.Status.Message)
	}
	for _, m := range messages {
		if parts := readParts(append(m.Parts, m.Content...)); len(parts) > 0 {
			c.Messages = append(c.Messages, message{Role: normalizeRole(m.Role), Parts: parts})
		}
	}
	if b.Artifact != nil {
		a := readArtifact(*b.Artifact)
		a.Append, a.LastChunk = b.Append, b.LastChunk
		c.Artifacts = append(c.Artifacts, a)
	}
	for _, a := range b.Artifacts {
		c.Artifacts = append(c.Artifacts, readArtifact(a))
	}
	return c
}

func readArtifact(a wireArtifact) artifact {
	return artifact{ID: a.ArtifactID, Name: a.Name, Description: a.Description, Parts: readParts(a.Parts)}
}

// normalizeRole reads v1.0's "ROLE_AGENT" as v0.3's "agent".
func normalizeRole(role string) string {
	return strings.ToLower(strings.TrimPrefix(role, "ROLE_"))
}

func readParts(wire []wirePart) []part {
	var parts []part
	for _, w := range wire {
		switch {
		case w.Text != nil && (w.Kind == "" || w.Kind == "text"):
			parts = append(parts, part{Kind: "text", Text: *w.Text})
		case len(w.Data) > 0 && (w.Kind == "" || w.Kind == "data"):
			parts = append(parts, part{Kind: "data", Data: indentJSON(w.Data)})
		case w.File != nil:
			f := w.File
			parts = append(parts, part{Kind: "file", File: newFile(f.Name, f.MimeType+f.MediaType, f.URI+f.FileWithURI, f.Bytes+f.FileWithBytes)})
		case w.URL != "" || w.Raw != "":
			parts = append(parts, part{Kind: "file", File: newFile(w.Filename, w.MediaType, w.URL, w.Raw)})
		}
	}
	return parts
}

// newFile describes a file part; its inline bytes are base64, so only their
// size is shown.
func newFile(name, mediaType, uri, b64 string) file {
	f := file{Name: name, MediaType: mediaType, Bytes: len(b64) * 3 / 4}
	if u, err := url.Parse(uri); err == nil && (u.Scheme == "http" || u.Scheme == "https") {
		f.URL = uri
	}
	if f.Name == "" {
		f.Name = uri
	}
	return f
}

// indentJSON pretty-prints a JSON document, or returns it as it is when it
// is not JSON.
func indentJSON(doc []byte) string {
	var b bytes.Buffer
	if json.Indent(&b, doc, "", "  ") != nil {
		return string(doc)
	}
	return b.String()
}

// documentText is an event's document as the page shows it raw: indented
// JSON, or the recorded text when it was not JSON (the API carries that as a
// JSON string).
func documentText(doc json.RawMessage) string {
	var s string
	if json.Unmarshal(doc, &s) == nil {
		return s
	}
	return indentJSON(doc)
}
