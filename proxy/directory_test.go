package proxy

import (
	"context"
	"encoding/json"
	"errors"
	"io"
	"net/http"
	"net/url"
	"reflect"
	"strings"
	"testing"
)

func TestDirectory(t *testing.T) {
	var upstream string
	_, rec, p := startProxy(t, http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		if r.URL.Path != cardPath {
			http.NotFound(w, r)
			return
		}
		io.WriteString(w, `{"name":"x","url":"`+upstream+`/rpc"}`)
	}))
	upstream, _ = p.AgentURL("test")

	if got := p.AgentNames(); !reflect.DeepEqual(got, []string{"test"}) {
		t.Errorf("AgentNames() = %v", got)
	}
	base, _ := url.Parse("http://proxy.example:8080")
	card, err := p.Card(context.Background(), "test", base)
	if err != nil {
		t.Fatal(err)
	}
	var doc struct{ URL string }
	if err := json.Unmarshal(card, &doc); err != nil || doc.URL != "http://proxy.example:8080/agents/test/rpc" {
		t.Errorf("card = %s (%v), want its url rewritten to the proxy", card, err)
	}
	if _, err := p.Card(context.Background(), "nobody", base); !errors.Is(err, ErrUnknownAgent) {
		t.Errorf("Card(nobody) error = %v, want ErrUnknownAgent", err)
	}
	if len(rec.exchanges) != 0 {
		t.Errorf("fetching cards for the directory recorded %d exchanges, want none", len(rec.exchanges))
	}
}

func TestDirectoryCardErrors(t *testing.T) {
	for _, tc := range []struct {
		name    string
		handler http.HandlerFunc
		want    string
	}{
		{"legacy path", func(w http.ResponseWriter, r *http.Request) {
			if r.URL.Path == legacyCardPath {
				io.WriteString(w, `{"name":"old"}`)
				return
			}
			http.NotFound(w, r)
		}, ""},
		{"no card", http.NotFound, "HTTP status 404"},
		{"server error", func(w http.ResponseWriter, r *http.Request) { w.WriteHeader(http.StatusBadGateway) }, "HTTP status 502"},
		{"not JSON", func(w http.ResponseWriter, r *http.Request) { io.WriteString(w, "<html>") }, "not a JSON object"},
	} {
		t.Run(tc.name, func(t *testing.T) {
			_, _, p := startProxy(t, tc.handler)
			_, err := p.Card(context.Background(), "test", &url.URL{Scheme: "http", Host: "proxy"})
			if tc.want == "" && err != nil || tc.want != "" && (err == nil || !strings.Contains(err.Error(), tc.want)) {
				t.Errorf("Card() error = %v, want %q", err, tc.want)
			}
		})
	}
}
