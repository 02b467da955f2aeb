package adminapi_test

import (
	"net/http"
	"strings"
	"testing"

	"github.com/google/go-cmp/cmp"
)

// TestInvalidUTF8IsRefused: a document whose text is not UTF-8 is refused
// with a 400 naming the member, and nothing is saved, where encoding/json
// would store U+FFFD (a queue name the consumer reads in the menu).
func TestInvalidUTF8IsRefused(t *testing.T) {
	tests := []struct {
		name, method, path, body, wantField string
	}{
		{"a queue's name", "PUT", "/queues/c", "{\"name\": \"Te\xffch\"}", "name"},
		{"a queue's message", "PUT", "/queues/c", "{\"name\": \"Tech\", \"messages\": {\"en\": {\"waiting\": \"Un momento \xe9\"}}}", "messages.en.waiting"},
		{"a queue in an import", "PUT", "/config", "{\"settings\": {\"channelEnabled\": true}, \"numbers\": [], \"queues\": [{\"id\": \"q\", \"name\": \"Q\"}, {\"id\": \"r\", \"name\": \"\xc3\"}], \"agents\": []}", "queues[1].name"},
		{"a lone surrogate in the settings", "PUT", "/settings", `{"channelEnabled": true, "program": {"name": "Acme \ud83d"}}`, "program.name"},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			e := newEnv(t)
			before := e.config()
			rec := e.do(tc.method, tc.path, tc.body)
			if rec.Code != http.StatusBadRequest {
				t.Fatalf("%d %s, want 400", rec.Code, rec.Body)
			}
			b := decodeError(t, rec)
			if len(b.Problems) != 1 || b.Problems[0].Field != tc.wantField || !strings.Contains(b.Problems[0].Message, "UTF") {
				t.Errorf("problems %+v, want one naming %s as not UTF-8", b.Problems, tc.wantField)
			}
			if diff := cmp.Diff(before, e.config()); diff != "" {
				t.Errorf("a refused document changed the configuration (-before +after):\n%s", diff)
			}
		})
	}
}
