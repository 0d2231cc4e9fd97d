package proxy

import (
	"context"
	"encoding/json"
	"errors"
	"io"
	"net/http"
	"net/http/httptest"
	"net/url"
	"reflect"
	"strings"
	"sync/atomic"
	"testing"
	"time"
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

// TestDirectoryCardRedirectNotFollowed pins that a card check never leaves
// the agent: an agent answering 302 to another server gets an error naming
// where it pointed, and that server is never reached.
func TestDirectoryCardRedirectNotFollowed(t *testing.T) {
	var hits atomic.Int64
	elsewhere := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		hits.Add(1)
		io.WriteString(w, `{"name":"elsewhere"}`)
	}))
	t.Cleanup(elsewhere.Close)
	_, _, p := startProxy(t, http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		http.Redirect(w, r, elsewhere.URL+cardPath, http.StatusFound)
	}))
	_, err := p.Card(context.Background(), "test", &url.URL{Scheme: "http", Host: "proxy"})
	if !errors.Is(err, ErrCardRedirect) || !strings.Contains(err.Error(), elsewhere.URL+cardPath) {
		t.Errorf("Card() error = %v, want ErrCardRedirect naming %s", err, elsewhere.URL+cardPath)
	}
	if n := hits.Load(); n != 0 {
		t.Errorf("the redirect target got %d requests, want none", n)
	}
}

// TestDirectoryCardTimeout pins that a card check of an agent that accepts
// the connection and never answers ends by the proxy's own timeout, even
// when the caller's context has none.
func TestDirectoryCardTimeout(t *testing.T) {
	release := make(chan struct{})
	_, _, p := startProxy(t, http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		select { // never answers, until the test ends
		case <-release:
		case <-r.Context().Done():
		}
	}))
	t.Cleanup(func() { close(release) })
	p.cardTimeout = 50 * time.Millisecond
	start := time.Now()
	_, err := p.Card(context.Background(), "test", &url.URL{Scheme: "http", Host: "proxy"})
	if !errors.Is(err, context.DeadlineExceeded) {
		t.Errorf("Card() error = %v, want a deadline exceeded", err)
	}
	if took := time.Since(start); took > 5*time.Second { // generous: the bound is 50ms
		t.Errorf("Card() took %v, want it cut by its 50ms timeout", took)
	}
}
