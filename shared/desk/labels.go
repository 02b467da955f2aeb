package desk

import (
	"context"
	"fmt"
	"slices"
	"strings"

	"github.com/smsdesk/smsdesk/shared/chat"
	"github.com/smsdesk/smsdesk/shared/chat/access"
	"github.com/smsdesk/smsdesk/shared/store"
)

// Labels tag chats for the inbox's filter, as Chatwoot's do: the business
// configures a list (settings.labels) the console offers, and agents may
// add labels of their own. A label is lowercase without spaces; what an
// agent types is folded to that ("Needs Refund" → "needs-refund").

// MaxLabelsPerChat bounds a chat's labels.
const MaxLabelsPerChat = 20

// NormalizeLabel folds typed text to a label: trimmed, lowercase, runs of
// spaces as one '-'.
func NormalizeLabel(s string) string {
	return strings.Join(strings.Fields(strings.ToLower(s)), "-")
}

// Labels are the configured labels, in the configured order.
func (s *Service) Labels(ctx context.Context) ([]string, error) {
	tree, err := s.Trees.Tree(ctx)
	if err != nil {
		return nil, err
	}
	return orEmpty(slices.Clone(tree.Settings.Labels)), nil
}

// EditLabels adds and removes labels of a chat the viewer sees (holds,
// is offered, waits in their queue; supervisors any). It changes nothing
// else: the chat's version, which its timers are armed with, stays.
func (s *Service) EditLabels(ctx context.Context, v access.Viewer, chatID string, add, remove []string) (chat.Chat, error) {
	for i := range add {
		l := NormalizeLabel(add[i])
		if !chat.LabelPattern.MatchString(l) {
			return chat.Chat{}, invalid(fmt.Sprintf("add[%d]", i), "%q is not a label: letters, digits, '-' and '_', up to 32", add[i])
		}
		add[i] = l
	}
	for i := range remove {
		remove[i] = NormalizeLabel(remove[i])
	}
	if len(add) == 0 && len(remove) == 0 {
		return chat.Chat{}, invalid("add", "name a label to add or to remove")
	}
	tree, err := s.Trees.Tree(ctx)
	if err != nil {
		return chat.Chat{}, err
	}
	var out chat.Chat
	err = s.Store.RunTx(ctx, func(tx store.Tx) error {
		c, err := tx.Chat(chatID)
		if err != nil {
			return fmt.Errorf("chat %s: %w", chatID, err)
		}
		if !access.CanSee(v, c, tree) {
			return access.Forbidden("chat %s is not yours: only its agent, the agents it waits for and supervisors label it", chatID)
		}
		labels := slices.DeleteFunc(slices.Clone(c.Labels), func(l string) bool { return slices.Contains(remove, l) })
		for _, l := range add {
			if !slices.Contains(labels, l) {
				labels = append(labels, l)
			}
		}
		if len(labels) > MaxLabelsPerChat {
			return invalid("add", "a chat has at most %d labels", MaxLabelsPerChat)
		}
		if !slices.Equal(labels, c.Labels) {
			c.Labels = labels
			tx.PutChat(c)
		}
		out = c
		return nil
	})
	return out, err
}
