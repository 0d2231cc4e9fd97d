package ssebench

import (
	"bufio"
	"bytes"
	"testing"
	"time"

	"github.com/a2aproxy/a2a-proxy/internal/a2awire"
)

// The events must look to the proxy like any agent's: well-formed SSE and
// v0.3 status updates it parses without a flag.
func TestEventIsA2A(t *testing.T) {
	enc := newEventEncoder("T-7.0", 400)
	for _, tc := range []struct {
		final bool
		state string
	}{{false, "working"}, {true, "completed"}} {
		block := enc.append(nil, 12, tc.final, monoNow())
		if n := len(block); n < 385 || n > 415 {
			t.Errorf("block is %d bytes, want about 400", n)
		}
		fields, ok := a2awire.ParseSSE(block)
		if !ok || fields.ID != "12" {
			t.Fatalf("ParseSSE(%q) = %+v, %v", block, fields, ok)
		}
		ev, err := a2awire.ParseEvent([]byte(fields.Data))
		if err != nil {
			t.Fatalf("ParseEvent: %v\n%s", err, fields.Data)
		}
		if ev.Kind != a2awire.KindStatusUpdate || ev.TaskID != "T-7.0" || ev.ContextID != "C" ||
			ev.State != tc.state || ev.Final != tc.final || ev.Text == "" {
			t.Errorf("ParseEvent = %+v", ev)
		}
	}
}

func TestReadEvents(t *testing.T) {
	enc := newEventEncoder("T-1.0", 300)
	var stream []byte
	sent := monoNow()
	for seq := range 3 {
		stream = enc.append(stream, seq, seq == 2, sent)
	}
	time.Sleep(time.Millisecond)
	var lat []int64
	n, err := readEvents(bufio.NewReader(bytes.NewReader(stream)), &lat)
	if err != nil || n != 3 || len(lat) != 3 {
		t.Fatalf("readEvents = %d, %v; %d latencies", n, err, len(lat))
	}
	if lat[0] < int64(time.Millisecond) {
		t.Errorf("latency %v, want at least 1ms", time.Duration(lat[0]))
	}

	gap := append(enc.append(nil, 0, false, sent), enc.append(nil, 2, true, sent)...)
	if _, err := readEvents(bufio.NewReader(bytes.NewReader(gap)), &lat); err == nil {
		t.Error("a missing event id went unnoticed")
	}
}
