package httpapi_test

import (
	"bytes"
	"encoding/json"
	"strings"
	"testing"
	"unicode/utf8"

	"github.com/smsdesk/smsdesk/shared/chat"
	"github.com/smsdesk/smsdesk/shared/httpapi"
)

// fuzzSeeds are request bodies the API tests send (functions/agentapi,
// functions/adminapi), good and refused.
var fuzzSeeds = []string{
	`{"status":"away"}`,
	`{"body":"Hi there","requestId":"r-1"}`,
	`{"toQueue":"en-tech","note":"tech question"}`,
	`{"wrapUp":"solved"}`,
	`{"title":"Hello","body":"Hi, I am @{AGENT}."}`,
	`{"body":"Hello €"}`,
	`{"body":"Olá 😀"}`,
	`{"cannedId":"bye","requestId":"r"}`,
	`{"body":"x","requestId":"r","bodyy":"y"}`,
	`{"body":5,"requestId":"r"}`,
	`{"body":`,
	`{"force":true}`,
	`{}`,
	`{"media":[{"name":"outbound/held-ana/x","url":"","contentType":"image/png"}],"requestId":"r"}`,
	"{\"body\":\"\xff\xfe\"}",
	"{\"body\":\"caf\xc3\"}",
	`{"body":"\ud83d"}`,
	"{\"body\":\"Hi \xff\",\"requestId\":\"r-utf8\"}",
	"{\"body\":\"Hi\",\"requestId\":\"r-utf8\",\"media\":[{\"name\":\"outbound/held-ana/\xe9\"}]}",
	`{"name": "Tech", "keywords": ["STOP"]}`,
	`{"parentId": "en", "name": "Tech", "order": 2, "keywords": ["1"]}`,
	`{"name": "Tech", "timeouts": {"queueMinutes": 0.5}}`,
	`{"channelEnabled": true, "timeouts": {"expiryMinutes": 20000}}`,
	`{"channelEnabled": true, "backWords": ["STOP"]}`,
	`{"provider": "twilio", "entryQueue": "nope", "enabled": true}`,
	`{"e164": "(415) 555-0102", "provider": "twilio", "entryQueue": "c", "enabled": true}`,
	`{"name": "Ana García", "capacity": 3, "languages": ["en", "es"], "load": 0}`,
	`{"name": "Tech"} {"name": "Other"}`,
	`null`,
	``,
	`{"settings": {"channelEnabled": true}, "numbers": [{"e164": "+14155550101", "provider": "twilio", "entryQueue": "q"}], "queues": [{"id": "q", "name": "Q"}], "agents": []}`,
	`{
  "settings": {"channelEnabled": true, "program": {"name": "Acme"}, "defaultLanguage": "en",
               "backWords": ["PREVIOUS"], "timeouts": {"queueMinutes": 30}},
  "numbers": [{"e164": "+14155550101", "provider": "twilio", "entryQueue": "en", "language": "en", "enabled": true}],
  "queues": [
    {"id": "en", "name": "English", "order": 1, "language": "en"},
    {"id": "a", "parentId": "en", "name": "Billing", "order": 1, "keywords": ["1"], "teams": ["t1"],
     "messages": {"en": {"waiting": "Hold on!"}}}
  ],
  "teams": [{"id": "t1", "name": "Billing team", "members": ["ana"]}],
  "agents": [{"id": "ana", "name": "Ana", "status": "available", "capacity": 2}]
}`,
}

// FuzzDecodeStrict: whatever the body, DecodeStrict does not panic, refuses
// every body that is not UTF-8, and accepts no body whose strings would
// decode to a U+FFFD the sender did not write; a well-formed document in
// UTF-8 without surrogate escapes is accepted where any JSON is (a
// json.RawMessage: into an any, a number may overflow float64).
func FuzzDecodeStrict(f *testing.F) {
	for _, s := range fuzzSeeds {
		f.Add([]byte(s))
	}
	f.Fuzz(func(t *testing.T, body []byte) {
		targets := []any{new(reply), new(chat.Config), new(chat.Queue), new(any)}
		for _, v := range targets {
			problems := httpapi.DecodeStrict(body, v)
			if len(problems) > 0 {
				continue
			}
			if !utf8.Valid(body) {
				t.Fatalf("%q is not UTF-8 but decoded into %T", body, v)
			}
			if !json.Valid(body) {
				t.Fatalf("%q is not JSON but decoded into %T", body, v)
			}
			var doc any
			dec := json.NewDecoder(bytes.NewReader(body))
			dec.UseNumber()
			if err := dec.Decode(&doc); err != nil {
				t.Fatalf("%q decoded into %T, but not into any: %v", body, v, err)
			}
			if replaced(doc) && !sentReplacement(body) {
				t.Fatalf("%q decoded into %T with a U+FFFD the body does not hold", body, v)
			}
		}
		if json.Valid(body) && utf8.Valid(body) && !bytes.Contains(bytes.ToLower(body), []byte(`\ud`)) {
			var doc json.RawMessage
			if problems := httpapi.DecodeStrict(body, &doc); len(problems) > 0 {
				t.Fatalf("%q refused: %+v", body, problems)
			}
		}
	})
}

// replaced reports whether any string or member name of a decoded
// document holds U+FFFD.
func replaced(v any) bool {
	switch v := v.(type) {
	case string:
		return strings.ContainsRune(v, utf8.RuneError)
	case []any:
		for _, x := range v {
			if replaced(x) {
				return true
			}
		}
	case map[string]any:
		for k, x := range v {
			if replaced(k) || replaced(x) {
				return true
			}
		}
	}
	return false
}

// sentReplacement reports whether a body spells U+FFFD itself, raw or
// escaped.
func sentReplacement(body []byte) bool {
	return bytes.Contains(body, []byte("\uFFFD")) || bytes.Contains(bytes.ToLower(body), []byte(`\ufffd`))
}
