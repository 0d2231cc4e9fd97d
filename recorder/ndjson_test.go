package recorder_test

import (
	"bytes"
	"errors"
	"strings"
	"testing"
	"time"

	"github.com/a2aproxy/a2a-proxy/recorder"
)

func readRecordings(t *testing.T, data []byte) []*recorder.Recording {
	t.Helper()
	recs, err := recorder.ReadRecordings(bytes.NewReader(data), "test.ndjson")
	if err != nil {
		t.Fatalf("read recordings: %v", err)
	}
	return recs
}

func TestReadRecordingsHandWritten(t *testing.T) {
	file := `{"format":"a2a-proxy.recording","version":1,"task":{"taskId":"T"},"exchanges":[{"id":"x","startedAt":"2025-06-01T12:00:00Z"}]}

{"exchangeId":"x","seq":1,"offsetNs":2000000,"raw":"data: {\"b\":2}\n\n"}
{"exchangeId":"x","seq":0,"offsetNs":1000000,"raw":"data: {\"a\":1}\n\n"}
`
	recs := readRecordings(t, []byte(file))
	evs := recs[0].Events
	if len(evs) != 2 || evs[0].Seq != 0 || evs[1].Seq != 1 {
		t.Fatalf("events %+v, want seq 0 then 1", evs)
	}
	if !evs[0].At.Equal(time.Date(2025, 6, 1, 12, 0, 0, 0, time.UTC).Add(time.Millisecond)) || string(evs[1].Raw) != "data: {\"b\":2}\n\n" {
		t.Errorf("event 0 at %v, event 1 raw %q", evs[0].At, evs[1].Raw)
	}
	if recs[0].Exchanges[0].End != nil {
		t.Error("an exchange without endedAt has an end")
	}
}

func TestReadRecordingsRejectsCorruptFiles(t *testing.T) {
	const header = `{"format":"a2a-proxy.recording","version":1,"task":{"taskId":"T"},"exchanges":[{"id":"x","startedAt":"2025-06-01T12:00:00Z"}]}`
	const event = `{"exchangeId":"x","seq":0,"offsetNs":0,"raw":"data: {}\n\n"}`
	for _, tc := range []struct {
		name, file string
		line       int
		why        string
	}{
		{"empty", "", 0, "no recording"},
		{"not JSON", header + "\n{oops\n", 2, "not a JSON object"},
		{"truncated line", header + "\n" + event[:20], 2, "not a JSON object"},
		{"event first", event + "\n" + header + "\n", 1, "before any header"},
		{"wrong format", `{"format":"other","version":1,"task":{"taskId":"T"},"exchanges":[]}`, 1, `format "other"`},
		{"newer version", strings.Replace(header, `"version":1`, `"version":2`, 1), 1, "reads version 1"},
		{"no task id", strings.Replace(header, `"taskId":"T"`, `"taskId":""`, 1), 1, "taskId is empty"},
		{"duplicate exchange", strings.Replace(header, `[{"id":"x"`, `[{"id":"x"},{"id":"x"`, 1), 1, "appears twice"},
		{"unknown field", header + "\n" + strings.Replace(event, `"seq"`, `"sequence"`, 1), 2, "unknown field"},
		{"unknown exchange", header + "\n" + strings.Replace(event, `"x"`, `"y"`, 1), 2, "does not list"},
		{"negative offset", header + "\n" + strings.Replace(event, `"offsetNs":0`, `"offsetNs":-1`, 1), 2, "negative offsetNs"},
		{"no raw", header + "\n" + `{"exchangeId":"x","seq":0,"offsetNs":0}`, 2, "no raw bytes"},
		{"bad base64", header + "\n" + strings.Replace(event, `"data: {}\n\n"`, `{"base64":"!!"}`, 1), 2, "base64"},
		{"duplicate event", header + "\n" + event + "\n" + event + "\n", 3, "appears twice"},
		{"second recording", header + "\n" + event + "\n" + header + "\n" + `{"exchangeId":"x","seq":-1,"offsetNs":0,"raw":""}`, 4, "negative seq"},
	} {
		t.Run(tc.name, func(t *testing.T) {
			recs, err := recorder.ReadRecordings(strings.NewReader(tc.file), "fixture.ndjson")
			var fe *recorder.FormatError
			if !errors.As(err, &fe) {
				t.Fatalf("err = %v (%d recordings), want a *FormatError", err, len(recs))
			}
			if fe.Source != "fixture.ndjson" || fe.Line != tc.line || !strings.Contains(err.Error(), tc.why) {
				t.Errorf("err = %q (line %d), want fixture.ndjson:%d with %q", err, fe.Line, tc.line, tc.why)
			}
			if recs != nil {
				t.Errorf("a corrupt file yielded %d recordings", len(recs))
			}
		})
	}
}

// TestNewRejectsUnknownMode pins that a typo in --record-mode fails the
// start instead of recording in some mode.
func TestNewRejectsUnknownMode(t *testing.T) {
	_, err := recorder.New(nil, recorder.Options{Mode: "sometimes"})
	if err == nil || !strings.Contains(err.Error(), `unknown record mode "sometimes"`) {
		t.Errorf("New with an unknown mode: err = %v, want it named", err)
	}
}
