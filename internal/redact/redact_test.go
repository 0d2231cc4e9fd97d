package redact

import (
	"encoding/json"
	"net/http"
	"net/url"
	"strings"
	"testing"

	"github.com/a2aproxy/a2a-proxy/internal/a2awire"
)

// TestHeaderNames pins the header rule: a word anywhere in the name, in any
// case, and the names added with Rules.Headers.
func TestHeaderNames(t *testing.T) {
	r := New(Rules{Headers: []string{"X-Tenant-Pin"}})
	for name, want := range map[string]bool{
		"Authorization": true, "Proxy-Authorization": true, "X-Auth": true, "x-auth-token": true,
		"Cookie": true, "Set-Cookie": true, "X-Api-Key": true, "X-Goog-Api-Key": true,
		"X-Amz-Security-Token": true, "X-My-Session": true, "X-Client-Secret": true,
		"X-Password": true, "X-Signature": true, "X-Credential": true, "X-Tenant-Pin": true,
		"Content-Type": false, "A2A-Version": false, "A2A-Extensions": false, "Traceparent": false,
		"User-Agent": false, "Accept": false, "Keep-Alive": false, "X-Request-Id": false,
	} {
		if got := r.Header(name); got != want {
			t.Errorf("Header(%q) = %v, want %v", name, got, want)
		}
	}
	h := http.Header{"Authorization": {"Bearer a", "Bearer b"}, "Accept": {"*/*"}}
	got := r.Headers(h)
	if got.Values("Authorization")[0] != Marker || got.Values("Authorization")[1] != Marker || got.Get("Accept") != "*/*" {
		t.Errorf("Headers = %v", got)
	}
	if h.Get("Authorization") != "Bearer a" {
		t.Error("Headers changed its argument")
	}
}

// TestFieldNames pins the rule for JSON field names: words of the name, so
// that "key" and "token" do not hit "keywords" or "inputTokens".
func TestFieldNames(t *testing.T) {
	r := New(Rules{Fields: []string{"pin", "x-internal-ref"}})
	for name, want := range map[string]bool{
		"apiKey": true, "api_key": true, "APIKey": true, "apikey": true, "API-KEY": true, "key": true,
		"password": true, "userPassword": true, "passwd": true, "pwd": true, "clientSecret": true,
		"client_secret": true, "secrets": true, "accessToken": true, "access_token": true,
		"accesstoken": true, "idToken": true, "csrftoken": true, "token": true, "authToken": true,
		"auth": true, "Authorization": true, "x-auth": true, "sessionId": true, "session": true,
		"cookie": true, "cookies": true, "signature": true, "sig": true, "sha256Sig": true,
		"credentials": true, "privateKey": true, "jwt": true,
		"pin": true, "userPin": true, "X-Internal-Ref": true,
		"keywords": false, "monkey": false, "inputTokens": false, "max_tokens": false,
		"totalTokenCount": false, "tokenizer": false, "author": false, "authors": false,
		"design": false, "signal": false, "code": false, "keyboard": false, "spinner": false,
		"keyId": false, "AWSAccessKeyId": false, "tokenType": false, "promptTokenCount": false, "pageToken": false, "page_token": false, "nextPageToken": false, "tokenUrl": false,
		"authorizationUrl": false, "apiKeySecurityScheme": false, "httpAuthSecurityScheme": false,
	} {
		if got := r.Field(name); got != want {
			t.Errorf("Field(%q) = %v, want %v", name, got, want)
		}
	}
}

// TestA2AFieldNames checks every property name of the A2A v0.3 JSON schema
// and the v1.0 proto (camelCase, as its JSON mapping spells them): the
// event fields the recorder reads are never redacted, and the few that do
// match are the ones that can hold a credential (push notification tokens
// and credentials, OAuth flow objects of cards, card signatures).
func TestA2AFieldNames(t *testing.T) {
	v03 := "acceptedOutputModes additionalInterfaces append artifact artifactId artifacts authentication " +
		"authorizationCode authorizationUrl bearerFormat blocking bytes capabilities clientCredentials code " +
		"configuration contextId credentials data defaultInputModes defaultOutputModes description " +
		"documentationUrl error examples extensions file final flows header history historyLength iconUrl " +
		"id implicit in inputModes jsonrpc kind lastChunk message messageId metadata method mimeType name " +
		"oauth2MetadataUrl openIdConnectUrl organization outputModes params parts password " +
		"preferredTransport protected protocolVersion provider pushNotificationConfig " +
		"pushNotificationConfigId pushNotifications referenceTaskIds refreshUrl required result role " +
		"scheme schemes scopes security securitySchemes signature signatures skills state " +
		"stateTransitionHistory status streaming supportsAuthenticatedExtendedCard tags taskId text " +
		"timestamp token tokenUrl transport type uri url version"
	v10 := "accepted_output_modes api_key_security_scheme append artifact artifact_id artifact_update " +
		"artifacts authentication authorization_code authorization_url bearer_format capabilities configs " +
		"configuration client_credentials context_id credentials data default_input_modes " +
		"default_output_modes description device_authorization_url device_code documentation_url examples " +
		"extended_agent_card extensions filename flows header history history_length " +
		"http_auth_security_scheme icon_url id implicit include_artifacts input_modes last_chunk list " +
		"location media_type message message_id metadata mtls_security_scheme name next_page_token " +
		"oauth2_metadata_url oauth2_security_scheme open_id_connect_security_scheme open_id_connect_url " +
		"organization output_modes page_size page_token params parts password pkce_required protected " +
		"protocol_binding protocol_version provider push_notifications raw reference_task_ids refresh_url " +
		"required return_immediately role scheme security_requirements signature signatures skills state " +
		"status status_timestamp_after status_update streaming supported_interfaces tags task task_id " +
		"task_push_notification_config tasks tenant text timestamp token token_url total_size uri url " +
		"version statusUpdate artifactUpdate supportedInterfaces protocolBinding"
	redacted := map[string]bool{
		"authorizationCode": true, "authorization_code": true, "clientCredentials": true,
		"client_credentials": true, "credentials": true, "password": true, "signature": true,
		"signatures": true, "token": true,
	}
	r := Default()
	for _, name := range strings.Fields(v03 + " " + v10) {
		for _, spelling := range []string{name, camel(name)} {
			if got := r.Field(spelling); got != redacted[name] {
				t.Errorf("A2A field %q redacted: %v, want %v", spelling, got, redacted[name])
			}
		}
	}
}

func camel(snake string) string {
	parts := strings.Split(snake, "_")
	for i := 1; i < len(parts); i++ {
		parts[i] = strings.ToUpper(parts[i][:1]) + parts[i][1:]
	}
	return strings.Join(parts, "")
}

// TestQuery pins the query rule: the field rule plus "code", values
// replaced, everything else kept byte for byte.
func TestQuery(t *testing.T) {
	r := New(Rules{Query: []string{"tenant_pin"}})
	for in, want := range map[string]string{
		"/v1/tasks":                       "/v1/tasks",
		"/v1/tasks?historyLength=3":       "/v1/tasks?historyLength=3",
		"/p?access_token=a1&x=1":          "/p?access_token=[REDACTED]&x=1",
		"/p?api_key=a2&key=a3&token=a4":   "/p?api_key=[REDACTED]&key=[REDACTED]&token=[REDACTED]",
		"/p?sig=a5&signature=a6&code=a7":  "/p?sig=[REDACTED]&signature=[REDACTED]&code=[REDACTED]",
		"/p?X-Amz-Credential=a8&a%5Fkey=": "/p?X-Amz-Credential=[REDACTED]&a%5Fkey=[REDACTED]",
		"/p?password=a9&keywords=k&auth":  "/p?password=[REDACTED]&keywords=k&auth",
		"/p?tenant_pin=b1&pageToken=p":    "/p?tenant_pin=[REDACTED]&pageToken=p",
		"/p?q=a%20b&&secret=b2":           "/p?q=a%20b&&secret=[REDACTED]",
	} {
		got := r.URI(in)
		if got != want {
			t.Errorf("URI(%q) = %q, want %q", in, got, want)
		}
		if _, err := url.ParseRequestURI(got); err != nil {
			t.Errorf("URI(%q) = %q, which does not parse: %v", in, got, err)
		}
	}
	u, _ := url.Parse("http://user:pw@agent/base?token=t1&x=2")
	if got := r.URL(u); got != "http://user:xxxxx@agent/base?token=[REDACTED]&x=2" {
		t.Errorf("URL = %q", got)
	}
	form := r.Body("application/x-www-form-urlencoded; charset=utf-8", []byte("user=u&password=b3"))
	if string(form) != "user=u&password=[REDACTED]" {
		t.Errorf("form body = %q", form)
	}
}

// TestJSON pins JSON redaction: values at any depth, whatever their type,
// replaced by "[REDACTED]"; every other byte kept; nothing allocated when
// nothing is redacted.
func TestJSON(t *testing.T) {
	r := Default()
	for _, c := range []struct{ in, want string }{
		{`{"a":1}`, `{"a":1}`},
		{`{"apiKey":"s1","b":[{"password":{"x":[1,"}"]}},2]}`, `{"apiKey":"[REDACTED]","b":[{"password":"[REDACTED]"},2]}`},
		{`{ "params" : { "message" : { "metadata" : { "deep" : { "clientSecret" : 12.5e3 , "ok" : true } } } } }`,
			`{ "params" : { "message" : { "metadata" : { "deep" : { "clientSecret" : "[REDACTED]" , "ok" : true } } } } }`},
		{`{"token":null,"monkey":"m","keywords":["key"],"text":"my password is x"}`,
			`{"token":"[REDACTED]","monkey":"m","keywords":["key"],"text":"my password is x"}`},
		{`{"esc\"aped":"v","\u0074oken":"s2","s\\":"\\\"","secret":"a\"b\\"}`,
			`{"esc\"aped":"v","\u0074oken":"[REDACTED]","s\\":"\\\"","secret":"[REDACTED]"}`},
		{`[{"key":[]},{"key":{}},{},[]]`, `[{"key":"[REDACTED]"},{"key":"[REDACTED]"},{},[]]`},
		// Cut short, as a truncated body is: the secret is cut too.
		{`{"a":{"password":"hunt`, `{"a":{"password":"[REDACTED]"`},
		{`{"a":{"password":{"x":"y`, `{"a":{"password":"[REDACTED]"`},
		{`{"a":1,"passw`, `{"a":1,"passw`},
		// Not JSON: fields before the error are still redacted.
		{`{"secret":"s3", oops`, `{"secret":"[REDACTED]", oops`},
		{`key: value`, `key: value`},
	} {
		got := string(r.JSON([]byte(c.in)))
		if got != c.want {
			t.Errorf("JSON(%s)\n got %s\nwant %s", c.in, got, c.want)
		}
		if json.Valid([]byte(c.in)) && !json.Valid([]byte(got)) {
			t.Errorf("JSON(%s) = %s: no longer valid", c.in, got)
		}
	}
	deep := strings.Repeat("[", 1<<20) + `{"secret":"s4"}` + strings.Repeat("]", 1<<20)
	if got := string(r.JSON([]byte(deep))); strings.Contains(got, "s4") {
		t.Error("a secret under a million brackets was kept")
	}
	plain := []byte(`{"kind":"status-update","taskId":"t","contextId":"c","final":false}`)
	if allocs := testing.AllocsPerRun(100, func() { r.JSON(plain) }); allocs != 0 {
		t.Errorf("JSON allocates %v times on an event with nothing to redact", allocs)
	}
}

// TestSSEEvent pins the redaction of a recorded SSE block: the data is
// redacted, the block still parses (same id, event type and A2A fields),
// keep-alives before it and the line breaks are kept.
func TestSSEEvent(t *testing.T) {
	r := Default()
	doc := `{"jsonrpc":"2.0","id":1,"result":{"kind":"artifact-update","taskId":"T","contextId":"C","artifact":{"artifactId":"A","parts":[],"metadata":{"clientSecret":"s5"}},"lastChunk":true}}`
	for name, block := range map[string]string{
		"a2a-go":      "id: 7f\ndata: " + doc + "\n\n",
		"crlf":        "event: message\r\ndata:" + doc + "\r\n\r\n",
		"keep-alive":  ": keep-alive\n\nid: 1\ndata: " + doc + "\n\n",
		"multi-line":  "data: " + strings.Replace(doc, `,"artifact"`, "\ndata: ,\"artifact\"", 1) + "\nid: 2\n\n",
		"incomplete":  "data: " + doc,
		"bom":         "\xEF\xBB\xBFdata: " + doc + "\n\n",
		"interleaved": "data: {\"token\":\ndata: \"s5\"}\nevent: x\ndata: \n\n",
	} {
		t.Run(name, func(t *testing.T) {
			got := r.Event([]byte(block))
			if strings.Contains(string(got), "s5") {
				t.Fatalf("secret kept: %q", got)
			}
			before, _ := a2awire.ParseSSE(trimKeepAlive([]byte(block)))
			after, ok := a2awire.ParseSSE(trimKeepAlive(got))
			if !ok || before.ID != after.ID || before.Type != after.Type {
				t.Fatalf("fields changed: %+v -> %+v (%q)", before, after, got)
			}
			if name == "interleaved" {
				return
			}
			if want := strings.Replace(string(before.Data), `"s5"`, `"[REDACTED]"`, 1); string(after.Data) != want {
				t.Errorf("data %s\nwant %s", after.Data, want)
			}
			ev1, _ := a2awire.ParseEvent(before.Data)
			ev2, _ := a2awire.ParseEvent(after.Data)
			if ev1.Kind != ev2.Kind || ev1.TaskID != ev2.TaskID || ev1.ContextID != ev2.ContextID || ev1.ArtifactID != ev2.ArtifactID {
				t.Errorf("A2A fields changed: %+v -> %+v", ev1, ev2)
			}
			if strings.HasPrefix(name, "crlf") && !strings.HasSuffix(string(got), "\r\n\r\n") {
				t.Errorf("line breaks changed: %q", got)
			}
			if name == "keep-alive" && !strings.HasPrefix(string(got), ": keep-alive\n\nid: 1\n") {
				t.Errorf("keep-alive not kept: %q", got)
			}
		})
	}
	plain := []byte("id: 1\ndata: {\"kind\":\"status-update\",\"taskId\":\"t\"}\n\n")
	if got := r.Event(plain); &got[0] != &plain[0] {
		t.Error("an event with nothing to redact was copied")
	}
	unary := []byte(`{"jsonrpc":"2.0","id":1,"result":{"kind":"task","metadata":{"password":"s6"}}}`)
	if got := string(r.Event(unary)); strings.Contains(got, "s6") || !json.Valid([]byte(got)) {
		t.Errorf("unary body: %s", got)
	}
}

// trimKeepAlive drops comment blocks before the event, as ParseSSE stops at
// the first blank line.
func trimKeepAlive(b []byte) []byte {
	s := string(b)
	for strings.HasPrefix(s, ":") {
		_, s, _ = strings.Cut(s, "\n\n")
	}
	return []byte(s)
}
