// Package platform turns a process's environment into the clients its
// functions use. An Env holds the configuration and builds each client the
// first time a function asks for it, once per Env: a deployed function
// builds only what it uses, and scripts/dev, which serves every function
// from one process, shares one store, bus and task queue between them.
//
// The builders live in the subpackages, one per kind of client (storeenv,
// busenv, tasksenv, mediaenv, carrierenv, authenv) and one per use-case
// bundle (jobs); a function imports only the ones it needs, so its binary
// links only those clients. The process's Env is the one piece of global
// state the project allows: lazily built production clients.
package platform

import (
	"context"
	"fmt"
	"net/http"
	"os"
	"sync"
	"time"

	"github.com/sirupsen/logrus"

	"github.com/smsdesk/smsdesk/shared/config"
	"github.com/smsdesk/smsdesk/shared/logging"
	"github.com/smsdesk/smsdesk/shared/wire"
)

// Env is one deployment's configuration and the clients built from it.
type Env struct {
	Config config.Config
	Logger *logrus.Logger

	mu      sync.Mutex
	parts   map[string]*part
	closers []func() error
}

type part struct {
	once  sync.Once
	value any
	err   error
}

// NewEnv returns an Env that builds nothing until asked.
func NewEnv(cfg config.Config, logger *logrus.Logger) *Env {
	return &Env{Config: cfg, Logger: logger, parts: map[string]*part{}}
}

// URLs are the deployment's function URLs.
func (e *Env) URLs() wire.URLs {
	return wire.URLs{Public: e.Config.PublicBaseURL, Internal: e.Config.InternalBaseURL}
}

// Part returns the component kept under key, built by build on first use.
// A failed build is remembered: every caller gets the same error, which
// names what to fix. build may ask for other parts, never its own key.
func Part[T any](e *Env, key string, build func() (T, error)) (T, error) {
	e.mu.Lock()
	p, ok := e.parts[key]
	if !ok {
		p = &part{}
		e.parts[key] = p
	}
	e.mu.Unlock()
	p.once.Do(func() { p.value, p.err = build() })
	if p.err != nil {
		var zero T
		return zero, p.err
	}
	return p.value.(T), nil
}

// OnClose registers a client's Close, run by Close newest first.
func (e *Env) OnClose(fn func() error) {
	e.mu.Lock()
	defer e.mu.Unlock()
	e.closers = append(e.closers, fn)
}

// Close releases every client built, newest first.
func (e *Env) Close() error {
	e.mu.Lock()
	closers := e.closers
	e.closers = nil
	e.mu.Unlock()
	var first error
	for i := len(closers) - 1; i >= 0; i-- {
		if err := closers[i](); err != nil && first == nil {
			first = err
		}
	}
	return first
}

// process is this process's Env, made on first use.
var process struct {
	once sync.Once
	env  *Env
	err  error
}

// Process returns the Env of the process environment.
func Process() (*Env, error) {
	process.once.Do(func() {
		cfg, err := config.Load(os.Getenv)
		logger := logging.New(os.Stderr, cfg.LogLevel, cfg.ProjectID)
		if err != nil {
			logger.WithError(err).Error("invalid configuration")
			process.err = err
			return
		}
		process.env = NewEnv(cfg, logger)
	})
	return process.env, process.err
}

// BuildTimeout bounds building a function's clients on its first request.
const BuildTimeout = 30 * time.Second

// Handler returns a function's HTTP handler, built from the process's Env
// on the first request. A configuration or start-up error answers 500 with
// the error, which names every variable to fix; the build is tried again
// on the next request only if the process is restarted.
func Handler(name string, build func(ctx context.Context, e *Env) (http.Handler, error)) http.Handler {
	var once sync.Once
	var h http.Handler
	return http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		once.Do(func() {
			e, err := Process()
			if err == nil {
				ctx, cancel := context.WithTimeout(context.WithoutCancel(r.Context()), BuildTimeout)
				h, err = build(ctx, e)
				cancel()
				if err != nil {
					e.Logger.WithError(err).Error("could not start")
				}
			}
			if err != nil {
				msg := fmt.Sprintf("%s cannot start: %v", name, err)
				h = http.HandlerFunc(func(w http.ResponseWriter, _ *http.Request) {
					http.Error(w, msg, http.StatusInternalServerError)
				})
				return
			}
			h = logging.Middleware(e.Logger, e.Config.ProjectID, name, h)
		})
		h.ServeHTTP(w, r)
	})
}
