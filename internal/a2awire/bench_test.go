package a2awire

import (
	"bytes"
	"testing"
)

// benchBlock is a v0.3 status-update as a2a-go frames it, about 500 bytes.
const benchBlock = "id: 8f2c6a1e-4b7d-4c1a-9a57-2f3e0c9d1b42\ndata: " +
	`{"jsonrpc":"2.0","id":1,"result":{"kind":"status-update","taskId":"0199a1b2-7c3d-7e4f-8a9b-0c1d2e3f4a5b",` +
	`"contextId":"0199a1b2-7c3d-7e4f-8a9b-5a4b3c2d1e0f","status":{"state":"working","message":{"kind":"message",` +
	`"role":"agent","messageId":"0199a1b2-7c3d-7e4f-8a9b-112233445566","parts":[{"kind":"text",` +
	`"text":"Processing step 3 of 5: reading the input and checking it against the schema..."}]}},"final":false}}` + "\n\n"

// The proxy splits each chunk it reads, usually one event as the agent
// flushed it, and parses each block's fields.
func BenchmarkSplitter(b *testing.B) {
	chunk := []byte(benchBlock)
	var s Splitter
	n := 0
	emit := func([]byte, int64) { n++ }
	b.SetBytes(int64(len(chunk)))
	b.ReportAllocs()
	for b.Loop() {
		s.Split(chunk, emit)
	}
	if n != b.N {
		b.Fatalf("%d blocks from %d chunks", n, b.N)
	}
}

func BenchmarkParseSSE(b *testing.B) {
	block := []byte(benchBlock)
	b.SetBytes(int64(len(block)))
	b.ReportAllocs()
	for b.Loop() {
		if f, ok := ParseSSE(block); !ok || !bytes.HasPrefix(f.Data, []byte("{")) {
			b.Fatal("no event")
		}
	}
}

func BenchmarkParseEvent(b *testing.B) {
	f, _ := ParseSSE([]byte(benchBlock))
	b.SetBytes(int64(len(f.Data)))
	b.ReportAllocs()
	for b.Loop() {
		if ev, err := ParseEvent(f.Data); err != nil || ev.State != "working" {
			b.Fatal(ev, err)
		}
	}
}
