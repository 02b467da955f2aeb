package httpx

import (
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
