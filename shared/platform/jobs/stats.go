package jobs

import (
	"context"
	"fmt"

	"github.com/smsdesk/smsdesk/shared/platform"
	"github.com/smsdesk/smsdesk/shared/platform/storeenv"
	"github.com/smsdesk/smsdesk/shared/stats"
	"github.com/smsdesk/smsdesk/shared/store"
)

// Stats returns the Env's statistics use case (ChatStats, the stats
// endpoints and the rebuild).
func Stats(ctx context.Context, e *platform.Env) (*stats.Service, error) {
	return platform.Part(e, "stats", func() (*stats.Service, error) {
		st, err := storeenv.Store(ctx, e)
		if err != nil {
			return nil, err
		}
		ss, ok := st.(stats.Store)
		if !ok {
			return nil, fmt.Errorf("the store %T does not hold statistics", st)
		}
		return &stats.Service{Store: ss, Prices: stats.DefaultPrices}, nil
	})
}

// statsOf is the statistics use case over st, nil when st keeps none.
func statsOf(st store.Store) *stats.Service {
	ss, ok := st.(stats.Store)
	if !ok {
		return nil
	}
	return &stats.Service{Store: ss, Prices: stats.DefaultPrices}
}
