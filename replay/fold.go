package replay

import (
	"encoding/json"

	"github.com/a2aproxy/a2a-proxy/internal/a2awire"
)

// object is a JSON object whose members are kept as recorded.
type object = map[string]json.RawMessage

// taskFold rebuilds what a client that read a task's events knows about it:
// the latest task snapshot, with every later status and artifact applied.
// It answers message/send and tasks/get from a recorded stream.
type taskFold struct {
	version   string
	task      object   // nil until a task, status or artifact arrives
	artifacts []object // the task's artifacts, in order
	message   json.RawMessage
}

func newTaskFold(version string) *taskFold { return &taskFold{version: version} }

// add applies one recorded event: a unary body, or an SSE block (which is
// never a JSON document).
func (f *taskFold) add(raw []byte) {
	doc := raw
	if !json.Valid(raw) {
		fields, ok := a2awire.ParseSSE(raw)
		if !ok {
			return
		}
		doc = fields.Data
	}
	var env struct {
		Result json.RawMessage `json:"result"`
	}
	if json.Unmarshal(doc, &env) != nil || len(env.Result) == 0 {
		return // an error, or not JSON-RPC
	}
	kind, bodyDoc := eventBody(env.Result)
	var body object
	if json.Unmarshal(bodyDoc, &body) != nil {
		return
	}
	switch kind {
	case a2awire.KindTask:
		f.task = body
		f.artifacts = nil
		var artifacts []object
		if json.Unmarshal(body["artifacts"], &artifacts) == nil {
			f.artifacts = artifacts
		}
	case a2awire.KindStatusUpdate:
		f.ensureTask(body)
		if status, ok := body["status"]; ok {
			f.task["status"] = status
		}
	case a2awire.KindArtifactUpdate:
		f.ensureTask(body)
		f.addArtifact(body)
	case a2awire.KindMessage:
		f.message = bodyDoc
	}
}

// v1Members are the members of a v1.0 event wrapper, by the kind they name.
var v1Members = map[string]string{
	"task":           a2awire.KindTask,
	"statusUpdate":   a2awire.KindStatusUpdate,
	"artifactUpdate": a2awire.KindArtifactUpdate,
	"message":        a2awire.KindMessage,
}

// eventBody tells an event's kind from the v0.3 kind member or the v1.0
// wrapper, and returns the object that carries its fields.
func eventBody(result json.RawMessage) (kind string, body json.RawMessage) {
	var members object
	if json.Unmarshal(result, &members) != nil {
		return "", nil
	}
	if json.Unmarshal(members["kind"], &kind) == nil && kind != "" {
		return kind, result
	}
	if len(members) == 1 {
		for member, raw := range members {
			if kind, ok := v1Members[member]; ok {
				return kind, raw
			}
		}
	}
	if members["status"] != nil && members["id"] != nil {
		return a2awire.KindTask, result // a bare v1.0 Task, as GetTask answers
	}
	return "", nil
}

// ensureTask starts the task from an update when no snapshot came first.
func (f *taskFold) ensureTask(update object) {
	if f.task != nil {
		return
	}
	f.task = object{"id": update["taskId"], "contextId": update["contextId"]}
	if f.version == a2awire.V03 {
		f.task["kind"] = json.RawMessage(`"task"`)
	}
}

// addArtifact applies an artifact update: a new artifact, a replacement, or
// with append set, more parts for an artifact already there.
func (f *taskFold) addArtifact(update object) {
	var artifact object
	if json.Unmarshal(update["artifact"], &artifact) != nil {
		return
	}
	var appendParts bool
	_ = json.Unmarshal(update["append"], &appendParts)
	id := string(artifact["artifactId"])
	for i, have := range f.artifacts {
		if string(have["artifactId"]) != id {
			continue
		}
		if appendParts {
			var parts, more []json.RawMessage
			_ = json.Unmarshal(have["parts"], &parts)
			_ = json.Unmarshal(artifact["parts"], &more)
			artifact["parts"], _ = json.Marshal(append(parts, more...))
		}
		f.artifacts[i] = artifact
		return
	}
	f.artifacts = append(f.artifacts, artifact)
}

// finalTask returns the task as the events left it, in the recording's
// version; ok is false when no event named a task.
func (f *taskFold) finalTask() (json.RawMessage, bool) {
	if f.task == nil {
		return nil, false
	}
	task := make(object, len(f.task)+1)
	for k, v := range f.task {
		task[k] = v
	}
	if len(f.artifacts) > 0 {
		task["artifacts"], _ = json.Marshal(f.artifacts)
	}
	doc, err := json.Marshal(task)
	return doc, err == nil
}

// sendResult returns what message/send or SendMessage answers: the task, or
// the message when the agent answered with one alone.
func (f *taskFold) sendResult() (json.RawMessage, bool) {
	result, ok := f.finalTask()
	member := "task"
	if !ok {
		result, ok, member = f.message, f.message != nil, "message"
	}
	if !ok || f.version == a2awire.V03 {
		return result, ok
	}
	doc, err := json.Marshal(object{member: result})
	return doc, err == nil
}
