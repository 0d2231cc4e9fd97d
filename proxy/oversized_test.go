package proxy

import (
	"context"
	"io"
	"net/http"
	"strings"
	"testing"

	"github.com/a2aproxy/a2a-proxy/recorder"
)

// An event longer than MaxEventBytes reaches the client byte for byte but is
// recorded as its first MaxEventBytes only, flagged oversized, and so is a
// last event the stream never ends; the keep-alive before the big event is
// recorded on its own, and the events after it are recorded as usual.
func TestOversizedEventsPassWholeAndAreRecordedCapped(t *testing.T) {
	const max = 1024
	big := "data: {\"x\":\"" + strings.Repeat("x", 100<<10) + "\"}\n\n"
	tail := "data: " + strings.Repeat("y", 50<<10)
	stream := []string{a2aEvents[0], ": keep-alive\n\n", big, a2aEvents[1], tail}
	srv, rec, _ := startProxy(t, http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		sseHeaders(w)
		for _, s := range stream {
			io.WriteString(w, s)
			w.(http.Flusher).Flush()
		}
	}), func(o *Options) { o.MaxEventBytes = max })
	resp := postStream(t, context.Background(), srv.URL)
	body, err := io.ReadAll(resp.Body)
	if err != nil || string(body) != strings.Join(stream, "") {
		t.Fatalf("client got %d bytes (%v), want the %d sent", len(body), err, len(strings.Join(stream, "")))
	}
	end, evs := rec.waitEnd(t)
	if end.Outcome != recorder.OutcomeCompleted || end.EventCount != len(stream) || len(evs) != len(stream) {
		t.Fatalf("end %+v, %d events recorded", end, len(evs))
	}
	want := []struct{ raw, flag, kind string }{
		{a2aEvents[0], "", "task"},
		{": keep-alive\n\n", "", ""},
		{big[:max], recorder.FlagOversized, ""},
		{a2aEvents[1], "", "status-update"},
		{tail[:max], recorder.FlagOversized, ""},
	}
	for i, w := range want {
		if ev := evs[i]; string(ev.Raw) != w.raw || ev.Flag != w.flag || ev.Kind != w.kind {
			t.Errorf("event %d: %d bytes, flag %q, kind %q; want %d bytes, flag %q, kind %q",
				i, len(ev.Raw), ev.Flag, ev.Kind, len(w.raw), w.flag, w.kind)
		}
	}
}
