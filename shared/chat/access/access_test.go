package access_test

import (
	"errors"
	"slices"
	"testing"

	"github.com/smsdesk/smsdesk/shared/chat"
	"github.com/smsdesk/smsdesk/shared/chat/access"
)

// Ana and Ben work Billing; Carla works Support; the supervisor works none.
func tree() *chat.Tree {
	return chat.NewTree(chat.DefaultSettings(), []chat.Queue{
		{ID: "billing", Name: "Billing", Agents: []string{"ana", "ben"}},
		{ID: "support", Name: "Support", Agents: []string{"carla"}},
	}, nil)
}

var (
	ana        = access.Viewer{UID: "u-ana", AgentID: "ana"}
	ben        = access.Viewer{UID: "u-ben", AgentID: "ben"}
	carla      = access.Viewer{UID: "u-carla", AgentID: "carla"}
	supervisor = access.Viewer{UID: "u-sup", Supervisor: true}
	// A supervisor who also takes chats, in Billing.
	supervisingBen = access.Viewer{UID: "u-ben", AgentID: "ben", Supervisor: true}
)

func TestAuthorizeTake(t *testing.T) {
	waiting := chat.Chat{ID: "w", QueueID: "billing", Status: chat.StatusQueued}
	offeredToBen := waiting
	offeredToBen.Offer = &chat.Offer{AgentID: "ben"}
	active := waiting
	active.Status, active.AgentID = chat.StatusActive, "ben"
	ended := waiting
	ended.Status = chat.StatusEnded
	tests := []struct {
		name      string
		v         access.Viewer
		c         chat.Chat
		wantActor string
		wantErr   error
	}{
		{"a chat waiting in my queue", ana, waiting, "ana", nil},
		{"a chat of my queue offered to a colleague", ana, offeredToBen, "ana", nil},
		{"a chat offered to me (taking it accepts it)", ben, offeredToBen, "ben", nil},
		{"a supervisor who works the queue", supervisingBen, waiting, "ben", nil},
		{"a chat of another queue", carla, waiting, "", access.ErrForbidden},
		{"a supervisor with no agent id", supervisor, waiting, "", access.ErrForbidden},
		{"a chat of my queue an agent took", ana, active, "", chat.ErrNotWaiting},
		{"a chat of another queue an agent took", carla, active, "", access.ErrForbidden},
		{"an ended chat of my queue", ana, ended, "", chat.ErrChatEnded},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			actor, err := access.Authorize(tc.v, tc.c, tree(), access.ActTake)
			if actor != tc.wantActor || !errors.Is(err, tc.wantErr) || (err == nil) != (tc.wantErr == nil) {
				t.Errorf("Authorize = %q, %v; want %q, %v", actor, err, tc.wantActor, tc.wantErr)
			}
			if tc.wantErr != nil && errors.Is(tc.wantErr, access.ErrForbidden) == chat.IsStateError(err) {
				t.Errorf("%v: a refusal must be either forbidden (403) or a state error (409)", err)
			}
		})
	}
}

func TestAllowedListsTake(t *testing.T) {
	waiting := chat.Chat{ID: "w", QueueID: "billing", Status: chat.StatusQueued}
	offeredToBen := waiting
	offeredToBen.Offer = &chat.Offer{AgentID: "ben"}
	tests := []struct {
		name string
		v    access.Viewer
		c    chat.Chat
		want []access.Action
	}{
		{"a chat waiting in my queue", ana, waiting, []access.Action{access.ActTake}},
		{"a colleague's offer in my queue", ana, offeredToBen, []access.Action{access.ActTake}},
		{"my own offer: accept, not take", ben, offeredToBen, []access.Action{access.ActAccept, access.ActDecline}},
		{"a chat of another queue", carla, waiting, []access.Action{}},
		{"a supervisor watching a waiting chat", supervisor, waiting, []access.Action{}},
	}
	for _, tc := range tests {
		if got := access.Allowed(tc.v, tc.c, tree()); !slices.Equal(got, tc.want) {
			t.Errorf("%s: Allowed = %v, want %v", tc.name, got, tc.want)
		}
	}
}
