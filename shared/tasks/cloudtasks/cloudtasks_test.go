package cloudtasks_test

import (
	"context"
	"encoding/base64"
	"encoding/json"
	"net/http"
	"net/http/httptest"
	"strings"
	"testing"
	"time"

	"github.com/smsdesk/smsdesk/shared/tasks"
	"github.com/smsdesk/smsdesk/shared/tasks/cloudtasks"
	"github.com/smsdesk/smsdesk/shared/tasks/taskstest"
	"github.com/smsdesk/smsdesk/shared/testenv"
)

const location = "us-central1"

// newScheduler connects to the emulator with a project of the test's own.
func newScheduler(t *testing.T, cfg cloudtasks.Config) *cloudtasks.Scheduler {
	t.Helper()
	cfg.EmulatorHost = testenv.Require(t, cloudtasks.EnvEmulatorHost)
	if cfg.ProjectID == "" {
		cfg.ProjectID = testenv.UniqueID(t, "tasks")
	}
	cfg.Location = location
	ctx, cancel := context.WithTimeout(context.Background(), 10*time.Second)
	defer cancel()
	s, err := cloudtasks.New(ctx, cfg)
	if err != nil {
		t.Fatalf("cloudtasks.New: %v", err)
	}
	t.Cleanup(func() {
		if err := s.Close(); err != nil {
			t.Errorf("Close: %v", err)
		}
	})
	return s
}

func TestContract(t *testing.T) {
	testenv.Require(t, cloudtasks.EnvEmulatorHost) // one skip line rather than one per case
	taskstest.Run(t, func(t *testing.T) taskstest.Env {
		s := newScheduler(t, cloudtasks.Config{})
		return taskstest.Env{
			Scheduler: s,
			NewQueue: func(t *testing.T) string {
				q := testenv.UniqueID(t, "queue")
				ctx, cancel := context.WithTimeout(context.Background(), 10*time.Second)
				defer cancel()
				if err := s.EnsureQueue(ctx, q); err != nil {
					t.Fatal(err)
				}
				return q
			},
			Patience: 15 * time.Second,
		}
	})
}

func TestPaths(t *testing.T) {
	t.Setenv(cloudtasks.EnvEmulatorHost, "127.0.0.1:1") // New only dials lazily
	s := newScheduler(t, cloudtasks.Config{ProjectID: "p"})
	if got, want := s.QueuePath("sms-send"), "projects/p/locations/us-central1/queues/sms-send"; got != want {
		t.Errorf("QueuePath = %q, want %q", got, want)
	}
	if got, want := s.TaskPath("sms-send", "n1"), "projects/p/locations/us-central1/queues/sms-send/tasks/n1"; got != want {
		t.Errorf("TaskPath = %q, want %q", got, want)
	}
}

func TestNewNeedsProjectAndLocation(t *testing.T) {
	for _, cfg := range []cloudtasks.Config{{ProjectID: "p"}, {Location: "l"}} {
		if _, err := cloudtasks.New(context.Background(), cfg); err == nil {
			t.Errorf("New(%+v) = nil error, want one", cfg)
		}
	}
}

func TestEnsureQueueIdempotent(t *testing.T) {
	s := newScheduler(t, cloudtasks.Config{})
	ctx, cancel := context.WithTimeout(context.Background(), 10*time.Second)
	defer cancel()
	q := testenv.UniqueID(t, "queue")
	for i := range 2 {
		if err := s.EnsureQueue(ctx, q); err != nil {
			t.Fatalf("EnsureQueue #%d: %v", i+1, err)
		}
	}
}

// With a service account configured, the task carries an OIDC token for
// it, which private function URLs require; the emulator mints one as Cloud
// Tasks does.
func TestOIDCToken(t *testing.T) {
	const account = "tasks-invoker@p.iam.gserviceaccount.com"
	s := newScheduler(t, cloudtasks.Config{ServiceAccountEmail: account})
	ctx, cancel := context.WithTimeout(context.Background(), 10*time.Second)
	defer cancel()
	q := testenv.UniqueID(t, "queue")
	if err := s.EnsureQueue(ctx, q); err != nil {
		t.Fatal(err)
	}
	auth := make(chan string, 1)
	srv := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		select {
		case auth <- r.Header.Get("Authorization"):
		default:
		}
	}))
	defer srv.Close()
	url := srv.URL + "/SendSMS"
	if err := s.Enqueue(ctx, q, tasks.Task{Name: "oidc", URL: url}); err != nil {
		t.Fatal(err)
	}
	var header string
	select {
	case header = <-auth:
	case <-ctx.Done():
		t.Fatal("task not delivered")
	}
	token, ok := strings.CutPrefix(header, "Bearer ")
	parts := strings.Split(token, ".")
	if !ok || len(parts) != 3 {
		t.Fatalf("Authorization = %q, want a bearer JWT", header)
	}
	payload, err := base64.RawURLEncoding.DecodeString(parts[1])
	if err != nil {
		t.Fatalf("JWT payload: %v", err)
	}
	var claims struct {
		Email string `json:"email"`
		Aud   string `json:"aud"`
	}
	if err := json.Unmarshal(payload, &claims); err != nil {
		t.Fatalf("JWT claims %s: %v", payload, err)
	}
	if claims.Email != account || claims.Aud != url {
		t.Errorf("token for %q with audience %q, want %q and the task URL %q", claims.Email, claims.Aud, account, url)
	}
}
