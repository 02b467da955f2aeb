package httpapi_test

import (
	"strings"
	"testing"

	"github.com/smsdesk/smsdesk/shared/chat"
	"github.com/smsdesk/smsdesk/shared/httpapi"
)

// reply is a request body with the shapes the APIs take: strings, a
// number, a list of objects, a map.
type reply struct {
	Name   string            `json:"name"`
	Count  int               `json:"count"`
	Score  float64           `json:"score"`
	Body   string            `json:"body"`
	Media  []chat.Media      `json:"media"`
	Labels map[string]string `json:"labels"`
}

func TestDecodeStrict(t *testing.T) {
	tests := []struct {
		name, body, wantField, wantMessage string
		want                               reply // when accepted
	}{
		{"a document", `{"name":"a","count":2}`, "", "", reply{Name: "a", Count: 2}},
		{"an empty body", ``, "", "the body is empty", reply{}},
		{"cut short", `{"name":"a"`, "", "cut short", reply{}},
		{"malformed", `{"name":"a",}`, "", "malformed JSON at byte", reply{}},
		{"a wrong type", `{"name":"a","count":"two"}`, "count", "got string, want an integer", reply{}},
		{"a wrong type, nested", `{"media":[{"size":"big"}]}`, "media.size", "want an integer", reply{}},
		{"a fraction for an integer", `{"count":1.5}`, "count", "got number 1.5, want an integer", reply{}},
		{"an integer too large", `{"count":123456789012345678901234567890}`, "count", "number 12345678901234567890… is out of range", reply{}},
		{"a number too large", `{"score":-1e400}`, "score", "number -1e400 is out of range", reply{}},
		{"an unknown member", `{"name":"a","colour":"red"}`, "colour", "unknown member", reply{}},
		{"two documents", `{"name":"a"} {"name":"b"}`, "", "more than one JSON document", reply{}},

		// Text that is not Unicode is refused, naming the member, where
		// encoding/json would read U+FFFD.
		{"invalid UTF-8", "{\"body\":\"\xff\xfe\"}", "body", "holds 0xff at byte 9, which is not UTF-8", reply{}},
		{"invalid UTF-8 after valid text", "{\"name\":\"ok\",\"body\":\"caf\xc3 au lait\"}", "body", "holds 0xc3 at byte 24, which is not UTF-8", reply{}},
		{"invalid UTF-8 in a nested member", "{\"media\":[{\"name\":\"a\"},{\"name\":\"x\",\"contentType\":\"image/\xe9\"}]}", "media[1].contentType", "not UTF-8", reply{}},
		{"invalid UTF-8 in a map value", "{\"labels\":{\"k\":\"\x80\"}}", "labels.k", "not UTF-8", reply{}},
		{"invalid UTF-8 in a member name", "{\"media\":[{\"n\xffame\":\"a\"}]}", "media[0]", "a member name holds", reply{}},
		{"invalid UTF-8 in an unknown member", "{\"colour\":\"r\xffd\"}", "colour", "not UTF-8", reply{}},
		{"UTF-8 of a surrogate", "{\"body\":\"\xed\xa0\x80\"}", "body", "not UTF-8", reply{}},
		{"a lone high surrogate escape", `{"body":"smile \ud83d"}`, "body", `holds \ud83d at byte 15, half of a UTF-16 surrogate pair`, reply{}},
		{"a lone low surrogate escape", `{"body":"\uDE00 x"}`, "body", `\ude00 at byte 9, half`, reply{}},
		{"two high surrogates", `{"body":"\ud83d\ud83d\ude00"}`, "body", `\ud83d`, reply{}},
		{"a surrogate pair", `{"body":"\ud83d\ude00 \u00e9"}`, "", "", reply{Body: "😀 é"}},
		{"an escaped backslash before ud800", `{"body":"\\ud800"}`, "", "", reply{Body: `\ud800`}},
		{"a real U+FFFD", `{"body":"\ufffd �"}`, "", "", reply{Body: "\ufffd \ufffd"}},
		{"text in UTF-8", `{"body":"Olá 😀 €"}`, "", "", reply{Body: "Olá 😀 €"}},
		{"invalid UTF-8 outside strings is malformed", "{\"count\":1\xff}", "", "malformed JSON", reply{}},
		{"malformed before the invalid bytes", "{\"count\":,\"body\":\"\xff\"}", "", "malformed JSON", reply{}},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			var got reply
			problems := httpapi.DecodeStrict([]byte(tc.body), &got)
			if tc.wantMessage == "" {
				if len(problems) != 0 {
					t.Fatalf("%q refused: %+v", tc.body, problems)
				}
				if got.Name != tc.want.Name || got.Count != tc.want.Count || got.Body != tc.want.Body {
					t.Errorf("decoded %+v, want %+v", got, tc.want)
				}
				return
			}
			if len(problems) != 1 || problems[0].Field != tc.wantField || !strings.Contains(problems[0].Message, tc.wantMessage) {
				t.Errorf("%q: %+v, want %q: ...%s...", tc.body, problems, tc.wantField, tc.wantMessage)
			}
		})
	}
}
