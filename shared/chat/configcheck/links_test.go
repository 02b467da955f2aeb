package configcheck

import (
	"errors"
	"slices"
	"testing"

	"github.com/smsdesk/smsdesk/shared/chat"
)

// Preset in-call links and the app link are https; an in-call number is
// in no pool.
func TestValidateInCall(t *testing.T) {
	tests := []struct {
		name string
		mod  func(*chat.Config)
		want []string
	}{
		{"links and an app link", func(c *chat.Config) {
			c.Settings.InCallLinks = []chat.Link{{ID: "bill", Title: "Your bill", URL: "https://m.acme.example/bill"}}
			c.Settings.AppLink = "https://app.acme.example/open"
		}, nil},
		{"an http link", func(c *chat.Config) {
			c.Settings.InCallLinks = []chat.Link{{ID: "bill", Title: "Your bill", URL: "http://m.acme.example/bill"}}
		}, []string{"settings.inCallLinks[0].url"}},
		{"a link without a title", func(c *chat.Config) {
			c.Settings.InCallLinks = []chat.Link{{ID: "bill", URL: "https://m.acme.example/bill"}}
		}, []string{"settings.inCallLinks[0]"}},
		{"an app link that is no URL", func(c *chat.Config) { c.Settings.AppLink = "acme://open" }, []string{"settings.appLink"}},
		{"an in-call number", func(c *chat.Config) { c.Numbers[0].InCall = true }, nil},
		{"an in-call number in a pool", func(c *chat.Config) { c.Numbers[0].InCall, c.Numbers[0].Pool = true, "p1" }, []string{"numbers[0].pool"}},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			c := validConfig()
			tt.mod(&c)
			var got []string
			var ve *chat.ValidationError
			if err := Validate(c); errors.As(err, &ve) {
				for _, p := range ve.Problems {
					got = append(got, p.Field)
				}
			} else if err != nil {
				t.Fatal(err)
			}
			if !slices.Equal(got, tt.want) {
				t.Errorf("problems %v, want %v", got, tt.want)
			}
		})
	}
}
