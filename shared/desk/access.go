package desk

import (
	"context"
	"fmt"
	"slices"

	"github.com/smsdesk/smsdesk/shared/chat"
	"github.com/smsdesk/smsdesk/shared/chat/access"
)

// viewChat loads a chat the viewer may see, with the routing tree. An
// unknown chat is store.ErrNotFound; one the viewer may not see, an *AccessError.
// An agent may read a chat they cannot see when they see another chat of
// its consumer (history), or when a note on it names them (a mention);
// acting on it is still refused by Authorize.
func (s *Service) viewChat(ctx context.Context, v access.Viewer, chatID string) (chat.Chat, *chat.Tree, error) {
	c, err := s.Store.Chat(ctx, chatID)
	if err != nil {
		return c, nil, fmt.Errorf("chat %s: %w", chatID, err)
	}
	tree, err := s.Trees.Tree(ctx)
	if err != nil {
		return c, nil, err
	}
	if access.CanSee(v, c, tree) {
		return c, tree, nil
	}
	ok, err := s.seesConsumer(ctx, v, c.Consumer, tree)
	if err != nil {
		return c, nil, err
	}
	if !ok {
		// A colleague's note named the viewer: they may read the chat.
		if ok, err = s.mentioned(ctx, v.AgentID, chatID); err != nil {
			return c, nil, err
		}
	}
	if !ok {
		return c, nil, access.Forbidden("chat %s is not yours: it is neither assigned nor offered to you, nor waiting in one of your queues", chatID)
	}
	return c, tree, nil
}

// historyLimit bounds the chats of one consumer that are listed, and
// searched for one the viewer sees.
const historyLimit = 50

// seesConsumer reports whether v sees one of a consumer's latest chats.
func (s *Service) seesConsumer(ctx context.Context, v access.Viewer, consumer string, tree *chat.Tree) (bool, error) {
	if v.Supervisor {
		return true, nil
	}
	if v.AgentID == "" || consumer == "" {
		return false, nil
	}
	cs, err := s.Store.ConsumerChats(ctx, consumer, historyLimit)
	if err != nil {
		return false, fmt.Errorf("chats of %s: %w", consumer, err)
	}
	return slices.ContainsFunc(cs, func(c chat.Chat) bool { return access.CanSee(v, c, tree) }), nil
}
