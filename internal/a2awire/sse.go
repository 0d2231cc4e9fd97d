package a2awire

import "bytes"

// Splitter cuts an SSE byte stream into event blocks as bytes arrive, in
// whatever chunks they come: each block is the exact bytes of one event up to
// and including the blank line that ends it. Concatenating every block and
// the final rest gives back the stream byte for byte, as long as no block
// was longer than Max.
//
// It exists because the proxy must record each event's raw bytes exactly as
// received, which a field parser (go-sse's included) does not hand back. The
// zero value is ready to use; a Splitter is not safe for concurrent use.
type Splitter struct {
	// Max caps the bytes kept of one block: of a longer one only the first
	// Max bytes are kept, the rest is counted and reported as over, so an
	// agent that never ends its event holds at most Max bytes. Zero means
	// no cap.
	Max int

	pending    []byte // kept bytes of the block in progress, from earlier chunks
	over       int64  // bytes of the block in progress past Max, not kept
	lineStart  bool   // the previous byte ended a line
	prevCR     bool   // the previous byte was '\r', so a '\n' now completes CRLF
	cutAfterCR bool   // a blank line ended in '\r': a '\n' next still belongs to it
}

// Split feeds p through the splitter and calls emit with every block it
// completes, and how many of its bytes were past Max and not kept (0 for a
// whole block). emit owns the slice it gets; p is not retained.
func (s *Splitter) Split(p []byte, emit func(block []byte, over int64)) {
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
	s.keep(p[start:])
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
// a possible '\n', and returns the kept bytes of an unterminated last event
// (nil if the stream ended cleanly on a blank line) and how many of its bytes
// were past Max.
func (s *Splitter) End(emit func(block []byte, over int64)) (rest []byte, over int64) {
	if s.cutAfterCR {
		s.cutAfterCR = false
		emit(s.take(nil))
	}
	if len(s.pending) > 0 {
		rest, over = s.pending, s.over
	}
	*s = Splitter{Max: s.Max}
	return rest, over
}

// keep adds b to the block in progress, up to Max.
func (s *Splitter) keep(b []byte) {
	if s.Max > 0 {
		if room := s.Max - len(s.pending); len(b) > room {
			s.over += int64(len(b) - room)
			b = b[:room]
		}
	}
	if len(b) == 0 {
		return
	}
	if need := len(s.pending) + len(b); need > cap(s.pending) {
		s.grow(need)
	}
	s.pending = append(s.pending, b...)
}

// grow makes room for need bytes. It doubles while the block is small and
// takes Max at once past an eighth of it: the buffers a block outgrows are
// garbage, and doubling up to Max would leave nearly Max of it (append's
// 1.25x steps, four times Max), which is what raised RSS on huge events.
func (s *Splitter) grow(need int) {
	n := max(need, 2*cap(s.pending), 512)
	if s.Max > 0 && n > s.Max/8 {
		n = s.Max
	}
	grown := make([]byte, len(s.pending), n)
	copy(grown, s.pending)
	s.pending = grown
}

// take completes the block in progress with tail and returns it with the
// count of its bytes past Max. A block that arrived in one chunk is copied
// out of it; a longer one hands over the buffer it was gathered in, so a
// big block is never copied again and an idle stream holds no buffer.
func (s *Splitter) take(tail []byte) (block []byte, over int64) {
	if len(s.pending) == 0 && s.over == 0 {
		if s.Max > 0 && len(tail) > s.Max {
			return bytes.Clone(tail[:s.Max]), int64(len(tail) - s.Max)
		}
		return bytes.Clone(tail), 0
	}
	s.keep(tail)
	block, over = s.pending, s.over
	s.pending, s.over = nil, 0
	if over == 0 && cap(block) > 64<<10 && cap(block) > 2*len(block) {
		block = bytes.Clone(block) // do not hand a mostly empty Max-sized buffer on
	}
	return block, over
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
