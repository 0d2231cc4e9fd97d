package ssebench

import (
	"bytes"
	"strconv"
	"strings"
	"time"
)

// epoch anchors the send stamps. Upstream and client share the process, so
// a monotonic reading since epoch is one clock for both, and unlike
// UnixNano it cannot step when the wall clock is adjusted mid-run.
var epoch = time.Now()

// monoNow is the current time in nanoseconds since epoch.
func monoNow() int64 { return int64(time.Since(epoch)) }

// sentKey precedes an event's send stamp in its JSON.
const sentKey = `"sentNs":`

// eventEncoder writes the SSE event blocks of one exchange: v0.3 JSON-RPC
// status updates of one task, padded to about the requested size. Only the
// sequence number, the state and the send stamp change from one event to the
// next, so encoding is a handful of appends into a reused buffer.
type eventEncoder struct {
	taskID string
	pad    string
}

func newEventEncoder(taskID string, size int) eventEncoder {
	e := eventEncoder{taskID: taskID}
	base := len(e.append(nil, 0, false, int64(10*time.Second))) // a send stamp of typical width
	e.pad = padding(size - base)
	return e
}

// append appends event seq, sent at sentNs, to b. The last event of a stream
// is final and completes the task, as an A2A agent's would.
func (e eventEncoder) append(b []byte, seq int, final bool, sentNs int64) []byte {
	state := "working"
	if final {
		state = "completed"
	}
	b = append(b, "id: "...)
	b = strconv.AppendInt(b, int64(seq), 10)
	b = append(b, `
data: {"jsonrpc":"2.0","id":1,"result":{"kind":"status-update","taskId":"`...)
	b = append(b, e.taskID...)
	b = append(b, `","contextId":"C","status":{"state":"`...)
	b = append(b, state...)
	b = append(b, `","message":{"kind":"message","role":"agent","messageId":"`...)
	b = append(b, e.taskID...)
	b = append(b, '-')
	b = strconv.AppendInt(b, int64(seq), 10)
	b = append(b, `","parts":[{"kind":"text","text":"`...)
	b = append(b, e.pad...)
	b = append(b, `"}],"metadata":{`+sentKey...)
	b = strconv.AppendInt(b, sentNs, 10)
	b = append(b, `}}},"final":`...)
	b = strconv.AppendBool(b, final)
	return append(b, "}}\n\n"...)
}

// padding is n bytes of plain text that needs no JSON escaping.
func padding(n int) string {
	const text = "Working on it: reading the request, planning the steps, calling the tools. "
	if n <= 0 {
		return ""
	}
	return strings.Repeat(text, n/len(text)+1)[:n]
}

// parseSentNs reads the send stamp out of an event's data line.
func parseSentNs(line []byte) (int64, bool) {
	i := bytes.Index(line, []byte(sentKey))
	if i < 0 {
		return 0, false
	}
	return parseDigits(line[i+len(sentKey):])
}

// parseDigits reads the decimal number b starts with.
func parseDigits(b []byte) (int64, bool) {
	var v int64
	digits := 0
	for _, c := range b {
		if c < '0' || c > '9' {
			break
		}
		v = v*10 + int64(c-'0')
		digits++
	}
	return v, digits > 0
}

// requestBody is the message/stream call that opens one exchange.
func requestBody(taskID string) []byte {
	return []byte(`{"jsonrpc":"2.0","id":1,"method":"message/stream","params":{"message":` +
		`{"kind":"message","role":"user","messageId":"U-` + taskID +
		`","parts":[{"kind":"text","text":"Stream me some status updates."}]}}}`)
}
