package configtree_test

import (
	"context"
	"errors"
	"testing"

	"github.com/smsdesk/smsdesk/shared/chat"
	"github.com/smsdesk/smsdesk/shared/configtree"
	"github.com/smsdesk/smsdesk/shared/demo"
	"github.com/smsdesk/smsdesk/shared/store/counting"
	"github.com/smsdesk/smsdesk/shared/store/memstore"
)

func TestCacheFollowsTheRevision(t *testing.T) {
	ctx := context.Background()
	mem := memstore.New()
	st := counting.Wrap(mem)
	cache := configtree.New(st)

	// Before any configuration: the defaults, read every time (no revision
	// to cache under).
	tree, err := cache.Tree(ctx)
	if err != nil {
		t.Fatal(err)
	}
	if tree.Settings.DefaultLanguage != chat.DefaultSettings().DefaultLanguage {
		t.Errorf("empty store: settings %+v, want the defaults", tree.Settings)
	}

	if err := demo.Load(ctx, mem, demo.Demo()); err != nil {
		t.Fatal(err)
	}
	first, err := cache.Tree(ctx)
	if err != nil {
		t.Fatal(err)
	}
	if _, ok := first.Queue("en-billing"); !ok {
		t.Fatal("the demo's queues are not in the tree")
	}

	// Unchanged configuration: one read (the revision), the same tree.
	before := st.Counts()
	again, err := cache.Tree(ctx)
	if err != nil {
		t.Fatal(err)
	}
	if reads := st.Counts().Reads - before.Reads; reads != 1 || again != first {
		t.Errorf("unchanged configuration: %d reads, same tree %v; want 1 read and the cached tree", reads, again == first)
	}

	// A queue write changes the revision: the next call sees it.
	q, _ := first.Queue("en-billing")
	q.Name = "Invoices"
	if err := mem.PutQueue(ctx, q); err != nil {
		t.Fatal(err)
	}
	changed, err := cache.Tree(ctx)
	if err != nil {
		t.Fatal(err)
	}
	if got, _ := changed.Queue("en-billing"); got.Name != "Invoices" || changed == first {
		t.Errorf("after a queue write: %q, want Invoices in a new tree", got.Name)
	}
}

// TestCacheHoldsTheNumbers: routing reads a business number from the
// cached configuration, so a number's write must change the revision and
// reach the next text, and an unchanged revision costs one read.
func TestCacheHoldsTheNumbers(t *testing.T) {
	ctx := context.Background()
	mem := memstore.New()
	if err := demo.Load(ctx, mem, demo.Demo()); err != nil {
		t.Fatal(err)
	}
	st := counting.Wrap(mem)
	cache := configtree.New(st)
	const number = "+14155550101"
	steps := []struct {
		name        string
		change      func() error
		wantPresent bool
		wantEnabled bool
	}{
		{"as loaded", nil, true, true},
		{"disabled", func() error {
			n, err := mem.Number(ctx, number)
			n.Enabled = false
			return errors.Join(err, mem.PutNumber(ctx, n))
		}, true, false},
		{"removed", func() error { return mem.DeleteNumber(ctx, number) }, false, false},
	}
	for _, s := range steps {
		if s.change != nil {
			if err := s.change(); err != nil {
				t.Fatalf("%s: %v", s.name, err)
			}
		}
		cfg, err := cache.Config(ctx)
		if err != nil {
			t.Fatal(err)
		}
		n, ok := cfg.Numbers[number]
		if ok != s.wantPresent || n.Enabled != s.wantEnabled {
			t.Errorf("%s: number present %v enabled %v, want %v and %v", s.name, ok, n.Enabled, s.wantPresent, s.wantEnabled)
		}
		before := st.Counts()
		again, err := cache.Config(ctx)
		if err != nil {
			t.Fatal(err)
		}
		if reads := st.Counts().Reads - before.Reads; reads != 1 || again != cfg {
			t.Errorf("%s, unchanged: %d reads, same configuration %v; want 1 read and the cached one", s.name, reads, again == cfg)
		}
	}
}
