package conformance

import (
	"bufio"
	"encoding/base64"
	"encoding/json"
	"net/http"
	"os"
	"path/filepath"
	"testing"
)

// recordedLine is one line of an NDJSON recording (recorder/export.go):
// a header with the exchanges, or an event. Only what the checks read.
type recordedLine struct {
	Format    string             `json:"format"`
	Exchanges []recordedExchange `json:"exchanges"`
	Exchange  string             `json:"exchangeId"`
	Seq       int                `json:"seq"`
	Raw       json.RawMessage    `json:"raw"`
}

type recordedExchange struct {
	ID              string              `json:"id"`
	Method          string              `json:"method"`
	ProtocolVersion string              `json:"protocolVersion"`
	Binding         string              `json:"binding"`
	HTTPMethod      string              `json:"httpMethod"`
	Path            string              `json:"path"`
	RequestHeaders  map[string][]string `json:"requestHeaders"`
	RequestBody     json.RawMessage     `json:"requestBody"`
	RPCID           string              `json:"rpcId"`
	Status          int                 `json:"status"`
	ContentType     string              `json:"contentType"`
	Streaming       bool                `json:"streaming"`
	Outcome         string              `json:"outcome"`
}

// rawBytes decodes a recorded byte field: a JSON string, or {"base64": ...}
// for bytes that are not UTF-8.
func rawBytes(t *testing.T, raw json.RawMessage) []byte {
	var s string
	if json.Unmarshal(raw, &s) == nil {
		return []byte(s)
	}
	var b struct {
		Base64 string `json:"base64"`
	}
	if err := json.Unmarshal(raw, &b); err != nil {
		t.Fatalf("raw field %s: %v", raw, err)
	}
	out, err := base64.StdEncoding.DecodeString(b.Base64)
	if err != nil {
		t.Fatal(err)
	}
	return out
}

// readRecording reads an NDJSON recording file into exchanges.
func readRecording(t *testing.T, path string) []*Exchange {
	t.Helper()
	f, err := os.Open(path)
	if err != nil {
		t.Fatal(err)
	}
	defer f.Close()
	byID := map[string]*Exchange{}
	var out []*Exchange
	sc := bufio.NewScanner(f)
	sc.Buffer(nil, 16<<20)
	for sc.Scan() {
		var l recordedLine
		if err := json.Unmarshal(sc.Bytes(), &l); err != nil {
			t.Fatalf("%s: %v", path, err)
		}
		if l.Format != "" {
			for _, x := range l.Exchanges {
				ex := &Exchange{Method: x.Method, ProtocolVersion: x.ProtocolVersion, Binding: x.Binding,
					HTTPMethod: x.HTTPMethod, Path: x.Path, RequestHeaders: http.Header(x.RequestHeaders),
					RPCID: x.RPCID, Status: x.Status, ContentType: x.ContentType, Streaming: x.Streaming, Outcome: x.Outcome}
				if len(x.RequestBody) > 0 {
					ex.RequestBody = rawBytes(t, x.RequestBody)
				}
				byID[x.ID] = ex
				out = append(out, ex)
			}
			continue
		}
		if ex := byID[l.Exchange]; ex != nil {
			ex.Events = append(ex.Events, Event{Seq: l.Seq, Raw: rawBytes(t, l.Raw)})
		}
	}
	if err := sc.Err(); err != nil {
		t.Fatal(err)
	}
	return out
}

// TestRecordings runs the checks over the repository's recorded fixtures and
// pins what they find, so a change in a rule shows here. The fixtures are
// hand-made (recorder/testdata has a non-JSON event on purpose; its stream
// opens with a status update and its resubscribe exchange has no response).
func TestRecordings(t *testing.T) {
	want := map[string][]string{
		"../recorder/recordertest/testdata/recording.ndjson": {RuleStreamFirstEvent, RuleWireEvent},
		"../replay/testdata/fixture.ndjson":                  nil,
	}
	for path, rules := range want {
		t.Run(filepath.Base(path), func(t *testing.T) {
			var all []Finding
			for _, ex := range readRecording(t, path) {
				fs := Check(ex)
				t.Logf("%s %s: %s", ex.Method, ex.Outcome, describe(fs))
				all = append(all, fs...)
			}
			assertRules(t, all, rules...)
		})
	}
}
