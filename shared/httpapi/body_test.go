package httpapi_test

import (
	"encoding/json"
	"net/http"
	"net/http/httptest"
	"slices"
	"strings"
	"testing"

	"github.com/smsdesk/smsdesk/shared/chat"
	"github.com/smsdesk/smsdesk/shared/httpapi"
)

// bodies are those of a small API: a Reply requires its requestId, an
// Import requires its settings and items and checks each item's name; an
// Import may be larger.
var bodies = httpapi.Bodies{
	MaxBytes: 64,
	Limits:   map[string]int64{"Import": 256},
	Required: map[string][]string{
		"Reply":    {"requestId"},
		"Import":   {"settings", "items"},
		"Settings": {"enabled"},
		"Item":     {"name"},
	},
	Nested: map[string][]httpapi.Nested{"Import": {
		{Member: "settings", Schema: "Settings"},
		{Member: "items", Schema: "Item", List: true},
	}},
}

type replyBody struct {
	Body      string `json:"body"`
	RequestID string `json:"requestId"`
}

type importBody struct {
	Settings *struct {
		Enabled bool `json:"enabled"`
	} `json:"settings"`
	Items []struct {
		Name string `json:"name"`
	} `json:"items"`
}

func TestBodies(t *testing.T) {
	tests := []struct {
		name, schema, contentType, body string
		optional                        bool
		want                            int
		wantError                       string
		wantFields                      []string // the problems' fields, in order
	}{
		{"a reply", "Reply", "application/json", `{"body":"hi","requestId":"r"}`, false, 200, "", nil},
		{"a +json type with a charset", "Reply", "application/merge-patch+json; charset=utf-8", `{"requestId":"r"}`, false, 200, "", nil},
		{"no content type", "Reply", "", `{"requestId":"r"}`, false, 200, "", nil},
		{"a form", "Reply", "application/x-www-form-urlencoded", `requestId=r`, false, 415, "send the body as application/json, not application/x-www-form-urlencoded", nil},
		{"over the limit", "Reply", "", `{"requestId":"r","body":"` + strings.Repeat("x", 64) + `"}`, false, 413, "the body is larger than 64 bytes", nil},
		{"within a schema's own limit", "Import", "", `{"settings":{"enabled":true},"items":[{"name":"` + strings.Repeat("x", 64) + `"}]}`, false, 200, "", nil},
		{"a required member missing", "Reply", "", `{"body":"hi"}`, false, 400, "the body lacks required members", []string{"requestId"}},
		{"an unknown member", "Reply", "", `{"requestId":"r","bodyy":"hi"}`, false, 400, "the body is not a valid Reply document", []string{"bodyy"}},
		{"invalid UTF-8", "Reply", "", "{\"requestId\":\"r\",\"body\":\"\xff\"}", false, 400, "the body is not a valid Reply document", []string{"body"}},
		{"null", "Reply", "", `null`, false, 400, "the body must be a JSON object", []string{""}},
		{"an empty body", "Reply", "", ``, false, 400, "the body is not a valid Reply document", []string{""}},
		{"an empty optional body", "Reply", "", ``, true, 200, "", nil},
		{"an optional body, given", "Reply", "", `{"body":"hi"}`, true, 400, "the body lacks required members", []string{"requestId"}},
		{"members where none are taken", "", "", `{"force":true}`, true, 400, "the body is not empty (this request takes no members)", []string{"force"}},
		{"an empty object where none are taken", "", "", `{}`, true, 200, "", nil},
		{"nested required members", "Import", "", `{"settings":{},"items":[{"name":"a"},{}]}`, false, 400, "the body lacks required members", []string{"settings.enabled", "items[1].name"}},
		{"nested null", "Import", "", `{"settings":null,"items":[null]}`, false, 400, "the body lacks required members", []string{"settings", "items[0]"}},
		{"required members at the top first", "Import", "", `{"items":[{}]}`, false, 400, "the body lacks required members", []string{"settings", "items[0].name"}},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			req := httptest.NewRequest("POST", "/x", strings.NewReader(tc.body))
			if tc.contentType != "" {
				req.Header.Set("Content-Type", tc.contentType)
			}
			rec := httptest.NewRecorder()
			var ok bool
			switch {
			case tc.schema == "":
				ok = bodies.DecodeEmpty(rec, req)
			case tc.schema == "Import":
				var v importBody
				ok = bodies.Decode(rec, req, tc.schema, &v)
			case tc.optional:
				var v replyBody
				ok = bodies.DecodeOptional(rec, req, tc.schema, &v)
			default:
				var v replyBody
				ok = bodies.Decode(rec, req, tc.schema, &v)
			}
			if tc.want == 200 {
				if !ok || rec.Body.Len() != 0 {
					t.Fatalf("refused: %d %s", rec.Code, rec.Body)
				}
				return
			}
			if ok {
				t.Fatal("accepted")
			}
			var e httpapi.ErrorBody
			if err := json.Unmarshal(rec.Body.Bytes(), &e); err != nil {
				t.Fatalf("%s: %v", rec.Body, err)
			}
			var fields []string
			for _, p := range e.Problems {
				fields = append(fields, p.Field)
			}
			if rec.Code != tc.want || e.Error != tc.wantError || !slices.Equal(fields, tc.wantFields) {
				t.Errorf("%d %q fields %q, want %d %q fields %q", rec.Code, e.Error, fields, tc.want, tc.wantError, tc.wantFields)
			}
			if rec.Header().Get("Cache-Control") != "no-store" || rec.Header().Get("Content-Type") != "application/json" {
				t.Errorf("headers %v", rec.Header())
			}
		})
	}
}

// Problems are ErrorBody's problems, as chat defines them.
var _ []chat.FieldError = httpapi.ErrorBody{}.Problems

func TestNoContent(t *testing.T) {
	rec := httptest.NewRecorder()
	httpapi.NoContent(rec)
	if rec.Code != http.StatusNoContent || rec.Header().Get("Cache-Control") != "no-store" || rec.Body.Len() != 0 {
		t.Errorf("%d %v %q", rec.Code, rec.Header(), rec.Body)
	}
}
