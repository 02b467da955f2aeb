package httpx

import (
	"net/http"
	"net/http/httptest"
	"strings"
	"testing"
)

func TestDecodeStrict(t *testing.T) {
	type doc struct {
		Name  string `json:"name"`
		Count int    `json:"count"`
	}
	tests := []struct {
		body, wantField, wantMessage string
	}{
		{`{"name":"a","count":2}`, "", ""},
		{``, "", "the body is empty"},
		{`{"name":"a"`, "", "cut short"},
		{`{"name":"a",}`, "", "malformed JSON at byte"},
		{`{"name":"a","count":"two"}`, "count", "got string, want an integer"},
		{`{"name":"a","colour":"red"}`, "colour", "unknown member"},
		{`{"name":"a"} {"name":"b"}`, "", "more than one JSON document"},
	}
	for _, tc := range tests {
		var d doc
		problems := DecodeStrict([]byte(tc.body), &d)
		if tc.wantMessage == "" {
			if len(problems) != 0 {
				t.Errorf("%s: %v", tc.body, problems)
			}
			continue
		}
		if len(problems) != 1 || problems[0].Field != tc.wantField || !strings.Contains(problems[0].Message, tc.wantMessage) {
			t.Errorf("%s: %+v, want %s: ...%s...", tc.body, problems, tc.wantField, tc.wantMessage)
		}
	}
}

func TestStripFunctionPrefix(t *testing.T) {
	var got string
	h := StripFunctionPrefix("AgentAPI", http.HandlerFunc(func(_ http.ResponseWriter, r *http.Request) { got = r.URL.Path }))
	for path, want := range map[string]string{
		"/AgentAPI/chats/1": "/chats/1",
		"/AgentAPI":         "/",
		"/chats/1":          "/chats/1",
		"/AgentAPIx/chats":  "/AgentAPIx/chats",
	} {
		h.ServeHTTP(httptest.NewRecorder(), httptest.NewRequest("GET", path, nil))
		if got != want {
			t.Errorf("%s served as %s, want %s", path, got, want)
		}
	}
}
