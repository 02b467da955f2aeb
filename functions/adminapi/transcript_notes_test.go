package adminapi_test

import (
	"context"
	"strings"
	"testing"
	"time"

	"github.com/smsdesk/smsdesk/shared/chat"
	"github.com/smsdesk/smsdesk/shared/store"
)

// A chat's private notes and wrap-up code are in both exports, the notes
// marked internal.
func TestTranscriptCarriesNotesAndWrapUpCode(t *testing.T) {
	e := newEnv(t)
	ctx := context.Background()
	at := time.Date(2026, 12, 1, 10, 0, 0, 0, time.UTC)
	c := chat.Chat{ID: "c1", Number: "+14155550101", Consumer: "+14155550142", Language: "en", QueueID: "c", Status: chat.StatusEnded,
		StartType: chat.StartInbound, NextSeq: 2, AgentID: "ana", WrapUp: "card refunded", WrapUpCode: "Refund issued", Labels: []string{"vip"}}
	if err := e.store.RunTx(ctx, func(tx store.Tx) error {
		tx.PutChat(c)
		tx.PutMessage(chat.Message{ChatID: "c1", Seq: 1, Author: chat.AuthorConsumer, Kind: chat.KindText, Body: "hi"})
		return nil
	}); err != nil {
		t.Fatal(err)
	}
	if _, _, err := e.store.AddNote(ctx, store.Note{ID: "n1", ChatID: "c1", AuthorID: "ana", AuthorName: "Ana García",
		Body: "Refund approved by @ben", Mentions: []string{"ben"}, CreatedAt: at}, c.Consumer); err != nil {
		t.Fatal(err)
	}
	for _, tc := range []struct {
		path string
		want []string
	}{
		{"/AdminAPI/chats/c1/transcript.json", []string{`"wrapUpCode":"Refund issued"`, `"notes":[{"seq":1,"authorId":"ana","authorName":"Ana García","body":"Refund approved by @ben","mentions":["ben"]`}},
		{"/AdminAPI/chats/c1/transcript.txt", []string{"Wrap-up code: Refund issued\n", "Labels: vip\n", "Internal notes (the team's; not sent to the consumer)\n",
			"note 1 by Ana García (ana) [internal]: Refund approved by @ben\n"}},
	} {
		rec := e.do("GET", tc.path, "")
		for _, w := range tc.want {
			if !strings.Contains(rec.Body.String(), w) {
				t.Errorf("%s: body lacks %q:\n%s", tc.path, w, rec.Body)
			}
		}
	}
}
