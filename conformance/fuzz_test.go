package conformance

import (
	"bytes"
	"net/http"
	"testing"
)

// FuzzCheck pins that no recorded bytes make the checks panic or report
// beyond their bound: the fuzzer's input is cut into a request body and SSE
// blocks (or a unary body), in every version and binding.
func FuzzCheck(f *testing.F) {
	f.Add([]byte(reqV03+"\x00"+t03("submitted")+"\x00"+s03("completed", true)), uint8(0))
	f.Add([]byte(reqV10+"\x00"+rpc(t10("TASK_STATE_SUBMITTED"))+"\x00"+rpc(a10("A", true, true))), uint8(1))
	f.Add([]byte(reqRST+"\x00"+t10("TASK_STATE_SUBMITTED")+"\x00"+s10("TASK_STATE_INPUT_REQUIRED")), uint8(2))
	f.Add([]byte(`{"jsonrpc":"2.0","id":1,"method":"tasks/get","params":{"id":"T"}}`+"\x00"+`{"jsonrpc":"2.0","id":1,"error":{"code":-32001,"message":"x","data":{}}}`), uint8(4))
	f.Add([]byte(card03), uint8(3))
	f.Fuzz(func(t *testing.T, in []byte, mode uint8) {
		parts := bytes.Split(in, []byte{0})
		versions := []string{"0.3", "1.0", ""}
		bindings := []string{"jsonrpc", "rest", ""}
		ex := &Exchange{
			ProtocolVersion: versions[int(mode)%3], Binding: bindings[int(mode/3)%3],
			HTTPMethod: "POST", Path: "/message:stream?A2A-Version=1.0", RequestHeaders: http.Header{},
			RequestBody: parts[0], Status: 200, Streaming: mode&8 == 0, ContentType: "text/event-stream",
			Outcome: OutcomeCompleted,
		}
		for i, p := range parts[1:] {
			raw := p
			if ex.Streaming {
				raw = append([]byte("data: "), append(p, '\n', '\n')...)
			}
			ex.Events = append(ex.Events, Event{Seq: i, Raw: raw})
		}
		if fs := Check(ex); len(fs) > maxFindings {
			t.Fatalf("%d findings", len(fs))
		}
		if fs := CheckCard(ex.ProtocolVersion, parts[0], mode&16 == 0); len(fs) > maxFindings {
			t.Fatalf("%d card findings", len(fs))
		}
	})
}
