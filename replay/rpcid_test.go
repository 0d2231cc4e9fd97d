package replay

import (
	"bytes"
	"testing"
)

func TestWriteWithID(t *testing.T) {
	for _, tc := range []struct {
		name, raw, want string
	}{
		{"a2a-go block", "id: 7f3e\ndata: {\"jsonrpc\":\"2.0\",\"id\":\"old\",\"result\":{\"id\":\"task\"}}\n\n",
			"id: 7f3e\ndata: {\"jsonrpc\":\"2.0\",\"id\":42,\"result\":{\"id\":\"task\"}}\n\n"},
		{"js block, number id", "data: {\"jsonrpc\":\"2.0\",\"id\":1,\"result\":{}}\n\n",
			"data: {\"jsonrpc\":\"2.0\",\"id\":42,\"result\":{}}\n\n"},
		{"spacing kept", "data:{ \"id\" :  \"x\" , \"jsonrpc\":\"2.0\"}\r\n\r\n",
			"data:{ \"id\" :  42 , \"jsonrpc\":\"2.0\"}\r\n\r\n"},
		{"id after result", "data: {\"jsonrpc\":\"2.0\",\"result\":{\"id\":\"t\"},\"id\":\"x\"}\n\n",
			"data: {\"jsonrpc\":\"2.0\",\"result\":{\"id\":\"t\"},\"id\":42}\n\n"},
		{"multi-line data", ": keep-alive\ndata: {\"jsonrpc\":\"2.0\",\ndata: \"id\":\"x\"}\n\n",
			": keep-alive\ndata: {\"jsonrpc\":\"2.0\",\ndata: \"id\":42}\n\n"},
		{"unary body", "{\"jsonrpc\":\"2.0\",\"id\":\"u1\",\"result\":{\"kind\":\"task\"}}",
			"{\"jsonrpc\":\"2.0\",\"id\":42,\"result\":{\"kind\":\"task\"}}"},
		{"no id", "data: {\"kind\":\"task\"}\n\n", "data: {\"kind\":\"task\"}\n\n"},
		{"not JSON", "data: hello\n\n", "data: hello\n\n"},
		{"cut mid-event", "data: {\"jsonrpc\":\"2.0\",\"id\":\"x\",\"resu", "data: {\"jsonrpc\":\"2.0\",\"id\":42,\"resu"},
	} {
		t.Run(tc.name, func(t *testing.T) {
			var b bytes.Buffer
			raw := []byte(tc.raw)
			if err := writeWithID(&b, raw, findID(raw), []byte("42")); err != nil {
				t.Fatal(err)
			}
			if b.String() != tc.want {
				t.Errorf("got  %q\nwant %q", b.String(), tc.want)
			}
		})
	}
}
