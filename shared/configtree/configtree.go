// Package configtree reads the routing configuration (settings, the queue
// tree, teams) as one chat.Tree, and the business numbers, cached per
// configuration revision: an
// admin's change takes effect for the next message without a redeploy,
// while an unchanged configuration costs one document read per event
// instead of one per queue.
package configtree

import (
	"context"
	"errors"
	"fmt"
	"sync"

	"github.com/smsdesk/smsdesk/shared/chat"
	"github.com/smsdesk/smsdesk/shared/chat/hours"
	"github.com/smsdesk/smsdesk/shared/store"
)

// Store is what the cache reads.
type Store interface {
	// ConfigRevision changes with every write of settings, queues, teams
	// or numbers (in the same commit); "" before the first configuration
	// write.
	ConfigRevision(ctx context.Context) (string, error)
	TreeStore
	Numbers(ctx context.Context) ([]chat.Number, error)
}

// Config is one revision of the configuration.
type Config struct {
	Tree *chat.Tree
	// Numbers are the business numbers by E.164.
	Numbers map[string]chat.Number
}

// Cache keeps the tree of the last revision seen. Its zero value with a
// Store is ready; it is safe for concurrent use.
type Cache struct {
	Store Store

	mu       sync.Mutex
	revision string
	config   *Config
}

// New returns a cache over st.
func New(st Store) *Cache { return &Cache{Store: st} }

// Tree returns the routing configuration, read outside any transaction:
// configuration is not contended state.
func (c *Cache) Tree(ctx context.Context) (*chat.Tree, error) {
	cfg, err := c.Config(ctx)
	if err != nil {
		return nil, err
	}
	return cfg.Tree, nil
}

// Config returns the configuration of the current revision: one read when
// it is the one cached.
func (c *Cache) Config(ctx context.Context) (*Config, error) {
	rev, err := c.Store.ConfigRevision(ctx)
	if err != nil {
		return nil, fmt.Errorf("configuration revision: %w", err)
	}
	c.mu.Lock()
	cached := c.config
	if rev == "" || rev != c.revision {
		cached = nil
	}
	c.mu.Unlock()
	if cached != nil {
		return cached, nil
	}
	tree, err := Load(ctx, c.Store)
	if err != nil {
		return nil, err
	}
	numbers, err := c.Store.Numbers(ctx)
	if err != nil {
		return nil, fmt.Errorf("load numbers: %w", err)
	}
	cfg := &Config{Tree: tree, Numbers: make(map[string]chat.Number, len(numbers))}
	for _, n := range numbers {
		cfg.Numbers[n.E164] = n
	}
	if rev != "" {
		// Read before the documents: a write racing the load leaves a newer
		// configuration under an older revision, which the next check
		// replaces.
		c.mu.Lock()
		c.revision, c.config = rev, cfg
		c.mu.Unlock()
	}
	return cfg, nil
}

// Load reads the routing configuration without the cache.
func Load(ctx context.Context, st TreeStore) (*chat.Tree, error) {
	settings, err := SettingsOrDefault(st.Settings(ctx))
	if err != nil {
		return nil, fmt.Errorf("load settings: %w", err)
	}
	queues, err := st.Queues(ctx)
	if err != nil {
		return nil, fmt.Errorf("load queues: %w", err)
	}
	teams, err := st.Teams(ctx)
	if err != nil {
		return nil, fmt.Errorf("load teams: %w", err)
	}
	tree := chat.NewTree(settings, queues, teams)
	tree.Calendar = hours.New() // business hours; per tree, so per revision
	return tree, nil
}

// TreeStore is what Load reads.
type TreeStore interface {
	Settings(ctx context.Context) (chat.Settings, error)
	Queues(ctx context.Context) ([]chat.Queue, error)
	Teams(ctx context.Context) ([]chat.Team, error)
}

// SettingsOrDefault turns "no settings document yet" into the defaults.
func SettingsOrDefault(s chat.Settings, err error) (chat.Settings, error) {
	if errors.Is(err, store.ErrNotFound) {
		return chat.DefaultSettings(), nil
	}
	return s, err
}
