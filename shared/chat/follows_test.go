package chat

import (
	"testing"
	"time"
)

// TestFollowsConsumer: an outbound message records whether the message
// before it is the consumer's, within one change and across changes (the
// chat's tail author), so SendSMS reads the previous message only when a
// text of the chat may be ahead of it.
func TestFollowsConsumer(t *testing.T) {
	now := time.Date(2026, 12, 1, 9, 0, 0, 0, time.UTC)
	tests := []struct {
		name string
		tail Author // the chat's last message before the change
		add  []Author
		want []bool // per added message; consumer messages are never sent
	}{
		{"first text, opt-in, menu", "", []Author{AuthorConsumer, AuthorSystem, AuthorSystem}, []bool{false, true, false}},
		{"agent reply to the consumer's text", AuthorConsumer, []Author{AuthorAgent}, []bool{true}},
		{"agent's second reply in a row", AuthorAgent, []Author{AuthorAgent}, []bool{false}},
		{"system text after a system text", AuthorSystem, []Author{AuthorSystem}, []bool{false}},
		{"chat from before the tail was kept", "", []Author{AuthorAgent}, []bool{false}},
		{"consumer text then the agent-assigned text", AuthorSystem, []Author{AuthorConsumer, AuthorSystem}, []bool{false, true}},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			ch := Begin(Chat{ID: "c1", NextSeq: 5, TailAuthor: tc.tail}, nil, now, "test")
			for _, a := range tc.add {
				ch.append(Message{Author: a, Kind: KindText, Body: "x"})
			}
			for i, m := range ch.Messages {
				if m.FollowsConsumer != tc.want[i] {
					t.Errorf("message %d (%s): FollowsConsumer %v, want %v", i, m.Author, m.FollowsConsumer, tc.want[i])
				}
			}
			if last := tc.add[len(tc.add)-1]; ch.Chat.TailAuthor != last {
				t.Errorf("tail author %q, want %q", ch.Chat.TailAuthor, last)
			}
		})
	}
}
