package main

import (
	"bytes"
	"context"
	"encoding/json"
	"fmt"
	"io"
	"net/http"
	"strings"

	"github.com/google/uuid"

	"github.com/a2aproxy/a2a-proxy/internal/a2awire"
	"github.com/a2aproxy/a2a-proxy/recorder"
)

// rerunHeaders are the request headers a rerun sends again: what the
// protocol needs, nothing that identifies or authenticates the original
// client.
var rerunHeaders = []string{"Content-Type", "Accept", "A2A-Version", "A2A-Extensions", "X-A2A-Extensions"}

// rerun re-sends the requests of one recording.
type rerun struct {
	orig   *recorder.Recording
	target rerunTarget
	client *http.Client
	// ids maps the original run's task and context ids to the new run's,
	// as the new responses reveal them.
	ids map[string]string
}

func newRerun(orig *recorder.Recording, target rerunTarget) *rerun {
	return &rerun{orig: orig, target: target, client: &http.Client{}, ids: make(map[string]string)}
}

// send re-sends every recorded request in order and returns the new run's
// task id and how many of the requests named it (in the request or the
// response): the exchanges the proxy links to the new task.
func (r *rerun) send(ctx context.Context) (taskID string, linked int, err error) {
	for i := range r.orig.Exchanges {
		x := &r.orig.Exchanges[i]
		if x.RequestBodyTruncated {
			return "", 0, fmt.Errorf("exchange %s (%s): its request body was recorded truncated, so it cannot be sent again", x.ID, x.Method)
		}
		named, err := r.sendOne(ctx, x)
		if err != nil {
			return "", 0, err
		}
		if named {
			linked++
		}
	}
	taskID = r.ids[r.orig.Task.TaskID]
	if taskID == "" {
		return "", 0, fmt.Errorf("no response of the rerun named a task (the original was %s)", r.orig.Task.TaskID)
	}
	return taskID, linked, nil
}

// sendOne sends one recorded request with fresh ids, reads the whole
// response and learns the new ids from it. It reports whether the request
// or its response named the new task.
func (r *rerun) sendOne(ctx context.Context, x *recorder.RecordedExchange) (named bool, err error) {
	body, namedInRequest := r.rewriteBody(x.RequestBody)
	target := r.mapPath(r.target.url(x))
	req, err := http.NewRequestWithContext(ctx, x.HTTPMethod, target, bytes.NewReader(body))
	if err != nil {
		return false, fmt.Errorf("rerun %s: %w", x.Method, err)
	}
	for _, name := range rerunHeaders {
		for _, v := range x.RequestHeaders.Values(name) {
			req.Header.Add(name, v)
		}
	}
	resp, err := r.client.Do(req)
	if err != nil {
		return false, fmt.Errorf("rerun %s: %w (is the proxy running at %s?)", x.Method, err, r.target.proxy)
	}
	defer resp.Body.Close()
	newTask, newContext, err := readIDs(resp)
	if err != nil {
		return false, fmt.Errorf("rerun %s: read the response: %w", x.Method, err)
	}
	oldTask, oldContext := r.recordedIDs(x.ID)
	r.learn(oldTask, newTask)
	r.learn(oldContext, newContext)
	if r.orig.Task.ContextID != "" {
		r.learn(r.orig.Task.ContextID, newContext)
	}
	mapped := r.ids[r.orig.Task.TaskID]
	return namedInRequest || (mapped != "" && newTask == mapped), nil
}

func (r *rerun) learn(old, new string) {
	if old != "" && new != "" && r.ids[old] == "" {
		r.ids[old] = new
	}
}

// recordedIDs returns the first task and context id the original
// exchange's events named.
func (r *rerun) recordedIDs(exchangeID string) (taskID, contextID string) {
	for i := range r.orig.Events {
		ev := &r.orig.Events[i]
		if ev.ExchangeID != exchangeID {
			continue
		}
		if taskID == "" {
			taskID = ev.TaskID
		}
		if contextID == "" {
			contextID = ev.ContextID
		}
	}
	return taskID, contextID
}

// mapPath replaces the original run's ids in a REST path (tasks/{id}).
func (r *rerun) mapPath(target string) string {
	for old, new := range r.ids {
		target = strings.ReplaceAll(target, "/"+old, "/"+new)
	}
	return target
}

// rewriteBody gives the request's message a fresh message id, and replaces
// the original run's task and context ids with the new run's, anywhere in
// the body; a message's taskId or contextId that is not known yet is
// dropped, as it referred to the old run. A body that is not a JSON object
// is sent as recorded. named says whether the body names the new task.
func (r *rerun) rewriteBody(body []byte) (out []byte, named bool) {
	var doc map[string]any
	dec := json.NewDecoder(bytes.NewReader(body))
	dec.UseNumber()
	if dec.Decode(&doc) != nil {
		return body, false
	}
	newTask := r.ids[r.orig.Task.TaskID]
	var mapValue func(v any) any
	mapValue = func(v any) any {
		switch v := v.(type) {
		case string:
			if n, ok := r.ids[v]; ok {
				named = named || n == newTask
				return n
			}
			if id, ok := strings.CutPrefix(v, "tasks/"); ok && r.ids[id] != "" { // v1.0 "name"
				named = named || r.ids[id] == newTask
				return "tasks/" + r.ids[id]
			}
		case map[string]any:
			for k, e := range v {
				v[k] = mapValue(e)
			}
		case []any:
			for i, e := range v {
				v[i] = mapValue(e)
			}
		}
		return v
	}
	r.freshMessage(doc["message"]) // REST: the body is the request
	if params, ok := doc["params"].(map[string]any); ok {
		r.freshMessage(params["message"])
	}
	mapValue(doc)
	out, err := json.Marshal(doc)
	if err != nil {
		return body, false
	}
	return out, named
}

// freshMessage gives a message a new id (messageId, or message_id as
// protobuf JSON may spell it) and drops the task and context ids of the
// original run that have no counterpart yet.
func (r *rerun) freshMessage(v any) {
	msg, ok := v.(map[string]any)
	if !ok {
		return
	}
	for _, key := range []string{"messageId", "message_id"} {
		if _, ok := msg[key]; ok {
			msg[key] = uuid.NewString()
		}
	}
	for _, key := range []string{"taskId", "contextId", "task_id", "context_id"} {
		if id, ok := msg[key].(string); ok && r.ids[id] == "" {
			delete(msg, key)
		}
	}
}

// readIDs reads a whole response, unary or a stream, and returns the first
// task and context id its events name.
func readIDs(resp *http.Response) (taskID, contextID string, err error) {
	note := func(doc []byte) {
		ev, err := a2awire.ParseEvent(doc)
		if err != nil {
			return
		}
		if taskID == "" {
			taskID = ev.TaskID
		}
		if contextID == "" {
			contextID = ev.ContextID
		}
	}
	if !strings.HasPrefix(resp.Header.Get("Content-Type"), "text/event-stream") {
		body, err := io.ReadAll(resp.Body)
		note(body)
		return taskID, contextID, err
	}
	var sp a2awire.Splitter
	emit := func(block []byte, _ int64) {
		if f, ok := a2awire.ParseSSE(block); ok {
			note(f.Data)
		}
	}
	buf := make([]byte, 32<<10)
	for {
		n, err := resp.Body.Read(buf)
		sp.Split(buf[:n], emit)
		if err == io.EOF {
			if rest, _ := sp.End(emit); rest != nil {
				emit(rest, 0) // an unterminated last event
			}
			return taskID, contextID, nil
		}
		if err != nil {
			return taskID, contextID, err
		}
	}
}
