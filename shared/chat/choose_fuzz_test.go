package chat

import (
	"strings"
	"testing"
	"unicode/utf8"

	"github.com/smsdesk/smsdesk/shared/sms"
)

// FuzzChoose checks the menu matcher on any reply and any keyword: it
// never panics; an option it picks has a word the reply normalises to; and
// a keyword, typed in another case or with space and punctuation around
// it, picks its option unless an earlier option already answers to it.
func FuzzChoose(f *testing.F) {
	for _, seed := range [][3]string{
		{"2", "MOVIL", "móvil"}, {"Billing", "FACTURACION", "facturación"}, {" 1. ", "SALES", "sales!"},
		{"ＳＴＯＰ", "STOP", "stop"}, {"", "", ""}, {"\xff", "a\xffb", "A\xffB"}, {"ınfo", "INFO", "info"},
	} {
		f.Add(seed[0], seed[1], seed[2])
	}
	f.Fuzz(func(t *testing.T, reply, keyword, name string) {
		options := []MenuOption{
			{Key: "1", Queue: Queue{ID: "first", Name: "Sales"}},
			{Key: keyword, Queue: Queue{ID: "second", Name: name, Keywords: []string{keyword}}},
		}
		if q, ok := Choose(options, reply); ok {
			norm := sms.NormalizeWord(reply)
			found := false
			for i, o := range options {
				if o.Queue.ID != q.ID {
					continue
				}
				for _, w := range o.MatchWords(i + 1) {
					found = found || sms.NormalizeWord(w) == norm
				}
			}
			if !found || norm == "" {
				t.Fatalf("Choose(%q) picked %q, which has no word %q normalises to", reply, q.ID, reply)
			}
		}
		if !utf8.ValidString(keyword) || sms.NormalizeWord(keyword) == "" {
			return
		}
		earlier := false
		for _, w := range options[0].MatchWords(1) {
			earlier = earlier || sms.NormalizeWord(w) == sms.NormalizeWord(keyword)
		}
		if earlier {
			return
		}
		for _, typed := range []string{keyword, strings.ToUpper(keyword), strings.ToLower(keyword), "  " + keyword + " !"} {
			if q, ok := Choose(options, typed); !ok || q.ID != "second" {
				t.Fatalf("keyword %q typed as %q picked %q (%v)", keyword, typed, q.ID, ok)
			}
		}
	})
}
