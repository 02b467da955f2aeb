package memstore

import (
	"context"

	"github.com/smsdesk/smsdesk/shared/ivr/ivrrec"
)

func cloneCall(c ivrrec.Call) ivrrec.Call {
	c.ConnectedAt, c.EndedAt = storedTime(c.ConnectedAt), storedTime(c.EndedAt)
	c.Created, c.ExpireAt = storedTime(c.Created), storedTime(c.ExpireAt)
	return c
}

func cloneAppToken(t ivrrec.AppToken) ivrrec.AppToken {
	t.Created, t.ExpiresAt, t.UsedAt, t.ExpireAt = storedTime(t.Created), storedTime(t.ExpiresAt), storedTime(t.UsedAt), storedTime(t.ExpireAt)
	return t
}

func (s *Store) Call(ctx context.Context, id string) (ivrrec.Call, error) {
	t := &s.ivr
	t.mu.Lock()
	defer t.mu.Unlock()
	c, ok := t.calls[id]
	if !ok {
		return ivrrec.Call{}, notFound("IVR call", id)
	}
	return cloneCall(c), nil
}

func (s *Store) UpdateCall(ctx context.Context, id string, fn func(c *ivrrec.Call, found bool) error) (ivrrec.Call, error) {
	if err := ctx.Err(); err != nil {
		return ivrrec.Call{}, err
	}
	t := &s.ivr
	t.mu.Lock()
	defer t.mu.Unlock()
	t.init()
	c, found := t.calls[id]
	if !found {
		c = ivrrec.Call{ID: id}
	}
	c = cloneCall(c)
	if err := fn(&c, found); err != nil {
		return ivrrec.Call{}, err
	}
	c.ID = id
	t.calls[id] = cloneCall(c)
	return cloneCall(c), nil
}

func (s *Store) PutAppToken(ctx context.Context, tok ivrrec.AppToken) error {
	if err := ctx.Err(); err != nil {
		return err
	}
	t := &s.ivr
	t.mu.Lock()
	defer t.mu.Unlock()
	t.init()
	t.tokens[tok.Digest] = cloneAppToken(tok)
	return nil
}

func (s *Store) UpdateAppToken(ctx context.Context, digest string, fn func(tok *ivrrec.AppToken) error) (ivrrec.AppToken, error) {
	if err := ctx.Err(); err != nil {
		return ivrrec.AppToken{}, err
	}
	t := &s.ivr
	t.mu.Lock()
	defer t.mu.Unlock()
	tok, ok := t.tokens[digest]
	if !ok {
		return ivrrec.AppToken{}, notFound("app token", digest)
	}
	tok = cloneAppToken(tok)
	if err := fn(&tok); err != nil {
		return cloneAppToken(tok), err
	}
	tok.Digest = digest
	t.tokens[digest] = cloneAppToken(tok)
	return cloneAppToken(tok), nil
}
