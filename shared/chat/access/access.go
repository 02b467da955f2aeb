// Package access is who may see and act on which chat: the rules every
// caller (AgentAPI today, others later) applies, decided from the chat as
// stored and the routing tree, with no I/O.
package access

import (
	"errors"
	"fmt"
	"slices"

	"github.com/smsdesk/smsdesk/shared/chat"
)

// Who may see and act on which chat. The rules live here, not in the
// transport, so every caller (AgentAPI today, others later) applies the
// same ones:
//
//   - Supervisors (and admins, who act as supervisors) see every chat.
//   - An agent sees a chat assigned to them (held, or ended while they held
//     it), offered to them (a waiting chat, or a transfer to them), waiting
//     without an agent in a queue they work, or one they held before and
//     transferred on. An agent may also read the other chats of a consumer
//     whose chat they see (the consumer's history), but not act on them.
//   - Accepting and declining need the offer to be the viewer's own.
//     Taking needs the chat to wait in a queue the viewer works as an agent
//     (offered to someone else or to no one; the viewer's own offer is
//     taken by accepting it).
//     Replying needs the viewer to hold the chat. Transferring and ending
//     need the viewer to hold it, or a supervisor, who acts on the holding
//     agent's behalf.
//
// A refused request is an *AccessError (errors.Is ErrForbidden) naming the
// rule; a permitted one on a chat in the wrong state (ended, no longer
// offered, not yet accepted) is the domain's state error (chat.IsStateError).

// Viewer is who looks at or acts on chats, as the use cases need to know
// them: no token, no role names, just what decides access.
type Viewer struct {
	// UID identifies the person (recorded as who asked for a transfer).
	UID string
	// AgentID is the agents/{id} document the person works as; empty for a
	// supervisor or admin who takes no chats.
	AgentID string
	// Supervisor sees every chat and may transfer or end any active one.
	Supervisor bool
}

// ErrForbidden matches (errors.Is) every *AccessError.
var ErrForbidden = errors.New("forbidden")

// AccessError is a request the viewer may not make. Its message is meant
// for the person, as it is.
type AccessError struct{ Reason string }

func (e *AccessError) Error() string { return e.Reason }

// Is makes errors.Is(err, ErrForbidden) hold.
func (e *AccessError) Is(target error) bool { return target == ErrForbidden }

// Forbidden is an *AccessError with a formatted reason.
func Forbidden(format string, args ...any) error {
	return &AccessError{Reason: fmt.Sprintf(format, args...)}
}

// CanSee reports whether v may see chat c (see the rules above). tree
// tells which queues an agent works.
func CanSee(v Viewer, c chat.Chat, tree *chat.Tree) bool {
	if v.Supervisor {
		return true
	}
	me := v.AgentID
	if me == "" {
		return false
	}
	if c.AgentID == me || (c.Offer != nil && c.Offer.AgentID == me) {
		return true
	}
	if c.Status == chat.StatusQueued && tree != nil && slices.Contains(tree.QueuesOf(me), c.QueueID) {
		return true
	}
	return slices.ContainsFunc(c.Transfers, func(t chat.Transfer) bool { return t.FromAgent == me })
}

// Action is something a viewer does to a chat.
type Action string

// The actions on a chat, as the console offers them.
const (
	ActAccept   Action = "accept"
	ActDecline  Action = "decline"
	ActReply    Action = "reply"
	ActTransfer Action = "transfer"
	ActEnd      Action = "end"
	ActTake     Action = "take"
)

// Actions lists every action, in the order the console shows them.
var Actions = []Action{ActAccept, ActDecline, ActTake, ActReply, ActTransfer, ActEnd}

// Authorize decides whether v may do act on c now, and returns the agent
// the action is done as: the viewer's own agent, or for a supervisor
// transferring or ending a chat, the agent holding it. It returns an
// *AccessError when v may not, and a state error (IsStateError) when v
// may but the chat is not in a state that allows it.
func Authorize(v Viewer, c chat.Chat, tree *chat.Tree, act Action) (string, error) {
	me := v.AgentID
	switch act {
	case ActAccept, ActDecline:
		if c.Offer != nil && me != "" && c.Offer.AgentID == me {
			return me, nil
		}
		if me == "" {
			return "", Forbidden("only agents take chats; you have no agent id")
		}
		if !CanSee(v, c, tree) {
			return "", Forbidden("chat %s is not offered to you", c.ID)
		}
		if !c.Open() {
			return "", chat.ErrChatEnded
		}
		return "", fmt.Errorf("%w (it may have been taken or timed out)", chat.ErrNotOffered)
	case ActTake:
		return authorizeTake(v, c, tree)
	case ActReply, ActTransfer, ActEnd:
		if me != "" && c.Status == chat.StatusActive && c.AgentID == me {
			return me, nil
		}
		if v.Supervisor && act != ActReply {
			if !c.Open() {
				return "", chat.ErrChatEnded
			}
			if c.Status != chat.StatusActive {
				return "", fmt.Errorf("%w: only a chat an agent holds can be %s", chat.ErrNotAssigned, pastTense(act))
			}
			return c.AgentID, nil
		}
		if !CanSee(v, c, tree) {
			return "", Forbidden("chat %s is not yours: it is neither assigned nor offered to you, nor waiting in one of your queues", c.ID)
		}
		if !c.Open() {
			return "", chat.ErrChatEnded
		}
		if c.Status == chat.StatusActive && c.AgentID != me {
			return "", Forbidden("chat %s is held by agent %s; only the agent holding the chat can %s it", c.ID, c.AgentID, verb(act))
		}
		if c.Offer != nil && me != "" && c.Offer.AgentID == me {
			return "", fmt.Errorf("%w: accept the chat first", chat.ErrNotAssigned)
		}
		return "", Forbidden("only the agent holding the chat can %s it", verb(act))
	}
	return "", fmt.Errorf("unknown action %q", act)
}

func verb(act Action) string {
	if act == ActReply {
		return "reply in"
	}
	return string(act)
}

func pastTense(act Action) string {
	if act == ActTransfer {
		return "transferred"
	}
	return "ended"
}

// authorizeTake: an agent takes a chat waiting in one of their queues. The
// queue decides access (403); a chat of theirs that no longer waits is a
// state error (409), as the domain's Take would say.
func authorizeTake(v Viewer, c chat.Chat, tree *chat.Tree) (string, error) {
	me := v.AgentID
	switch {
	case me == "":
		return "", Forbidden("only agents take chats; you have no agent id")
	case tree == nil || !slices.Contains(tree.QueuesOf(me), c.QueueID):
		return "", Forbidden("chat %s is not waiting in one of your queues", c.ID)
	case !c.Open():
		return "", chat.ErrChatEnded
	case c.Status != chat.StatusQueued:
		return "", chat.ErrNotWaiting
	}
	return me, nil
}

// Allowed lists the actions v may take on c now. A chat offered to v lists
// accept, not take, though taking it would accept it.
func Allowed(v Viewer, c chat.Chat, tree *chat.Tree) []Action {
	out := []Action{}
	for _, act := range Actions {
		if act == ActTake && slices.Contains(out, ActAccept) {
			continue
		}
		if _, err := Authorize(v, c, tree, act); err == nil {
			out = append(out, act)
		}
	}
	return out
}
