// Command devserver is what scripts/dev runs: every function in one process
// at /<FunctionName>, on embedded adapters or the emulators, with the demo
// configuration loaded, the agent console at /Console (dev sign-in, no
// setup) and a phone simulator at /Simulator for texting the business as a
// consumer.
package main

import (
	"context"
	"errors"
	"fmt"
	"net/http"
	"net/url"
	"os"
	"os/signal"
	"strings"
	"syscall"
	"time"

	"github.com/smsdesk/smsdesk/functions/adminapi"
	"github.com/smsdesk/smsdesk/functions/agentapi"
	"github.com/smsdesk/smsdesk/functions/bandwidthinbound"
	"github.com/smsdesk/smsdesk/functions/chatstats"
	"github.com/smsdesk/smsdesk/functions/chattimers"
	"github.com/smsdesk/smsdesk/functions/console"
	"github.com/smsdesk/smsdesk/functions/crmsync"
	"github.com/smsdesk/smsdesk/functions/deliverystatus"
	"github.com/smsdesk/smsdesk/functions/ivrwebhook"
	"github.com/smsdesk/smsdesk/functions/outboundapi"
	"github.com/smsdesk/smsdesk/functions/routeinbound"
	"github.com/smsdesk/smsdesk/functions/sendsms"
	"github.com/smsdesk/smsdesk/functions/telnyxinbound"
	"github.com/smsdesk/smsdesk/functions/twilioinbound"
	"github.com/smsdesk/smsdesk/shared/chat/access"
	"github.com/smsdesk/smsdesk/shared/demo"
	"github.com/smsdesk/smsdesk/shared/platform"
	"github.com/smsdesk/smsdesk/shared/platform/authenv"
	"github.com/smsdesk/smsdesk/shared/platform/busenv"
	"github.com/smsdesk/smsdesk/shared/platform/carrierenv"
	"github.com/smsdesk/smsdesk/shared/platform/jobs"
	"github.com/smsdesk/smsdesk/shared/platform/mediaenv"
	"github.com/smsdesk/smsdesk/shared/platform/tasksenv"
)

// functionHandlers are the functions this server serves, by name.
var functionHandlers = []struct {
	name    string
	handler http.Handler
}{
	{twilioinbound.Name, twilioinbound.Handler},
	{telnyxinbound.Name, telnyxinbound.Handler},
	{bandwidthinbound.Name, bandwidthinbound.Handler},
	{routeinbound.Name, routeinbound.Handler},
	{sendsms.Name, sendsms.Handler},
	{deliverystatus.Name, deliverystatus.Handler},
	{chattimers.Name, chattimers.Handler},
	{adminapi.Name, adminapi.Handler},
	{agentapi.Name, agentapi.Handler},
	{outboundapi.Name, outboundapi.Handler},
	{crmsync.Name, crmsync.Handler},
	{chatstats.Name, chatstats.Handler},
	{ivrwebhook.Name, ivrwebhook.Handler},
	{console.Name, console.Handler},
}

func main() {
	if err := run(); err != nil {
		fmt.Fprintln(os.Stderr, "devserver:", err)
		os.Exit(1)
	}
}

func run() error {
	port := os.Getenv("PORT")
	if port == "" {
		port = "8080"
	}
	// The built-in contacts are the CRM unless HubSpot is configured, so
	// the console's contact panel works with no setup.
	if os.Getenv("HUBSPOT_ACCESS_TOKEN") == "" && os.Getenv("CRM_ADAPTER") == "" {
		_ = os.Setenv("CRM_ADAPTER", "builtin")
	}
	// Before the Env reads them: a sandbox run gets every carrier's
	// webhook secrets, for the simulator to text as each.
	cs, err := setUpCarriers(os.Getenv, os.Setenv)
	if err != nil {
		return err
	}
	if err := ensureIVRSecret(os.Getenv, os.Setenv); err != nil {
		return err
	}
	env, err := platform.Process()
	if err != nil {
		return err
	}
	if sb := carrierenv.Sandbox(env); sb != nil {
		cs.report(sb)
	}
	defer env.Close()
	ctx, stop := signal.NotifyContext(context.Background(), os.Interrupt, syscall.SIGTERM)
	defer stop()

	setup, cancel := context.WithTimeout(ctx, 60*time.Second)
	defer cancel()
	if err := busenv.EnsureEmulator(setup, env); err != nil {
		return fmt.Errorf("create topics and subscriptions on the emulator: %w", err)
	}
	if err := busenv.RunRelays(ctx, env); err != nil {
		return fmt.Errorf("relay the emulator's subscriptions: %w", err)
	}
	if err := tasksenv.EnsureEmulator(setup, env); err != nil {
		return fmt.Errorf("create queues on the emulator: %w", err)
	}
	if os.Getenv("SMSDESK_DEMO") != "false" {
		if err := loadDemo(setup, env); err != nil {
			return err
		}
	}

	mux := http.NewServeMux()
	names := make([]string, 0, len(functionHandlers))
	for _, f := range functionHandlers {
		mux.Handle("/"+f.name, f.handler)
		mux.Handle("/"+f.name+"/", f.handler)
		names = append(names, f.name)
	}
	sim, err := newSimulator(setup, env, cs, "http://127.0.0.1:"+port)
	if err != nil {
		return err
	}
	mux.Handle("/Simulator", sim)
	mux.Handle("/Simulator/", sim)
	ivrSim, err := newIVRSimulator(setup, env, "http://127.0.0.1:"+port)
	if err != nil {
		return err
	}
	mux.Handle("/IVRSimulator", ivrSim)
	mux.Handle("/IVRSimulator/", ivrSim)
	mediaHandler, err := mediaenv.Handler(setup, env)
	if err != nil {
		return err
	}
	if mediaHandler != nil {
		// MMS media of the embedded store, read through signed URLs under
		// PUBLIC_BASE_URL/Media/ (by the console and the sandbox carrier).
		base, _ := url.Parse(env.Config.PublicBaseURL)
		mux.Handle(strings.TrimSuffix(base.Path, "/")+mediaenv.Path+"/", mediaHandler)
	}
	dev, err := authenv.DevSignIn(env)
	if err != nil {
		return err
	}
	if dev != nil {
		// The console signs in at /Console/dev-sign-in; /DevSignIn is the
		// same minting, kept for scripts and curl.
		mux.Handle("/DevSignIn", console.DevSignIn(dev))
	}
	mux.HandleFunc("/{$}", func(w http.ResponseWriter, r *http.Request) { http.Redirect(w, r, "/Console/", http.StatusFound) })

	srv := &http.Server{Addr: ":" + port, Handler: mux, ReadHeaderTimeout: 10 * time.Second}
	errc := make(chan error, 1)
	go func() { errc <- srv.ListenAndServe() }()
	env.Logger.WithField("functions", names).WithField("backend", env.Config.Backend).
		WithField("carrier", env.Config.Carrier).
		Infof("smsdesk dev server on :%s; agent console at %s/Console/, phone simulator at %s/Simulator", port, env.Config.PublicBaseURL, env.Config.PublicBaseURL)
	select {
	case err := <-errc:
		if !errors.Is(err, http.ErrServerClosed) {
			return err
		}
	case <-ctx.Done():
	}
	shutdown, cancelShutdown := context.WithTimeout(context.Background(), 5*time.Second)
	defer cancelShutdown()
	return srv.Shutdown(shutdown)
}

// loadDemo imports the demo configuration and its canned messages.
func loadDemo(ctx context.Context, env *platform.Env) error {
	adm, err := jobs.Admin(ctx, env)
	if err != nil {
		return err
	}
	if err := adm.ImportConfig(ctx, demo.WithEveryCarrier()); err != nil {
		return fmt.Errorf("load demo configuration: %w", err)
	}
	d, err := jobs.Desk(ctx, env)
	if err != nil {
		return err
	}
	for _, c := range demo.CannedMessages() {
		if _, err := d.PutCanned(ctx, access.Viewer{UID: "demo", Supervisor: true}, c); err != nil {
			return fmt.Errorf("load demo canned message %s: %w", c.ID, err)
		}
	}
	return nil
}
