package conformance

import (
	"github.com/a2aproxy/a2a-proxy/internal/a2awire"
)

// interrupted states end a v1.0 stream as terminal ones do (spec 11.7).
func interrupted(state string) bool { return state == "input-required" || state == "auth-required" }

// carriesState tells the events that hold a task state.
func carriesState(kind string) bool {
	return kind == a2awire.KindTask || kind == a2awire.KindStatusUpdate
}

// stream checks the order of a stream's events.
func (c *check) stream() {
	evs := make([]*parsed, 0, len(c.events))
	for i := range c.events {
		if p := &c.events[i]; !p.jsonErr && p.ev.Kind != "" {
			evs = append(evs, p)
		}
	}
	completed := c.ex.Outcome == OutcomeCompleted
	if len(evs) == 0 {
		if completed && c.isV10() {
			c.add(RuleStreamFirstEvent, -1, "", "the stream ended without an event")
		}
		return
	}
	first := evs[0]
	if first.ev.Kind == a2awire.KindError {
		return // an error instead of a stream
	}
	c.ids(evs)
	if !c.firstEvent(first) {
		return
	}
	if first.ev.Kind == a2awire.KindMessage {
		for _, p := range evs[1:] {
			if p.ev.Kind != a2awire.KindError {
				c.add(RuleStreamMessageOnly, p.seq, "", "%s after the stream's Message: a Message stream holds that Message only", p.ev.Kind)
				break
			}
		}
		return
	}
	c.order(evs, completed)
	if c.version == a2awire.V03 {
		c.finalFlag(evs, completed)
	}
	c.chunks(evs)
}

// firstEvent checks what a stream opens with and reports whether the
// remaining rules can follow the stream from it.
func (c *check) firstEvent(first *parsed) bool {
	kind := first.ev.Kind
	subscribe := c.method == "SubscribeToTask"
	switch {
	case subscribe && c.version == a2awire.V03:
		return true // v0.3 asks no snapshot of tasks/resubscribe: a2a-go sends only what follows
	case subscribe && kind != a2awire.KindTask:
		c.add(RuleStreamFirstEvent, first.seq, "", "a subscription opens with %s, not a Task snapshot", kind)
	case !subscribe && kind != a2awire.KindTask && kind != a2awire.KindMessage:
		c.add(RuleStreamFirstEvent, first.seq, "", "the stream opens with %s, not a Task or Message", kind)
	}
	return true
}

// order checks the task states along the stream: nothing after a terminal
// (v1.0: or interrupted) state but a final Task snapshot, no state change
// out of a terminal state, and (v1.0) a closed stream ending in one of them.
func (c *check) order(evs []*parsed, completed bool) {
	var endState string // the terminal or interrupted state reached, "" until then
	endSeq := -1
	lastState := ""
	for i, p := range evs {
		ev := &p.ev
		if ev.Kind == a2awire.KindError {
			continue
		}
		hasState := carriesState(ev.Kind) && ev.State != ""
		if endState != "" {
			switch {
			case hasState && a2awire.IsTerminalState(endState) && ev.State != endState:
				c.add(RuleStreamTerminalState, p.seq, "", "state %s after the terminal state %s (event %d)", ev.State, endState, endSeq)
			case c.isV10() && ev.Kind == a2awire.KindTask && ev.State == endState:
				// A final Task snapshot before closing is allowed.
			default:
				c.add(RuleStreamAfterTerminal, p.seq, "", "%s after the %s state %s (event %d): the stream should have closed", ev.Kind, endKind(endState), endState, endSeq)
			}
			continue
		}
		if !hasState {
			continue
		}
		lastState = ev.State
		if a2awire.IsTerminalState(ev.State) || c.isV10() && interrupted(ev.State) && i > 0 {
			endState, endSeq = ev.State, p.seq
		}
	}
	if c.isV10() && completed && endState == "" && !interrupted(lastState) {
		last := evs[len(evs)-1]
		if last.ev.Kind != a2awire.KindError {
			state := lastState
			if state == "" {
				state = "none"
			}
			c.add(RuleStreamEndState, last.seq, "", "the agent closed the stream in state %s, not a terminal or interrupted one", state)
		}
	}
}

func endKind(state string) string {
	if a2awire.IsTerminalState(state) {
		return "terminal"
	}
	return "interrupted"
}

// finalFlag checks v0.3's final flag: on the last status update, and only
// there.
func (c *check) finalFlag(evs []*parsed, completed bool) {
	last := -1
	for i, p := range evs {
		if p.ev.Kind == a2awire.KindStatusUpdate {
			last = i
		}
	}
	if last < 0 {
		return
	}
	for i, p := range evs[:last] {
		if p.ev.Kind == a2awire.KindStatusUpdate && p.ev.Final {
			c.add(RuleStreamFinalFlag, p.seq, "", "final: true on a status update that is not the stream's last (events %d to %d follow)", evs[i+1].seq, evs[len(evs)-1].seq)
		}
	}
	l := evs[last]
	switch {
	case l.ev.Final && last < len(evs)-1 && !a2awire.IsTerminalState(l.ev.State):
		next := evs[last+1]
		if next.ev.Kind != a2awire.KindError {
			c.add(RuleStreamFinalFlag, next.seq, "", "%s after the status update marked final (event %d)", next.ev.Kind, l.seq)
		}
	case !l.ev.Final && completed:
		c.add(RuleStreamFinalFlag, l.seq, "", "the stream's last status update (state %s) is not marked final: true", l.ev.State)
	}
}

// chunks checks artifact updates per artifact id: an append needs a chunk
// before it, nothing follows a last chunk.
func (c *check) chunks(evs []*parsed) {
	type artifact struct {
		lastSeq int // the seq of its last chunk, -1 while open
	}
	known := map[string]*artifact{}
	snapshot := false // a Task in the stream listed the task's artifacts
	for _, p := range evs {
		switch p.ev.Kind {
		case a2awire.KindTask:
			snapshot = true
			for _, id := range p.detail.Artifacts {
				if known[id] == nil {
					known[id] = &artifact{lastSeq: -1}
				}
			}
		case a2awire.KindArtifactUpdate:
			id := p.ev.ArtifactID
			a := known[id]
			switch {
			case a != nil && a.lastSeq >= 0:
				c.add(RuleArtifactChunks, p.seq, "", "artifact %q updated after its last chunk (event %d)", truncate(id, 60), a.lastSeq)
				continue
			case a == nil && p.detail.Append && (snapshot || c.req.TaskID == ""):
				c.add(RuleArtifactChunks, p.seq, "", "append: true for artifact %q, which no chunk started", truncate(id, 60))
			}
			if a == nil {
				if len(known) >= maxEvents {
					continue
				}
				a = &artifact{lastSeq: -1}
				known[id] = a
			}
			if p.detail.LastChunk {
				a.lastSeq = p.seq
			}
		}
	}
}

// ids checks that every event names the same task and context, and those
// of the request.
func (c *check) ids(evs []*parsed) {
	wantTask, wantCtx := c.req.TaskID, c.req.ContextID
	taskFrom, ctxFrom := "the request", "the request"
	for _, p := range evs {
		ev := &p.ev
		if ev.Kind == a2awire.KindError {
			continue
		}
		if ev.TaskID != "" {
			switch {
			case wantTask == "":
				wantTask, taskFrom = ev.TaskID, "event "+itoaSeq(p.seq)
			case ev.TaskID != wantTask:
				c.add(RuleIDsConsistent, p.seq, "", "task id %q, %s names %q", truncate(ev.TaskID, 60), taskFrom, truncate(wantTask, 60))
			}
		}
		if ev.ContextID != "" {
			switch {
			case wantCtx == "":
				wantCtx, ctxFrom = ev.ContextID, "event "+itoaSeq(p.seq)
			case ev.ContextID != wantCtx:
				c.add(RuleIDsConsistent, p.seq, "", "context id %q, %s names %q", truncate(ev.ContextID, 60), ctxFrom, truncate(wantCtx, 60))
			}
		}
	}
}

// unary checks a one-document response: its task and context ids against
// the request.
func (c *check) unary() {
	if !c.carriesEvent() {
		return
	}
	var evs []*parsed
	for i := range c.events {
		if p := &c.events[i]; !p.jsonErr && p.ev.Kind != "" {
			evs = append(evs, p)
		}
	}
	c.ids(evs)
}
