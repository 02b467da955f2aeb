// Package platform builds a process's dependencies from its environment:
// the production clients (Firestore, Pub/Sub, Cloud Tasks, Twilio) or their
// embedded twins. Functions build them lazily on their first request, once
// per process, which is the one piece of global state the project allows.
package platform

import (
	"context"
	"fmt"
	"net/http"
	"net/url"
	"os"
	"sync"
	"time"

	"github.com/sirupsen/logrus"

	"github.com/smsdesk/smsdesk/shared/app"
	"github.com/smsdesk/smsdesk/shared/auth"
	"github.com/smsdesk/smsdesk/shared/bus"
	"github.com/smsdesk/smsdesk/shared/bus/membus"
	"github.com/smsdesk/smsdesk/shared/bus/pubsub"
	"github.com/smsdesk/smsdesk/shared/config"
	"github.com/smsdesk/smsdesk/shared/logging"
	"github.com/smsdesk/smsdesk/shared/media/gcs"
	"github.com/smsdesk/smsdesk/shared/media/memmedia"
	"github.com/smsdesk/smsdesk/shared/sandbox"
	"github.com/smsdesk/smsdesk/shared/store"
	"github.com/smsdesk/smsdesk/shared/store/memstore"
	"github.com/smsdesk/smsdesk/shared/tasks"
	"github.com/smsdesk/smsdesk/shared/tasks/cloudtasks"
	"github.com/smsdesk/smsdesk/shared/tasks/memtasks"
	"github.com/smsdesk/smsdesk/shared/twilio"
)

// Subscription names; Terraform creates the same ones in production.
const (
	SubRouteInbound = "route-inbound"
)

// MediaPath is where the embedded media store's signed URLs point, under
// PUBLIC_BASE_URL.
const MediaPath = "/Media"

// Deps is everything a function needs.
type Deps struct {
	Config   config.Config
	Logger   *logrus.Logger
	App      *app.App
	Store    app.Store
	Verifier *twilio.Verifier
	// Sandbox is the sandbox carrier when SMSDESK_CARRIER=sandbox.
	Sandbox *sandbox.Carrier
	// Guard authenticates people on AgentAPI and AdminAPI.
	Guard *auth.Guard
	// DevSignIn mints sign-in tokens when SMSDESK_AUTH=dev (scripts/dev).
	DevSignIn *auth.DevVerifier
	// Media is the MMS media store (also App.Media); nil when off.
	Media app.MediaStore
	// MediaHandler serves the embedded media store's signed URLs; the dev
	// server mounts it at MediaPath. nil on the google backend (Cloud
	// Storage serves its own signed URLs).
	MediaHandler http.Handler

	pubsub  *pubsub.Publisher
	tasks   *cloudtasks.Scheduler
	closers []func() error
}

// Build creates the dependencies for a configuration.
func Build(ctx context.Context, cfg config.Config, logger *logrus.Logger) (*Deps, error) {
	d := &Deps{Config: cfg, Logger: logger, Verifier: twilio.NewVerifier(cfg.WebhookAuthToken())}
	urls := app.URLs{Public: cfg.PublicBaseURL, Internal: cfg.InternalBaseURL}
	a := &app.App{URLs: urls, Carriers: map[string]app.Carrier{}}

	switch cfg.Backend {
	case config.BackendEmbedded:
		d.Store = memstore.New()
		mb := membus.New(membus.Options{ProjectID: cfg.ProjectID, Logger: logger})
		if err := mb.Subscribe(bus.TopicInbound, SubRouteInbound, urls.Function(app.FnRouteInbound), true); err != nil {
			return nil, fmt.Errorf("embedded subscription: %w", err)
		}
		a.Bus = mb
		mt := memtasks.New(memtasks.Options{Logger: logger})
		a.Tasks = mt
		d.closers = append(d.closers, mb.Close, mt.Close)
	default:
		st, err := store.Open(ctx, cfg.ProjectID)
		if err != nil {
			return nil, err
		}
		d.Store = st
		d.closers = append(d.closers, st.Close)
		ps, err := pubsub.New(ctx, cfg.ProjectID)
		if err != nil {
			return nil, fmt.Errorf("pub/sub: %w", err)
		}
		d.pubsub, a.Bus = ps, ps
		d.closers = append(d.closers, ps.Close)
		ct, err := cloudtasks.New(ctx, cloudtasks.Config{
			ProjectID: cfg.ProjectID, Location: cfg.TasksLocation,
			ServiceAccountEmail: cfg.TasksServiceAccount, EmulatorHost: cfg.TasksEmulatorHost,
		})
		if err != nil {
			return nil, fmt.Errorf("cloud tasks: %w", err)
		}
		d.tasks, a.Tasks = ct, ct
		d.closers = append(d.closers, ct.Close)
	}
	a.Store = d.Store
	if err := d.buildMedia(ctx, cfg, a); err != nil {
		_ = d.Close()
		return nil, err
	}

	switch cfg.Carrier {
	case config.CarrierSandbox:
		d.Sandbox = sandbox.New(cfg.WebhookAuthToken(), logger)
		a.Carriers[app.ProviderTwilio] = d.Sandbox
	default:
		tc, err := twilio.NewClient(cfg.TwilioAccountSID, cfg.TwilioAuthToken, cfg.TwilioAPIBaseURL, nil)
		if err != nil {
			return nil, err
		}
		a.Carriers[app.ProviderTwilio] = tc
	}
	d.App = a

	switch cfg.Auth {
	case config.AuthDev:
		dev, err := auth.NewDevVerifier(true) // SMSDESK_AUTH=dev: scripts/dev only
		if err != nil {
			return nil, err
		}
		d.DevSignIn, d.Guard = dev, auth.NewGuard(dev)
	default:
		d.Guard = auth.NewGuard(&lazyFirebase{projectID: cfg.ProjectID})
	}
	return d, nil
}

// buildMedia sets up the MMS media store: the in-memory twin on the
// embedded backend, the MEDIA_BUCKET bucket (or the emulator at
// STORAGE_EMULATOR_HOST) on the google backend, or nothing when
// MEDIA_BUCKET is unset there. Downloads of carrier media authenticate with
// the Twilio account, sent only to Twilio's API host.
func (d *Deps) buildMedia(ctx context.Context, cfg config.Config, a *app.App) error {
	switch {
	case cfg.Backend == config.BackendEmbedded:
		mm, err := memmedia.New(memmedia.Options{BaseURL: cfg.PublicBaseURL + MediaPath})
		if err != nil {
			return fmt.Errorf("embedded media store: %w", err)
		}
		d.Media, d.MediaHandler = mm, mm.Handler()
	case cfg.MediaBucket == "":
		d.Logger.Warn("MMS media are off: MEDIA_BUCKET is not set, so consumers' media keep the carrier's URLs and agents cannot attach images")
		return nil
	default:
		st, err := gcs.New(ctx, gcs.Options{Bucket: cfg.MediaBucket, EmulatorHost: cfg.StorageEmulatorHost})
		if err != nil {
			return fmt.Errorf("media bucket %s: %w", cfg.MediaBucket, err)
		}
		d.Media = st
		d.closers = append(d.closers, st.Close)
	}
	a.Media = d.Media
	if cfg.TwilioAccountSID != "" && cfg.TwilioAuthToken != "" {
		hosts := []string{"twilio.com"}
		if u, err := url.Parse(cfg.TwilioAPIBaseURL); err == nil && u.Hostname() != "" {
			hosts = append(hosts, u.Hostname())
		}
		a.MediaCredentials = map[string]app.MediaCredentials{
			app.ProviderTwilio: {Username: cfg.TwilioAccountSID, Password: cfg.TwilioAuthToken, Hosts: hosts},
		}
	}
	return nil
}

// lazyFirebase creates the Firebase Admin client on the first token to
// verify, so functions that never authenticate people (and tests of them)
// need neither credentials nor the Auth emulator.
type lazyFirebase struct {
	projectID string
	once      sync.Once
	v         *auth.FirebaseVerifier
	err       error
}

func (l *lazyFirebase) Verify(ctx context.Context, token string) (auth.Principal, error) {
	l.once.Do(func() {
		ctx, cancel := context.WithTimeout(context.WithoutCancel(ctx), 30*time.Second)
		defer cancel()
		l.v, l.err = auth.NewFirebaseVerifier(ctx, l.projectID)
	})
	if l.err != nil {
		return auth.Principal{}, l.err
	}
	return l.v.Verify(ctx, token)
}

// EnsureEmulatorResources creates the topics, push subscriptions and queues
// that Terraform creates in production, pointing them at this process. Only
// for the emulators (scripts/dev --emulators and tests).
func (d *Deps) EnsureEmulatorResources(ctx context.Context) error {
	if d.pubsub != nil {
		for _, t := range []string{bus.TopicInbound, bus.TopicChatEvents} {
			if err := d.pubsub.EnsureTopic(ctx, t); err != nil {
				return err
			}
		}
		if err := d.pubsub.EnsurePushSubscription(ctx, bus.TopicInbound, SubRouteInbound, d.App.URLs.Function(app.FnRouteInbound), true); err != nil {
			return err
		}
	}
	if d.tasks != nil {
		for _, q := range []string{tasks.QueueSend, tasks.QueueTimers} {
			if err := d.tasks.EnsureQueue(ctx, q); err != nil {
				return err
			}
		}
	}
	return nil
}

// Close releases every client, newest first.
func (d *Deps) Close() error {
	var first error
	for i := len(d.closers) - 1; i >= 0; i-- {
		if err := d.closers[i](); err != nil && first == nil {
			first = err
		}
	}
	return first
}

// process is this process's dependencies, built on first use.
var process struct {
	once sync.Once
	deps *Deps
	err  error
}

// Process returns the dependencies built from the process environment.
func Process() (*Deps, error) {
	process.once.Do(func() {
		cfg, err := config.Load(os.Getenv)
		logger := logging.New(os.Stderr, cfg.LogLevel, cfg.ProjectID)
		if err != nil {
			logger.WithError(err).Error("invalid configuration")
			process.err = err
			return
		}
		ctx, cancel := context.WithTimeout(context.Background(), 30*time.Second)
		defer cancel()
		process.deps, process.err = Build(ctx, cfg, logger)
		if process.err != nil {
			logger.WithError(process.err).Error("could not start")
		}
	})
	return process.deps, process.err
}

// Handler returns a function's HTTP handler, built from the process's
// dependencies on the first request. A configuration error answers 500 with
// the error, which names every variable to fix.
func Handler(name string, build func(*Deps) http.Handler) http.Handler {
	var once sync.Once
	var h http.Handler
	return http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		once.Do(func() {
			d, err := Process()
			if err != nil {
				h = http.HandlerFunc(func(w http.ResponseWriter, _ *http.Request) {
					http.Error(w, name+" cannot start: "+err.Error(), http.StatusInternalServerError)
				})
				return
			}
			h = logging.Middleware(d.Logger, d.Config.ProjectID, name, build(d))
		})
		h.ServeHTTP(w, r)
	})
}
