package streamclient

import (
	"encoding/json"
	"regexp"
	"testing"
)

func TestNewStreamRequest(t *testing.T) {
	const id = `"[-0-9a-f]{36}"`
	tests := map[string]string{
		"0.3": `^{"jsonrpc":"2.0","id":` + id + `,"method":"message/stream","params":{"message":{"kind":"message","role":"user","messageId":` + id + `,"parts":\[{"kind":"text","text":"hi"}\]}}}$`,
		"1.0": `^{"jsonrpc":"2.0","id":` + id + `,"method":"SendStreamingMessage","params":{"message":{"role":"ROLE_USER","messageId":` + id + `,"parts":\[{"text":"hi"}\]}}}$`,
	}
	for version, want := range tests {
		body, err := json.Marshal(newStreamRequest(version, "hi"))
		if err != nil {
			t.Fatal(err)
		}
		if !regexp.MustCompile(want).Match(body) {
			t.Errorf("version %s: got %s, want %s", version, body, want)
		}
	}
}
