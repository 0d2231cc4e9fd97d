package a2awire

import "bytes"

// Splitter cuts an SSE byte stream into event blocks as bytes arrive, in
// whatever chunks they come: each block is the exact bytes of one event up to
// and including the blank line that ends it. Concatenating every block and
// the final Rest gives back the stream byte for byte.
//
// It exists because the proxy must record each event's raw bytes exactly as
// received, which a field parser (go-sse's included) does not hand back. The
// zero value is ready to use; a Splitter is not safe for concurrent use.
type Splitter struct {
	pending    []byte // bytes of the block in progress, from earlier chunks
	lineStart  bool   // the previous byte ended a line
	prevCR     bool   // the previous byte was '\r', so a '\n' now completes CRLF
	cutAfterCR bool   // a blank line ended in '\r': a '\n' next still belongs to it
}

// Split feeds p through the splitter and calls emit with every block it
// completes. emit owns the slice it gets; p is not retained.
func (s *Splitter) Split(p []byte, emit func(block []byte)) {
	start := 0
	for i := 0; i < len(p); i++ {
		if s.cutAfterCR {
			s.cutAfterCR = false
			if p[i] == '\n' {
				s.prevCR = false
				emit(s.take(p[start : i+1]))
				start = i + 1
				continue
			}
			emit(s.take(p[start:i]))
			start = i
		}
		// Skip to the next line break: any other byte only clears the
		// states below.
		if k := indexEOL(p[i:]); k != 0 {
			s.prevCR, s.lineStart = false, false
			if k < 0 {
				break
			}
			i += k
		}
		if p[i] == '\n' {
			if s.prevCR {
				s.prevCR = false
				continue
			}
			if s.lineStart {
				s.lineStart = false
				emit(s.take(p[start : i+1]))
				start = i + 1
				continue
			}
			s.lineStart = true
			continue
		}
		// '\r'
		s.prevCR = true
		if s.lineStart {
			s.lineStart = false
			s.cutAfterCR = true
			continue
		}
		s.lineStart = true
	}
	s.pending = append(s.pending, p[start:]...)
}

// indexEOL is the index of the first '\r' or '\n' in b, or -1. Two
// vectorized IndexByte scans beat IndexAny's byte loop on long data lines.
func indexEOL(b []byte) int {
	lf := bytes.IndexByte(b, '\n')
	line := b
	if lf >= 0 {
		line = b[:lf]
	}
	if cr := bytes.IndexByte(line, '\r'); cr >= 0 {
		return cr
	}
	return lf
}

// End is called once the stream is over. It emits a block still waiting for
// a possible '\n', and returns the bytes of an unterminated last event (nil if
// the stream ended cleanly on a blank line).
func (s *Splitter) End(emit func(block []byte)) (rest []byte) {
	if s.cutAfterCR {
		s.cutAfterCR = false
		emit(s.take(nil))
	}
	if len(s.pending) > 0 {
		rest = bytes.Clone(s.pending)
	}
	*s = Splitter{}
	return rest
}

// take returns the pending bytes followed by tail as a new slice.
func (s *Splitter) take(tail []byte) []byte {
	if len(s.pending) == 0 {
		return bytes.Clone(tail)
	}
	block := make([]byte, 0, len(s.pending)+len(tail))
	block = append(append(block, s.pending...), tail...)
	s.pending = s.pending[:0]
	return block
}

// SSEFields are the fields of one SSE event block.
type SSEFields struct {
	ID    string
	Type  string
	Data  []byte // the data lines joined by '\n'; may alias the block
	HasID bool
}

var bom = []byte("\xEF\xBB\xBF")

// ParseSSE reads the fields of one event block as the SSE specification (and
// go-sse's reader, which the tests compare it with) does. ok is false when the
// block dispatches no event: comments, blank lines, a lone retry field.
func ParseSSE(block []byte) (f SSEFields, ok bool) {
	block = bytes.TrimPrefix(block, bom)
	var first, joined []byte // the first data line; all of them, once there are two
	dataLines := 0
	started := false
	for len(block) > 0 {
		var line []byte
		line, block = cutLine(block)
		if len(line) == 0 {
			if started {
				break // the blank line that ends the event
			}
			continue // blank lines before an event dispatch nothing
		}
		started = true
		if line[0] == ':' {
			continue
		}
		name, value, found := bytes.Cut(line, []byte{':'})
		if found && len(value) > 0 && value[0] == ' ' {
			value = value[1:]
		}
		switch string(name) {
		case "data":
			switch dataLines {
			case 0:
				first = value
			case 1:
				joined = append(append(append(joined, first...), '\n'), value...)
			default:
				joined = append(append(joined, '\n'), value...)
			}
			dataLines++
			ok = true
		case "event":
			f.Type = string(value)
			ok = true
		case "id":
			if bytes.IndexByte(value, 0) < 0 {
				f.ID, f.HasID = string(value), true
				ok = true
			}
		}
	}
	switch dataLines {
	case 0:
		f.Data = []byte{}
	case 1:
		f.Data = first
	default:
		f.Data = joined
	}
	return f, ok
}

// cutLine splits off the first line, ended by "\r\n", "\n" or "\r".
func cutLine(b []byte) (line, rest []byte) {
	i := indexEOL(b)
	if i < 0 {
		return b, nil
	}
	if b[i] == '\r' && i+1 < len(b) && b[i+1] == '\n' {
		return b[:i], b[i+2:]
	}
	return b[:i], b[i+1:]
}

// SSEData returns the data of one recorded event block; ok is false when the
// block holds no event.
func SSEData(block []byte) (data string, ok bool) {
	f, ok := ParseSSE(block)
	return string(f.Data), ok
}
