package jobs

import (
	"context"
	"fmt"

	"github.com/smsdesk/smsdesk/shared/ivr"
	"github.com/smsdesk/smsdesk/shared/platform"
	"github.com/smsdesk/smsdesk/shared/platform/storeenv"
)

// IVR returns the Env's IVR use case (IVRWebhook): it starts deflected
// chats through conversation, whose sends SendSMS makes.
func IVR(ctx context.Context, e *platform.Env) (*ivr.Service, error) {
	return platform.Part(e, "ivr", func() (*ivr.Service, error) {
		st, err := storeenv.Store(ctx, e)
		if err != nil {
			return nil, err
		}
		is, ok := st.(ivr.Store)
		if !ok {
			return nil, fmt.Errorf("the store %T does not hold IVR records", st)
		}
		conv, err := Conversation(ctx, e)
		if err != nil {
			return nil, err
		}
		trees, err := Trees(ctx, e)
		if err != nil {
			return nil, err
		}
		return &ivr.Service{Store: is, Trees: trees, Start: conv, SendWait: e.Config.IVR.SendWait}, nil
	})
}
