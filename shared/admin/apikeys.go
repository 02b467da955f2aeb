package admin

import (
	"context"
	"errors"
	"fmt"

	"github.com/smsdesk/smsdesk/shared/apikey"
	"github.com/smsdesk/smsdesk/shared/chat"
	"github.com/smsdesk/smsdesk/shared/sms"
	"github.com/smsdesk/smsdesk/shared/store"
)

// ErrNoKeys: the deployment's store holds no API keys (Keys is nil).
var ErrNoKeys = errors.New("API keys are not available on this deployment")

func (a *Service) keys() (*apikey.Service, error) {
	if a.Keys == nil {
		return nil, ErrNoKeys
	}
	return a.Keys, nil
}

// CreateAPIKey makes an OutboundAPI key for business numbers of the
// configuration and returns it with its secret, shown this once. Besides
// apikey.Normalize's checks, every number must be a configured business
// number; problems name the field (numbers[1]).
func (a *Service) CreateAPIKey(ctx context.Context, k apikey.Key) (apikey.Key, string, error) {
	keys, err := a.keys()
	if err != nil {
		return apikey.Key{}, "", err
	}
	_, problems := apikey.Normalize(k)
	for i, raw := range k.Numbers {
		n, err := sms.NormalizeNumber(raw, sms.DefaultRegion)
		if err != nil {
			continue // Normalize reported it
		}
		_, err = a.Store.Number(ctx, n)
		switch {
		case errors.Is(err, store.ErrNotFound):
			problems = append(problems, chat.FieldError{
				Field: fmt.Sprintf("numbers[%d]", i), Message: fmt.Sprintf("%s is not a business number of this deployment", n),
			})
		case err != nil:
			return apikey.Key{}, "", fmt.Errorf("read number %s: %w", n, err)
		}
	}
	if len(problems) > 0 {
		return apikey.Key{}, "", &chat.ValidationError{Problems: problems}
	}
	return keys.Create(ctx, k)
}

// APIKeys lists the keys, revoked ones too.
func (a *Service) APIKeys(ctx context.Context) ([]apikey.Key, error) {
	keys, err := a.keys()
	if err != nil {
		return nil, err
	}
	return keys.List(ctx)
}

// RevokeAPIKey revokes a key at once; store.ErrNotFound for an unknown id.
func (a *Service) RevokeAPIKey(ctx context.Context, id string) error {
	keys, err := a.keys()
	if err != nil {
		return err
	}
	return keys.Revoke(ctx, id)
}
