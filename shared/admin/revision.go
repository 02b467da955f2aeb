package admin

import (
	"context"
	"crypto/sha256"
	"encoding/base64"
	"encoding/json"
	"errors"
	"fmt"
	"time"

	"github.com/smsdesk/smsdesk/shared/chat"
)

// Concurrent edits. Two admins who load the same configuration and both save
// would otherwise have the second silently undo the first. A change made
// with IfRevision carries the revision its author loaded; a configuration
// that changed since is refused with ErrStale and nothing is written.
//
// The revision is a digest of what admins edit (settings, numbers, queues,
// teams, agent profiles and canned messages), not the store's ConfigRevision: that one does
// not change with numbers or agents, and an agent's own status, load and
// presence change all day without anyone editing the configuration, so
// they are left out. The comparison is made on the configuration the change
// validates against, in the same load; like the validation, it is not one
// transaction with the write (see admin.go).

// ErrStale refuses a change made against a revision that is no longer the
// configuration's.
var ErrStale = errors.New("the configuration was changed by someone else since it was loaded; reload it and make the change again")

// Revision is the revision of a configuration as Config returns it (lists
// ordered by id): the same configuration gives the same revision on every
// backend and in every process.
func Revision(c chat.Config) string {
	c.Agents = append([]chat.Agent(nil), c.Agents...)
	for i, ag := range c.Agents {
		ag = profileOnly(ag)
		ag.Status, ag.LastSeenAt = "", time.Time{}
		c.Agents[i] = ag
	}
	b, err := json.Marshal(c)
	if err != nil {
		// A configuration is plain data; this cannot happen.
		panic("admin: revision of a configuration: " + err.Error())
	}
	sum := sha256.Sum256(b)
	return base64.RawURLEncoding.EncodeToString(sum[:12])
}

// RevisionWith is the revision of a configuration and the canned messages
// (which admins edit too, outside the configuration document): Revision(c)
// while there are none.
func RevisionWith(c chat.Config, canned []chat.Canned) string {
	if len(canned) == 0 {
		return Revision(c)
	}
	b, err := json.Marshal(canned)
	if err != nil {
		panic("admin: revision of canned messages: " + err.Error())
	}
	sum := sha256.Sum256(append([]byte(Revision(c)+"\n"), b...))
	return base64.RawURLEncoding.EncodeToString(sum[:12])
}

// Revision loads the configuration and the canned messages and returns
// their revision.
func (a *Service) Revision(ctx context.Context) (string, error) {
	c, err := a.Config(ctx)
	if err != nil {
		return "", err
	}
	canned, err := a.Store.CannedMessages(ctx)
	if err != nil {
		return "", fmt.Errorf("load canned messages: %w", err)
	}
	return RevisionWith(c, canned), nil
}

type revisionKey struct{}

// IfRevision returns a context whose configuration changes succeed only
// while the configuration is still at revision rev: its author's
// precondition (AdminAPI takes it from If-Match). An empty rev sets none.
func IfRevision(ctx context.Context, rev string) context.Context {
	if rev == "" {
		return ctx
	}
	return context.WithValue(ctx, revisionKey{}, rev)
}

// checkRevision refuses with ErrStale when ctx carries a precondition c no
// longer meets.
func (a *Service) checkRevision(ctx context.Context, c chat.Config) error {
	want, ok := ctx.Value(revisionKey{}).(string)
	if !ok {
		return nil
	}
	canned, err := a.Store.CannedMessages(ctx)
	if err != nil {
		return fmt.Errorf("load canned messages: %w", err)
	}
	if got := RevisionWith(c, canned); got != want {
		return fmt.Errorf("revision %s, now %s: %w", want, got, ErrStale)
	}
	return nil
}
