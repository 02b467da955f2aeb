// Package storeenv builds an Env's chat-state store: the embedded twin, or
// Firestore (FIRESTORE_EMULATOR_HOST honoured by the client).
package storeenv

import (
	"context"

	"github.com/smsdesk/smsdesk/shared/config"
	"github.com/smsdesk/smsdesk/shared/platform"
	"github.com/smsdesk/smsdesk/shared/store"
	"github.com/smsdesk/smsdesk/shared/store/firestore"
	"github.com/smsdesk/smsdesk/shared/store/memstore"
)

// Store returns the Env's store.
func Store(ctx context.Context, e *platform.Env) (store.Store, error) {
	return platform.Part(e, "store", func() (store.Store, error) {
		if e.Config.Backend == config.BackendEmbedded {
			return memstore.New(), nil
		}
		st, err := firestore.Open(ctx, e.Config.ProjectID)
		if err != nil {
			return nil, err
		}
		e.OnClose(st.Close)
		return st, nil
	})
}
