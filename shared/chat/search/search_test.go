package search

import (
	"fmt"
	"slices"
	"strings"
	"testing"
	"time"

	"github.com/smsdesk/smsdesk/shared/chat"
)

func TestIndexKeepsPreviewCountAndTokens(t *testing.T) {
	at := time.Date(2026, 12, 1, 10, 0, 0, 0, time.UTC)
	c := chat.Chat{Consumer: "+14155550181"}
	Index(&c, []chat.Message{
		{Author: chat.AuthorSystem, Body: "Text 1 for Billing", CreatedAt: at},
		{Author: chat.AuthorConsumer, Body: "¿Dónde está mi reembolso?", CreatedAt: at},
		{Author: chat.AuthorAgent, Body: "Your refund went out today", CreatedAt: at.Add(time.Minute)},
		{Author: chat.AuthorSystem, Body: "Ana will chat with you", CreatedAt: at.Add(2 * time.Minute)},
	})
	if c.LastBody != "Your refund went out today" || c.LastAuthor != chat.AuthorAgent || !c.LastAt.Equal(at.Add(time.Minute)) {
		t.Errorf("preview %q by %s at %v", c.LastBody, c.LastAuthor, c.LastAt)
	}
	if c.Inbound != 1 {
		t.Errorf("inbound %d, want 1", c.Inbound)
	}
	for _, want := range []string{"14155550181", "4155550181", "5550181", "0181", "don", "dond", "donde", "reembolso", "ree", "ref", "refund", "today"} {
		if !slices.Contains(c.SearchTokens, want) {
			t.Errorf("tokens lack %q", want)
		}
	}
	for _, no := range []string{"billing", "ana", "mi", "re"} {
		if slices.Contains(c.SearchTokens, no) {
			t.Errorf("tokens hold %q (system texts and short words are not indexed)", no)
		}
	}
}

func TestIndexIsBounded(t *testing.T) {
	c := chat.Chat{Consumer: "+14155550181"}
	for i := range 1000 {
		Index(&c, []chat.Message{{Author: chat.AuthorConsumer, Body: fmt.Sprintf("word%04d", i)}})
	}
	if len(c.SearchTokens) > MaxTokens {
		t.Errorf("%d tokens, at most %d", len(c.SearchTokens), MaxTokens)
	}
	if !slices.Contains(c.SearchTokens, "0181") || !slices.Contains(c.SearchTokens, "word0999") {
		t.Error("the number or the newest words were dropped")
	}
	if slices.Contains(c.SearchTokens, "word0000") {
		t.Error("the oldest words were kept over the newest")
	}
}

func TestQuery(t *testing.T) {
	for _, tc := range []struct {
		text, token string
		terms       []string
		ok          bool
	}{
		{"refund", "refund", []string{"refund"}, true},
		{"Reembolsó tarde", "reembolso", []string{"reembolso", "tarde"}, true},
		{"+1 (415) 555-0181", "14155550181", []string{"14155550181"}, true},
		{"0181", "0181", []string{"0181"}, true},
		{"extraordinarily", "extraordinar", []string{"extraordinar"}, true},
		{"hi", "", nil, false},
		{"12", "", nil, false},
	} {
		token, terms, ok := Query(tc.text)
		if token != tc.token || !slices.Equal(terms, tc.terms) || ok != tc.ok {
			t.Errorf("Query(%q) = %q %q %v, want %q %q %v", tc.text, token, terms, ok, tc.token, tc.terms, tc.ok)
		}
	}
	c := chat.Chat{Consumer: "+14155550181"}
	Index(&c, []chat.Message{{Author: chat.AuthorConsumer, Body: strings.Repeat("x", 3) + " refund late"}})
	_, terms, _ := Query("late refund")
	if !Matches(c, terms) {
		t.Errorf("%q does not match %q", terms, c.SearchTokens)
	}
	_, terms, _ = Query("refund early")
	if Matches(c, terms) {
		t.Error("a chat without every term matches")
	}
}
