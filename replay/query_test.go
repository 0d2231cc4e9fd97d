package replay_test

import (
	"net/url"
	"strings"
	"testing"

	"github.com/a2aproxy/a2a-proxy/replay"
)

func TestParseQuery(t *testing.T) {
	for _, tc := range []struct {
		query string
		want  replay.Options
		err   string
	}{
		{"", replay.Options{Speed: 1}, ""},
		{"speed=0", replay.Options{Speed: 0}, ""},
		{"speed=2.5&from=3&to=7", replay.Options{Speed: 2.5, From: 3, Until: 8}, ""},
		{"to=0", replay.Options{Speed: 1, Until: 1}, ""},
		{"cut=4", replay.Options{Speed: 1, Fault: replay.Fault{Kind: replay.Cut, Before: 4}}, ""},
		{"stall=0", replay.Options{Speed: 1, Fault: replay.Fault{Kind: replay.Stall, Before: 0}}, ""},
		{"speed=-1", replay.Options{}, `speed "-1"`},
		{"speed=fast", replay.Options{}, `speed "fast"`},
		{"from=x", replay.Options{}, `from "x"`},
		{"to=-2", replay.Options{}, `to "-2"`},
		{"from=5&to=4", replay.Options{}, "to 4 is before from 5"},
		{"cut=1&stall=2", replay.Options{}, "pick one"},
	} {
		q, _ := url.ParseQuery(tc.query)
		got, err := replay.ParseQuery(q)
		if tc.err != "" {
			if err == nil || !strings.Contains(err.Error(), tc.err) {
				t.Errorf("%q: err = %v, want %q", tc.query, err, tc.err)
			}
			continue
		}
		if err != nil || got != tc.want {
			t.Errorf("%q: %+v (%v), want %+v", tc.query, got, err, tc.want)
		}
	}
}
