package proxy

import (
	"bytes"
	"encoding/json"
	"fmt"
	"io"
	"net/http"
	"net/url"
	"strconv"
	"strings"
	"time"

	"github.com/a2aproxy/a2a-proxy/internal/a2awire"
)

// Card paths. The proxy serves agent.json (pre-0.3) as an alias of agent-card.json.
const (
	cardPath       = "/.well-known/agent-card.json"
	legacyCardPath = "/.well-known/agent.json"
)

// cardRewrite is the result of rewriting one agent card.
type cardRewrite struct {
	body              []byte
	rewritten         int  // URLs changed
	signaturesDropped bool // the card was signed; a rewritten card's signatures no longer hold
}

// rewriteCard points every interface URL of an agent card at the proxy:
// v0.3 `url` and `additionalInterfaces[].url`, v1.0 `supportedInterfaces[].url`.
// upstream is the agent's configured base URL and public the proxy's base URL
// for that agent. A URL's path below the upstream's base path is kept, so an
// agent serving JSON-RPC at /a2a/jsonrpc is reached at {public}/a2a/jsonrpc.
//
// Any interface URL is rewritten, whatever its host: the proxy forwards only
// to the configured upstream, so a card naming another host would otherwise
// send clients around the proxy.
//
// JWS signatures cover the URLs, so a rewritten card keeps none of them
// (see README, "Signed agent cards").
func rewriteCard(body []byte, upstream, public *url.URL) (cardRewrite, error) {
	var card map[string]json.RawMessage
	if err := json.Unmarshal(body, &card); err != nil {
		return cardRewrite{}, err
	}
	res := cardRewrite{}
	rewriteURL := func(raw json.RawMessage) json.RawMessage {
		var s string
		if json.Unmarshal(raw, &s) != nil || s == "" {
			return raw
		}
		out, err := json.Marshal(proxiedURL(s, upstream, public))
		if err != nil || string(out) == string(raw) {
			return raw
		}
		res.rewritten++
		return out
	}
	if raw, ok := card["url"]; ok {
		card["url"] = rewriteURL(raw)
	}
	for _, key := range []string{"additionalInterfaces", "supportedInterfaces"} {
		raw, ok := card[key]
		if !ok {
			continue
		}
		var ifaces []map[string]json.RawMessage
		if json.Unmarshal(raw, &ifaces) != nil {
			continue
		}
		for _, iface := range ifaces {
			if u, ok := iface["url"]; ok {
				iface["url"] = rewriteURL(u)
			}
		}
		if out, err := json.Marshal(ifaces); err == nil {
			card[key] = out
		}
	}
	if res.rewritten == 0 {
		res.body = body
		return res, nil
	}
	if _, signed := card["signatures"]; signed {
		delete(card, "signatures")
		res.signaturesDropped = true
	}
	out, err := json.Marshal(card)
	if err != nil {
		return cardRewrite{}, err
	}
	res.body = out
	return res, nil
}

// proxiedURL maps an agent URL to the proxy: the scheme and host become the
// proxy's, and the part of the path below the upstream's base path is
// appended to the proxy's base path for the agent.
func proxiedURL(raw string, upstream, public *url.URL) string {
	u, err := url.Parse(raw)
	if err != nil || (u.Scheme != "http" && u.Scheme != "https") {
		return raw
	}
	rel := u.Path
	if upstream.Path != "" && (rel == upstream.Path || strings.HasPrefix(rel, upstream.Path+"/")) {
		rel = strings.TrimPrefix(rel, upstream.Path)
	}
	out := *public
	out.Path = strings.TrimSuffix(public.Path, "/") + rel
	if out.Path == "" || rel == "" && strings.HasSuffix(u.Path, "/") {
		out.Path += "/"
	}
	out.RawPath = ""
	out.RawQuery = u.RawQuery
	out.Fragment = u.Fragment
	return out.String()
}

// rewriteCardResponse replaces an agent card response (a card, or a JSON-RPC
// extended-card result) with its rewritten form, and records the card as the
// agent sent it. A body that is no card passes through untouched.
func (p *Proxy) rewriteCardResponse(ex *exchange, resp *http.Response) error {
	body, err := io.ReadAll(io.LimitReader(resp.Body, p.opts.MaxRecordedBytes+1))
	resp.Body.Close()
	if err != nil {
		return fmt.Errorf("read agent card: %w", err)
	}
	// Record the card as the agent sent it; the client gets the rewritten one.
	ex.tee = newTee(ex, nil, false, p.opts.MaxRecordedBytes, 0)
	ex.tee.readAt = time.Now()
	ex.tee.keepUnary(body)
	resp.Body = io.NopCloser(bytes.NewReader(body))

	out, err := rewriteCardBody(body, ex.req.Binding == a2awire.BindingJSONRPC, ex.agent.URL, ex.publicBase)
	if err != nil {
		p.log.Warn("agent card not rewritten: not a JSON card", "agent", ex.agent.Name, "err", err)
		return nil
	}
	if out.rewritten == 0 {
		return nil
	}
	if out.signaturesDropped {
		p.log.Warn("signed agent card rewritten: signatures removed, they no longer match the URLs",
			"agent", ex.agent.Name)
		resp.Header.Set("X-A2A-Proxy-Card", "rewritten; signatures removed")
	}
	resp.Body = io.NopCloser(bytes.NewReader(out.body))
	resp.ContentLength = int64(len(out.body))
	resp.Header.Set("Content-Length", strconv.Itoa(len(out.body)))
	resp.Header.Del("Content-Encoding")
	resp.Header.Del("ETag") // the agent's ETag names its own bytes
	return nil
}

// rewriteCardBody rewrites a card, or the card in a JSON-RPC result.
func rewriteCardBody(body []byte, jsonrpc bool, upstream, public *url.URL) (cardRewrite, error) {
	if !jsonrpc {
		return rewriteCard(body, upstream, public)
	}
	var env map[string]json.RawMessage
	if err := json.Unmarshal(body, &env); err != nil {
		return cardRewrite{}, err
	}
	result, ok := env["result"]
	if !ok {
		return cardRewrite{body: body}, nil // an error response
	}
	res, err := rewriteCard(result, upstream, public)
	if err != nil || res.rewritten == 0 {
		return cardRewrite{body: body}, err
	}
	env["result"] = res.body
	res.body, err = json.Marshal(env)
	return res, err
}
