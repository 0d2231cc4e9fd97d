package redact

import "bytes"

// Event returns a recorded event's bytes with secret JSON fields redacted:
// raw is a unary body (JSON) or an SSE block, whose data is redacted and
// whose data lines are rebuilt so that the block still parses to the
// redacted document. It returns raw itself when nothing is redacted, which
// is what most events cost: one scan for the words secret names contain.
func (r *Redactor) Event(raw []byte) []byte {
	if !r.mayHold(raw) {
		return raw
	}
	if i := skipSpace(raw, 0); i < len(raw) && (raw[i] == '{' || raw[i] == '[') {
		out, _ := r.redactJSON(raw) // an SSE block starts with a field name
		return out
	}
	return r.sse(raw)
}

var bom = []byte("\xEF\xBB\xBF")

// sse redacts the data of every event in block (a recorded block may carry
// keep-alive comments before its event).
func (r *Redactor) sse(block []byte) []byte {
	var out []byte // nil until something is redacted
	done := 0      // block[:done] is in out
	var lineBuf [4]sseLine
	lines := lineBuf[:0]
	i := 0
	if bytes.HasPrefix(block, bom) {
		i = len(bom)
	}
	for i <= len(block) {
		line, next := nextLine(block, i)
		if line.end == line.start || next > len(block) { // a blank line, or the end
			if line.end > line.start && isData(block[line.start:line.end]) {
				lines = append(lines, line)
			}
			if len(lines) > 0 {
				out, done = r.sseEvent(block, lines, out, done)
				lines = lines[:0]
			}
			if next > len(block) {
				break
			}
		} else if isData(block[line.start:line.end]) {
			lines = append(lines, line)
		}
		i = next
	}
	if out == nil {
		return block
	}
	return append(out, block[done:]...)
}

// sseLine is one line of a block: its text is block[start:end], its line
// break block[end:next].
type sseLine struct{ start, end, next int }

// nextLine returns the line starting at i and the index after its break;
// past the end (len(block)+1) when the block ends without one.
func nextLine(block []byte, i int) (sseLine, int) {
	rest := block[i:]
	k := bytes.IndexAny(rest, "\r\n")
	if k < 0 {
		return sseLine{i, len(block), len(block)}, len(block) + 1
	}
	next := i + k + 1
	if rest[k] == '\r' && k+1 < len(rest) && rest[k+1] == '\n' {
		next++
	}
	return sseLine{i, i + k, next}, next
}

func isData(line []byte) bool {
	return bytes.HasPrefix(line, []byte("data")) && (len(line) == 4 || line[4] == ':')
}

// dataValue is a data line's value, without the one space after the colon.
func dataValue(line []byte) []byte {
	v := line[4:]
	if len(v) > 0 {
		v = v[1:]
	}
	if len(v) > 0 && v[0] == ' ' {
		v = v[1:]
	}
	return v
}

// sseEvent redacts the document the data lines of one event hold. When it
// changes, the event's first data line is replaced by the redacted document's
// lines, its other data lines are dropped and its other fields kept.
func (r *Redactor) sseEvent(block []byte, lines []sseLine, out []byte, done int) ([]byte, int) {
	doc := dataValue(block[lines[0].start:lines[0].end])
	if len(lines) > 1 {
		joined := make([]byte, 0, 256)
		for k, l := range lines {
			if k > 0 {
				joined = append(joined, '\n')
			}
			joined = append(joined, dataValue(block[l.start:l.end])...)
		}
		doc = joined
	}
	red, changed := r.redactJSON(doc)
	if !changed {
		return out, done
	}
	if out == nil {
		out = make([]byte, 0, len(block))
	}
	first := lines[0]
	eol := block[first.end:min(first.next, len(block))]
	out = append(out, block[done:first.start]...)
	for part := range bytes.SplitSeq(red, []byte("\n")) {
		if len(out) > 0 && out[len(out)-1] != '\n' && out[len(out)-1] != '\r' {
			out = append(out, '\n')
		}
		out = append(append(out, "data: "...), part...)
	}
	out = append(out, eol...)
	// Keep the event's other fields between its data lines.
	for k := 1; k < len(lines); k++ {
		out = append(out, block[min(lines[k-1].next, len(block)):lines[k].start]...)
	}
	return out, min(lines[len(lines)-1].next, len(block))
}
