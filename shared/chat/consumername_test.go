package chat

import "testing"

// TestConsumerFirstNameInSystemMessages: @{CONSUMER_FIRST_NAME} in a
// system message renders the linked contact's first name the app gives
// the change, and nothing (never the placeholder) before one is linked.
func TestConsumerFirstNameInSystemMessages(t *testing.T) {
	for _, tc := range []struct{ name, given, want string }{
		{"linked", "Dee Lopez", "Bye Dee, thanks for texting Acme."},
		{"not linked yet", "", "Bye , thanks for texting Acme."},
	} {
		t.Run(tc.name, func(t *testing.T) {
			c := newConversation(t, "en", Agent{ID: "ana", Name: "Ana", Status: AgentAvailable, Capacity: 1, AutoAnswer: true})
			c.tree.Settings.Messages = map[string]map[string]string{"en": {string(MsgChatEnded): "Bye @{CONSUMER_FIRST_NAME}, thanks for texting @{PROGRAM}."}}
			c.text("hi")
			c.text("1")
			ch := c.change()
			ch.ConsumerFirstName = tc.given
			if err := ch.Finish("ana", ""); err != nil {
				t.Fatal(err)
			}
			var got string
			for _, m := range ch.Messages {
				if m.Kind == KindChatEnded {
					got = m.Body
				}
			}
			if got != tc.want {
				t.Fatalf("chat ended text %q, want %q", got, tc.want)
			}
		})
	}
}
