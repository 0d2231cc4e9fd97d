package a2awire

import (
	"bytes"
	"slices"
	"strings"
	"testing"

	sse "github.com/tmaxmax/go-sse"
)

// splitAll feeds stream to a Splitter in chunks of size n (all at once when
// n <= 0) and returns the blocks and the unterminated rest.
func splitAll(stream []byte, n int) (blocks [][]byte, rest []byte) {
	var s Splitter
	emit := func(b []byte, _ int64) { blocks = append(blocks, b) }
	if n <= 0 {
		n = len(stream) + 1
	}
	for len(stream) > 0 {
		k := min(n, len(stream))
		s.Split(stream[:k], emit)
		stream = stream[k:]
	}
	rest, _ = s.End(emit)
	return blocks, rest
}

func TestSplitterBlocks(t *testing.T) {
	tests := []struct {
		name   string
		stream string
		blocks []string
		rest   string
	}{
		{"a2a-go framing", "id: 1\ndata: {\"a\":1}\n\nid: 2\ndata: {}\n\n", []string{"id: 1\ndata: {\"a\":1}\n\n", "id: 2\ndata: {}\n\n"}, ""},
		{"CRLF", "data: a\r\n\r\ndata: b\r\n\r\n", []string{"data: a\r\n\r\n", "data: b\r\n\r\n"}, ""},
		{"CR only", "data: a\r\rdata: b\r\r", []string{"data: a\r\r", "data: b\r\r"}, ""},
		{"mixed endings", "data: a\n\r\ndata: b\r\n\n", []string{"data: a\n\r\n", "data: b\r\n\n"}, ""},
		{"comment block", ": keep-alive\n\ndata: x\n\n", []string{": keep-alive\n\n", "data: x\n\n"}, ""},
		{"multi-line data", "data: a\ndata: b\n\n", []string{"data: a\ndata: b\n\n"}, ""},
		{"unterminated tail", "data: a\n\ndata: b\n", []string{"data: a\n\n"}, "data: b\n"},
		{"no newline at all", "garbage", nil, "garbage"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			// Every chunk size, so block boundaries fall at every position.
			for n := 0; n <= len(tt.stream); n++ {
				blocks, rest := splitAll([]byte(tt.stream), n)
				got := make([]string, len(blocks))
				for i, b := range blocks {
					got[i] = string(b)
				}
				if strings.Join(got, "|") != strings.Join(tt.blocks, "|") || string(rest) != tt.rest {
					t.Fatalf("chunk %d: blocks %q rest %q, want %q rest %q", n, got, rest, tt.blocks, tt.rest)
				}
			}
		})
	}
}

// TestSplitterCap pins what Max keeps of a long block: its first Max bytes,
// in a buffer that never grew past Max, with the bytes past it counted; the
// blocks after it are cut and kept as if the cap did not exist.
func TestSplitterCap(t *testing.T) {
	const max = 16
	huge := "data: " + strings.Repeat("x", 1000)
	tests := []struct {
		name   string
		stream string
		blocks []string // whole blocks, before the cap
		rest   string
	}{
		{"exactly at the cap", "data: 01234567\n\ndata: a\n\n", []string{"data: 01234567\n\n", "data: a\n\n"}, ""},
		{"one byte over", "data: 012345678\n\ndata: a\n\n", []string{"data: 012345678\n\n", "data: a\n\n"}, ""},
		{"huge then normal", huge + "\n\ndata: b\n\n", []string{huge + "\n\n", "data: b\n\n"}, ""},
		{"CRLF", huge + "\r\n\r\ndata: c\r\n\r\n", []string{huge + "\r\n\r\n", "data: c\r\n\r\n"}, ""},
		{"CR only", huge + "\r\rdata: d\r\r", []string{huge + "\r\r", "data: d\r\r"}, ""},
		{"never ends", "data: a\n\n" + huge, []string{"data: a\n\n"}, huge},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			for n := 1; n <= len(tt.stream)+1; n++ {
				s := Splitter{Max: max}
				var blocks [][]byte
				var overs []int64
				emit := func(b []byte, over int64) { blocks, overs = append(blocks, b), append(overs, over) }
				for rest := []byte(tt.stream); len(rest) > 0; rest = rest[min(n, len(rest)):] {
					s.Split(rest[:min(n, len(rest))], emit)
				}
				rest, restOver := s.End(emit)
				if len(blocks) != len(tt.blocks) {
					t.Fatalf("chunk %d: %d blocks %q, want %d", n, len(blocks), blocks, len(tt.blocks))
				}
				for i, want := range append(tt.blocks, tt.rest) {
					got, over := rest, restOver
					if i < len(blocks) {
						got, over = blocks[i], overs[i]
					}
					kept := want[:min(len(want), max)]
					if string(got) != kept || over != int64(len(want)-len(kept)) || cap(got) > max {
						t.Fatalf("chunk %d, block %d: %q (cap %d) over %d, want %q over %d",
							n, i, got, cap(got), over, kept, len(want)-len(kept))
					}
				}
			}
		})
	}
}

func TestSplitterBlocksAreOwned(t *testing.T) {
	var s Splitter
	var blocks [][]byte
	buf := []byte("data: 1\n\n")
	s.Split(buf, func(b []byte, _ int64) { blocks = append(blocks, b) })
	copy(buf, "XXXXXXXXX") // the proxy reuses its read buffer
	if string(blocks[0]) != "data: 1\n\n" {
		t.Fatalf("block aliases the input: %q", blocks[0])
	}
}

func TestParseSSE(t *testing.T) {
	tests := []struct {
		block string
		want  SSEFields
		ok    bool
	}{
		{"id: abc\ndata: {\"x\":1}\n\n", SSEFields{ID: "abc", HasID: true, Data: []byte(`{"x":1}`)}, true},
		{"event: error\ndata: {}\n\n", SSEFields{Type: "error", Data: []byte(`{}`)}, true},
		{"data:a\ndata:  b\n\n", SSEFields{Data: []byte("a\n b")}, true},
		{": keep-alive\n\n", SSEFields{}, false},
		{"retry: 10\n\n", SSEFields{}, false},
		{"\xEF\xBB\xBFdata: x\r\n\r\n", SSEFields{Data: []byte("x")}, true},
	}
	for _, tt := range tests {
		got, ok := ParseSSE([]byte(tt.block))
		if ok != tt.ok || got.ID != tt.want.ID || got.Type != tt.want.Type || !bytes.Equal(got.Data, tt.want.Data) {
			t.Errorf("ParseSSE(%q) = %+v %v, want %+v %v", tt.block, got, ok, tt.want, tt.ok)
		}
	}
}

// FuzzSplitterMatchesGoSSE checks the splitter and ParseSSE against go-sse's
// reader: the same events with the same fields, and the blocks concatenate
// back to the input exactly.
// referenceSplit is the Splitter as first written, a byte at a time, kept to
// hold the faster one to exactly the same blocks.
func referenceSplit(stream []byte, n int) (blocks [][]byte, rest []byte) {
	var pending []byte
	var lineStart, prevCR, cutAfterCR bool
	take := func(tail []byte) []byte {
		block := append(append([]byte{}, pending...), tail...)
		pending = pending[:0]
		return block
	}
	if n <= 0 {
		n = len(stream) + 1
	}
	for len(stream) > 0 {
		p := stream[:min(n, len(stream))]
		stream = stream[len(p):]
		start := 0
		for i := 0; i < len(p); i++ {
			b := p[i]
			if cutAfterCR {
				cutAfterCR = false
				if b == '\n' {
					prevCR = false
					blocks = append(blocks, take(p[start:i+1]))
					start = i + 1
					continue
				}
				blocks = append(blocks, take(p[start:i]))
				start = i
			}
			switch b {
			case '\n':
				if prevCR {
					prevCR = false
					continue
				}
				if lineStart {
					lineStart = false
					blocks = append(blocks, take(p[start:i+1]))
					start = i + 1
					continue
				}
				lineStart = true
			case '\r':
				prevCR = true
				if lineStart {
					lineStart = false
					cutAfterCR = true
					continue
				}
				lineStart = true
			default:
				prevCR = false
				lineStart = false
			}
		}
		pending = append(pending, p[start:]...)
	}
	if cutAfterCR {
		blocks = append(blocks, take(nil))
	}
	if len(pending) > 0 {
		rest = pending
	}
	return blocks, rest
}

// checkCapped splits stream again with a cap and checks that every block is
// the capped prefix of the uncapped one, with the bytes past it counted.
func checkCapped(t *testing.T, stream []byte, chunk, max int, whole [][]byte) {
	t.Helper()
	s := Splitter{Max: max}
	var kept [][]byte
	var overs []int64
	emit := func(b []byte, over int64) { kept, overs = append(kept, b), append(overs, over) }
	if chunk <= 0 {
		chunk = len(stream) + 1
	}
	for rest := stream; len(rest) > 0; rest = rest[min(chunk, len(rest)):] {
		s.Split(rest[:min(chunk, len(rest))], emit)
	}
	rest, over := s.End(emit)
	kept, overs = append(kept, rest), append(overs, over)
	if len(kept) != len(whole) {
		t.Fatalf("cap %d: %d blocks, %d without the cap", max, len(kept), len(whole))
	}
	for i, w := range whole {
		if k := w[:min(len(w), max)]; !bytes.Equal(kept[i], k) || overs[i] != int64(len(w)-len(k)) {
			t.Fatalf("cap %d, block %d: %q over %d, want %q over %d", max, i, kept[i], overs[i], k, len(w)-len(k))
		}
	}
}

func FuzzSplitterMatchesGoSSE(f *testing.F) {
	for _, seed := range []string{
		"id: 1\ndata: {}\n\n",
		"data: a\r\n\r\ndata: b\r\rdata: c\n\n",
		": c\n\nevent: error\ndata: x\ndata: y\n\nid\n\n",
		"data: a\n\r\n\r\r\n\n",
	} {
		f.Add([]byte(seed), 3)
	}
	f.Fuzz(func(t *testing.T, stream []byte, chunk int) {
		if bytes.HasPrefix(stream, bom) || bytes.IndexByte(stream, 0) >= 0 {
			t.Skip() // go-sse strips a BOM only at stream start; NUL ids are ignored by both
		}
		blocks, rest := splitAll(stream, chunk%17)
		if got := append(bytes.Join(blocks, nil), rest...); !bytes.Equal(got, stream) {
			t.Fatalf("blocks do not add up to the stream:\n got %q\nwant %q", got, stream)
		}
		if want, wantRest := referenceSplit(stream, chunk%17); !slices.EqualFunc(blocks, want, bytes.Equal) || !bytes.Equal(rest, wantRest) {
			t.Fatalf("blocks %q + %q, the byte-at-a-time splitter cuts %q + %q", blocks, rest, want, wantRest)
		}
		checkCapped(t, stream, chunk%17, 1+(chunk&63), append(blocks, rest))
		type event struct{ id, typ, data string }
		var mine []event
		lastID := ""
		for _, b := range blocks {
			f, ok := ParseSSE(b)
			if f.HasID {
				lastID = f.ID
			}
			if ok {
				mine = append(mine, event{lastID, f.Type, string(f.Data)})
			}
		}
		var theirs []event
		for ev, err := range sse.Read(bytes.NewReader(stream), &sse.ReadConfig{MaxEventSize: 1 << 20}) {
			if err != nil {
				t.Skip()
			}
			theirs = append(theirs, event{ev.LastEventID, ev.Type, ev.Data})
		}
		if len(mine) != len(theirs) {
			t.Fatalf("%d events, go-sse reads %d: %q vs %q", len(mine), len(theirs), mine, theirs)
		}
		for i := range mine {
			if mine[i] != theirs[i] {
				t.Fatalf("event %d: %q, go-sse reads %q", i, mine[i], theirs[i])
			}
		}
	})
}
