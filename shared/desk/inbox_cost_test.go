package desk_test

import (
	"context"
	"fmt"
	"testing"

	"github.com/smsdesk/smsdesk/shared/chat"
	"github.com/smsdesk/smsdesk/shared/demo"
	"github.com/smsdesk/smsdesk/shared/platform/jobs"
	"github.com/smsdesk/smsdesk/shared/store"
	"github.com/smsdesk/smsdesk/shared/store/counting"
	"github.com/smsdesk/smsdesk/shared/store/memstore"
)

// TestAgentInboxReadsOnlyWhatItLists: every console polls its inbox each
// second, so an agent's poll must not read the other agents' active chats
// of its queues (60 here), only the waiting ones it lists.
func TestAgentInboxReadsOnlyWhatItLists(t *testing.T) {
	ctx := context.Background()
	mem := memstore.New()
	if err := demo.Load(ctx, mem, demo.Demo()); err != nil {
		t.Fatal(err)
	}
	err := mem.RunTx(ctx, func(tx store.Tx) error {
		for i := range 60 {
			c := chat.Chat{ID: fmt.Sprintf("ben-%02d", i), QueueID: "en-billing", Number: "+14155550101",
				Consumer: fmt.Sprintf("+1415555%04d", i), Status: chat.StatusActive, AgentID: "ben", CreatedAt: now, UpdatedAt: now, Version: 2}
			tx.PutChat(c)
		}
		for i := range 2 {
			tx.PutChat(chat.Chat{ID: fmt.Sprintf("waiting-%d", i), QueueID: "en-billing", Number: "+14155550101",
				Consumer: fmt.Sprintf("+1415556%04d", i), Status: chat.StatusQueued, CreatedAt: now, QueuedAt: now, UpdatedAt: now, Version: 2})
		}
		return nil
	})
	if err != nil {
		t.Fatal(err)
	}
	st := counting.Wrap(mem)
	d := jobs.Compose(jobs.Clients{Store: st}).Desk
	if _, err := d.InboxOf(ctx, ana, false); err != nil { // warm the configuration cache
		t.Fatal(err)
	}
	before := st.Counts()
	in, err := d.InboxOf(ctx, ana, false)
	if err != nil {
		t.Fatal(err)
	}
	reads := st.Counts().Reads - before.Reads
	if len(in.Waiting) != 2 {
		t.Errorf("waiting %d, want 2", len(in.Waiting))
	}
	// One revision read, the agent's own offered and held chats (two
	// queries, none found), the two waiting chats.
	if reads > 6 {
		t.Errorf("an agent's inbox poll read %d documents; the 60 active chats of others must not be read", reads)
	}
}
