package firestore

import (
	"context"
	"fmt"
	"time"

	gfs "cloud.google.com/go/firestore"
	"google.golang.org/grpc/codes"
	"google.golang.org/grpc/status"

	"github.com/smsdesk/smsdesk/shared/ivr/ivrrec"
)

// ivrCalls/{call id} is what the webhook remembers of a call and
// ivrAppTokens/{sha256 of the token} the app links' one-time tokens; both
// carry expireAt for their TTL policies (terraform/firestore.tf).
const (
	colIVRCalls     = "ivrCalls"
	colIVRAppTokens = "ivrAppTokens"
)

// callDoc and appTokenDoc are the records as stored; the id is the
// document's.
type callDoc struct {
	Session        string    `firestore:"session"`
	Caller         string    `firestore:"caller,omitempty"`
	IVRQueue       string    `firestore:"ivrQueue,omitempty"`
	WaitTimeAsked  bool      `firestore:"waitTimeAsked,omitempty"`
	WaitTimeAnswer string    `firestore:"waitTimeAnswer,omitempty"`
	WaitTimeChatID string    `firestore:"waitTimeChatId,omitempty"`
	AgentID        string    `firestore:"agentId,omitempty"`
	InCallChatID   string    `firestore:"inCallChatId,omitempty"`
	InCallNumber   string    `firestore:"inCallNumber,omitempty"`
	ConnectedAt    time.Time `firestore:"connectedAt,omitempty"`
	EndedAt        time.Time `firestore:"endedAt,omitempty"`
	CreatedAt      time.Time `firestore:"createdAt"`
	ExpireAt       time.Time `firestore:"expireAt"`
}

func toCallDoc(c ivrrec.Call) callDoc {
	return callDoc{Session: c.Session, Caller: c.Caller, IVRQueue: c.IVRQueue, WaitTimeAsked: c.WaitTimeAsked,
		WaitTimeAnswer: string(c.WaitTimeAnswer), WaitTimeChatID: c.WaitTimeChatID, AgentID: c.AgentID,
		InCallChatID: c.InCallChatID, InCallNumber: c.InCallNumber, ConnectedAt: c.ConnectedAt, EndedAt: c.EndedAt,
		CreatedAt: c.Created, ExpireAt: c.ExpireAt}
}

func utc(t time.Time) time.Time {
	if t.IsZero() {
		return time.Time{}
	}
	return t.UTC()
}

func (d callDoc) call(id string) ivrrec.Call {
	return ivrrec.Call{ID: id, Session: d.Session, Caller: d.Caller, IVRQueue: d.IVRQueue, WaitTimeAsked: d.WaitTimeAsked,
		WaitTimeAnswer: ivrrec.WaitTimeAnswer(d.WaitTimeAnswer), WaitTimeChatID: d.WaitTimeChatID, AgentID: d.AgentID,
		InCallChatID: d.InCallChatID, InCallNumber: d.InCallNumber, ConnectedAt: utc(d.ConnectedAt), EndedAt: utc(d.EndedAt),
		Created: utc(d.CreatedAt), ExpireAt: utc(d.ExpireAt)}
}

type appTokenDoc struct {
	CallID    string    `firestore:"callId"`
	AgentID   string    `firestore:"agentId,omitempty"`
	IVRQueue  string    `firestore:"ivrQueue,omitempty"`
	ChatID    string    `firestore:"chatId,omitempty"`
	CreatedAt time.Time `firestore:"createdAt"`
	ExpiresAt time.Time `firestore:"expiresAt"`
	UsedAt    time.Time `firestore:"usedAt,omitempty"`
	ExpireAt  time.Time `firestore:"expireAt"`
}

func toAppTokenDoc(t ivrrec.AppToken) appTokenDoc {
	return appTokenDoc{CallID: t.CallID, AgentID: t.AgentID, IVRQueue: t.IVRQueue, ChatID: t.ChatID,
		CreatedAt: t.Created, ExpiresAt: t.ExpiresAt, UsedAt: t.UsedAt, ExpireAt: t.ExpireAt}
}

func (d appTokenDoc) token(digest string) ivrrec.AppToken {
	return ivrrec.AppToken{Digest: digest, CallID: d.CallID, AgentID: d.AgentID, IVRQueue: d.IVRQueue, ChatID: d.ChatID,
		Created: utc(d.CreatedAt), ExpiresAt: utc(d.ExpiresAt), UsedAt: utc(d.UsedAt), ExpireAt: utc(d.ExpireAt)}
}

func (s *Store) Call(ctx context.Context, id string) (ivrrec.Call, error) {
	d, err := get[callDoc](ctx, s.client.Collection(colIVRCalls).Doc(id))
	if err != nil {
		return ivrrec.Call{}, err
	}
	return d.call(id), nil
}

func (s *Store) UpdateCall(ctx context.Context, id string, fn func(c *ivrrec.Call, found bool) error) (ivrrec.Call, error) {
	ref := s.client.Collection(colIVRCalls).Doc(id)
	var out ivrrec.Call
	err := s.client.RunTransaction(ctx, func(ctx context.Context, ft *gfs.Transaction) error {
		c, found := ivrrec.Call{ID: id}, false
		snap, err := ft.Get(ref)
		switch {
		case status.Code(err) == codes.NotFound:
		case err != nil:
			return err
		default:
			var d callDoc
			if err := snap.DataTo(&d); err != nil {
				return fmt.Errorf("decode %s: %w", ref.Path, err)
			}
			c, found = d.call(id), true
		}
		if err := fn(&c, found); err != nil {
			return err
		}
		out = c
		out.ID = id
		return ft.Set(ref, toCallDoc(c))
	})
	if err != nil {
		return ivrrec.Call{}, mapErr(err, "update "+ref.Path)
	}
	return out, nil
}

func (s *Store) PutAppToken(ctx context.Context, t ivrrec.AppToken) error {
	ref := s.client.Collection(colIVRAppTokens).Doc(t.Digest)
	if _, err := ref.Create(ctx, toAppTokenDoc(t)); err != nil {
		return mapErr(err, "create "+ref.Path)
	}
	return nil
}

func (s *Store) UpdateAppToken(ctx context.Context, digest string, fn func(t *ivrrec.AppToken) error) (ivrrec.AppToken, error) {
	ref := s.client.Collection(colIVRAppTokens).Doc(digest)
	var out ivrrec.AppToken
	err := s.client.RunTransaction(ctx, func(ctx context.Context, ft *gfs.Transaction) error {
		snap, err := ft.Get(ref)
		if err != nil {
			return err
		}
		var d appTokenDoc
		if err := snap.DataTo(&d); err != nil {
			return fmt.Errorf("decode %s: %w", ref.Path, err)
		}
		t := d.token(digest)
		err = fn(&t)
		out = t
		if err != nil {
			return err
		}
		return ft.Set(ref, toAppTokenDoc(t))
	})
	if err != nil {
		return out, mapErr(err, "update "+ref.Path)
	}
	return out, nil
}
