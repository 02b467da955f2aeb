// Package identitytest follows the password links Identity Platform makes,
// against the Auth emulator, as the person handed the link would: the
// link's oobCode and a new password go to accounts:resetPassword.
package identitytest

import (
	"bytes"
	"encoding/json"
	"io"
	"net/http"
	"net/url"
	"os"
	"strings"
	"testing"
	"time"

	"github.com/smsdesk/smsdesk/shared/auth"
)

// SetPassword sets the password of the account a password link is for.
func SetPassword(t testing.TB, link, password string) {
	t.Helper()
	u, err := url.Parse(link)
	if err != nil {
		t.Fatalf("identitytest: link %q: %v", link, err)
	}
	code := u.Query().Get("oobCode")
	if code == "" {
		t.Fatalf("identitytest: link %q has no oobCode", link)
	}
	host := os.Getenv(auth.EmulatorHostEnv)
	if host == "" {
		t.Fatalf("identitytest: %s is not set", auth.EmulatorHostEnv)
	}
	body, _ := json.Marshal(map[string]string{"oobCode": code, "newPassword": password})
	c := &http.Client{Timeout: 10 * time.Second}
	resp, err := c.Post("http://"+host+"/identitytoolkit.googleapis.com/v1/accounts:resetPassword?key=any", "application/json", bytes.NewReader(body))
	if err != nil {
		t.Fatalf("identitytest: reset the password: %v", err)
	}
	defer resp.Body.Close()
	raw, _ := io.ReadAll(io.LimitReader(resp.Body, 1<<20))
	if resp.StatusCode != http.StatusOK {
		t.Fatalf("identitytest: reset the password: %s: %s", resp.Status, strings.TrimSpace(string(raw)))
	}
}
