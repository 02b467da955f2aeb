package jobs

import (
	"context"
	"fmt"

	"github.com/smsdesk/smsdesk/shared/apikey"
	"github.com/smsdesk/smsdesk/shared/clock"
	"github.com/smsdesk/smsdesk/shared/platform"
	"github.com/smsdesk/smsdesk/shared/platform/storeenv"
	"github.com/smsdesk/smsdesk/shared/store"
)

// APIKeys returns the Env's API-key service: AdminAPI manages the keys,
// OutboundAPI authenticates, limits and dedupes with them. One service per
// Env, so the dev server's functions share the limiter's memory.
func APIKeys(ctx context.Context, e *platform.Env) (*apikey.Service, error) {
	return platform.Part(e, "apikeys", func() (*apikey.Service, error) {
		st, err := storeenv.Store(ctx, e)
		if err != nil {
			return nil, err
		}
		keys := keysOf(st, clock.Clock{})
		if keys == nil {
			return nil, fmt.Errorf("the store %T does not hold API keys", st)
		}
		return keys, nil
	})
}

// keysOf is the API-key service over st, nil when st does not hold API
// keys (a wrapper such as counting.Store): AdminAPI's key routes then
// answer 503.
func keysOf(st store.Store, c clock.Clock) *apikey.Service {
	ks, ok := st.(apikey.Store)
	if !ok {
		return nil
	}
	return &apikey.Service{Store: ks, Clock: c}
}
