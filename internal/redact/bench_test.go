package redact

import (
	"strings"
	"testing"

	"github.com/a2aproxy/a2a-proxy/internal/a2awire"
)

// benchBlock is a v0.3 status-update as a2a-go frames it, about 500 bytes
// (the one internal/a2awire benchmarks its parser with).
const benchBlock = "id: 8f2c6a1e-4b7d-4c1a-9a57-2f3e0c9d1b42\ndata: " +
	`{"jsonrpc":"2.0","id":1,"result":{"kind":"status-update","taskId":"0199a1b2-7c3d-7e4f-8a9b-0c1d2e3f4a5b",` +
	`"contextId":"0199a1b2-7c3d-7e4f-8a9b-5a4b3c2d1e0f","status":{"state":"working","message":{"kind":"message",` +
	`"role":"agent","messageId":"0199a1b2-7c3d-7e4f-8a9b-112233445566","parts":[{"kind":"text",` +
	`"text":"Processing step 3 of 5: reading the input and checking it against the schema..."}]}},"final":false}}` + "\n\n"

// BenchmarkEvent measures the redactor per recorded event: plain (no key
// matches, the common case), a key that trips the pre-check but is no
// secret (token counts), and one with a secret in the message metadata. ParseSSE, the
// parse every event already pays, is the baseline.
func BenchmarkEvent(b *testing.B) {
	r := Default()
	cases := []struct{ name, block string }{
		{"plain", benchBlock},
		{"false-alarm", strings.Replace(benchBlock, `"role":"agent",`, `"role":"agent","metadata":{"inputTokens":1234},`, 1)},
		{"secret", strings.Replace(benchBlock, `"role":"agent",`, `"role":"agent","metadata":{"apiKey":"sk-1234567890"},`, 1)},
	}
	b.Run("baseline-ParseSSE", func(b *testing.B) {
		block := []byte(benchBlock)
		b.SetBytes(int64(len(block)))
		b.ReportAllocs()
		for b.Loop() {
			a2awire.ParseSSE(block)
		}
	})
	for _, c := range cases {
		b.Run(c.name, func(b *testing.B) {
			block := []byte(c.block)
			want := c.name == "secret"
			b.SetBytes(int64(len(block)))
			b.ReportAllocs()
			for b.Loop() {
				if got := r.Event(block); (len(got) != len(block)) != want {
					b.Fatalf("redacted %v: %s", !want, got)
				}
			}
		})
	}
}
