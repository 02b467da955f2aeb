package e2e

import (
	"io"
	"net"
	"net/http"
	"strconv"
	"strings"
	"testing"
	"time"

	"github.com/GoogleCloudPlatform/functions-framework-go/funcframework"

	"github.com/smsdesk/smsdesk/shared/testenv"
	"github.com/smsdesk/smsdesk/shared/wire"
)

// TestFunctionsRegisterAndReportConfiguration starts the Functions Framework
// as Cloud Functions does, with every function registered by its package's
// init, in an environment missing its configuration: each function must be
// served at /<Name> and answer with the one error that names every missing
// variable.
func TestFunctionsRegisterAndReportConfiguration(t *testing.T) {
	for _, k := range []string{"GOOGLE_CLOUD_PROJECT", "PUBLIC_BASE_URL", "TWILIO_ACCOUNT_SID", "TWILIO_AUTH_TOKEN", "TASKS_LOCATION", "SMSDESK_BACKEND", "SMSDESK_CARRIER", "FUNCTION_TARGET"} {
		t.Setenv(k, "")
	}
	l, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		t.Fatal(err)
	}
	port := l.Addr().(*net.TCPAddr).Port
	_ = l.Close()
	go func() { _ = funcframework.StartHostPort("127.0.0.1", itoa(port)) }()
	base := "http://127.0.0.1:" + itoa(port)
	testenv.WaitFor(t, 10*time.Second, "functions framework listening", func() bool {
		c, err := net.Dial("tcp", "127.0.0.1:"+itoa(port))
		if err == nil {
			_ = c.Close()
		}
		return err == nil
	})
	for _, name := range []string{wire.FnTwilioInbound, wire.FnRouteInbound, wire.FnSendSMS, wire.FnDeliveryStatus, wire.FnChatTimers, wire.FnAdminAPI, wire.FnAgentAPI, wire.FnConsole} {
		t.Run(name, func(t *testing.T) {
			resp, err := http.Post(base+"/"+name, "application/x-www-form-urlencoded", strings.NewReader("x=1"))
			if err != nil {
				t.Fatal(err)
			}
			defer resp.Body.Close()
			body, _ := io.ReadAll(resp.Body)
			for _, want := range []string{name + " cannot start", "GOOGLE_CLOUD_PROJECT is required", "PUBLIC_BASE_URL is required", "TWILIO_AUTH_TOKEN is required", "TASKS_LOCATION is required"} {
				if !strings.Contains(string(body), want) {
					t.Errorf("answer %d %q lacks %q", resp.StatusCode, body, want)
				}
			}
			if resp.StatusCode != http.StatusInternalServerError {
				t.Errorf("status %d, want 500", resp.StatusCode)
			}
		})
	}
}

func itoa(n int) string { return strconv.Itoa(n) }
