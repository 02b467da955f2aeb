package agentapi_test

import (
	"context"
	"encoding/json"
	"net/http"
	"slices"
	"strings"
	"testing"

	"github.com/smsdesk/smsdesk/functions/agentapi"
	"github.com/smsdesk/smsdesk/shared/chat"
)

// TestInvalidUTF8IsRefused: bytes that are not UTF-8 in a string member
// are refused with a 400 naming the member, not read as U+FFFD (which a
// reply would then send to the consumer). Issue 16, defect 4.
func TestInvalidUTF8IsRefused(t *testing.T) {
	tests := []struct {
		name, path, body, wantField string
	}{
		{"measuring", "/measure", "{\"body\":\"\xff\xfe\"}", "body"},
		{"measuring, a cut-short sequence mid-text", "/measure", "{\"body\":\"caf\xc3\"}", "body"},
		{"measuring, a lone surrogate escape", "/measure", `{"body":"\ud83d"}`, "body"},
		{"a reply", "/chats/held-ana/messages", "{\"body\":\"Hi \xff\",\"requestId\":\"r-utf8\"}", "body"},
		{"a reply's media name", "/chats/held-ana/messages", "{\"body\":\"Hi\",\"requestId\":\"r-utf8\",\"media\":[{\"name\":\"outbound/held-ana/\xe9\"}]}", "media[0].name"},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			x := newAPI(t)
			rec := x.do("ana", "POST", tc.path, tc.body)
			if rec.Code != http.StatusBadRequest {
				t.Fatalf("%d %s, want 400", rec.Code, rec.Body)
			}
			var e agentapi.ErrorBody
			if err := json.Unmarshal(rec.Body.Bytes(), &e); err != nil {
				t.Fatal(err)
			}
			if !slices.ContainsFunc(e.Problems, func(p chat.FieldError) bool {
				return p.Field == tc.wantField && strings.Contains(p.Message, "UTF")
			}) {
				t.Errorf("problems %+v do not name %s as not UTF-8", e.Problems, tc.wantField)
			}
			msgs, err := x.store.Messages(context.Background(), "held-ana")
			if err != nil {
				t.Fatal(err)
			}
			if len(msgs) != 1 {
				t.Errorf("held-ana has %d messages after a refused body, want the consumer's 1", len(msgs))
			}
		})
	}
}
