// Package consoletest runs the console in headless Chromium for tests: it
// finds Debian's chromium (or CHROMIUM_PATH), starts one browser per test,
// and keeps screenshots as test artifacts outside the repository.
package consoletest

import (
	"context"
	"errors"
	"fmt"
	"os"
	"os/exec"
	"path/filepath"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/chromedp/chromedp"
)

// ChromiumPath returns the browser to drive: $CHROMIUM_PATH, else chromium
// (Debian's package, which .ci/run installs), chromium-browser or
// google-chrome on PATH. Without one the test is skipped, except under
// CI=true, where it fails: the browser tests must run in CI.
func ChromiumPath(t testing.TB) string {
	t.Helper()
	if p := os.Getenv("CHROMIUM_PATH"); p != "" {
		if _, err := os.Stat(p); err != nil {
			t.Fatalf("CHROMIUM_PATH=%s: %v", p, err)
		}
		return p
	}
	for _, name := range []string{"chromium", "chromium-browser", "google-chrome", "google-chrome-stable"} {
		if p, err := exec.LookPath(name); err == nil {
			return p
		}
	}
	msg := "no Chromium found (install Debian's chromium package or set CHROMIUM_PATH)"
	if os.Getenv("CI") == "true" {
		t.Fatal(msg + "; CI=true requires the browser tests to run")
	}
	t.Skip(msg)
	return ""
}

// Browser starts one headless Chromium for the test and returns a context
// for its first tab; NewTab and NewSession open more tabs in the same
// process. Everything is closed when the test ends.
func Browser(t testing.TB) context.Context {
	t.Helper()
	path := ChromiumPath(t)
	opts := append(chromedp.DefaultExecAllocatorOptions[:],
		chromedp.ExecPath(path),
		chromedp.Flag("headless", "new"),
		chromedp.Flag("disable-gpu", true),
		chromedp.Flag("no-first-run", true),
		chromedp.WindowSize(1280, 900),
	)
	if os.Geteuid() == 0 {
		// Chromium refuses to sandbox itself as root (CI containers).
		opts = append(opts, chromedp.NoSandbox)
	}
	alloc, cancelAlloc := chromedp.NewExecAllocator(context.Background(), opts...)
	ctx, cancel := chromedp.NewContext(alloc, chromedp.WithLogf(t.Logf), chromedp.WithErrorf(func(f string, a ...any) {
		// The protocol evolves faster than cdproto; unknown events are noise.
		if msg := fmt.Sprintf(f, a...); !strings.Contains(msg, "unhandled") && !strings.Contains(msg, "could not unmarshal") {
			t.Logf("chromium: %s", msg)
		}
	}))
	t.Cleanup(func() {
		cancel()
		cancelAlloc()
	})
	start := time.Now()
	if err := chromedp.Do(ctx); err != nil { // starts the browser, without a deadline
		t.Fatalf("start %s: %v", path, err)
	}
	t.Logf("chromium %s started in %v", path, time.Since(start).Round(time.Millisecond))
	return ctx
}

// NewSession opens a tab in a new browser context of the same browser
// process: its own cookies and storage, as a second person at another
// computer.
func NewSession(t testing.TB, browser context.Context) context.Context {
	t.Helper()
	ctx, cancel := chromedp.NewContext(browser, chromedp.WithNewBrowserContext())
	t.Cleanup(cancel)
	if err := chromedp.Do(ctx); err != nil {
		t.Fatalf("open a browser context: %v", err)
	}
	return ctx
}

// Timeout derives a context that limits one step without stopping the
// browser when it ends.
func Timeout(t testing.TB, ctx context.Context, d time.Duration) context.Context {
	t.Helper()
	c, cancel := context.WithTimeout(ctx, d)
	t.Cleanup(cancel)
	return c
}

// ArtifactDir is where tests keep what a person may want to look at after a
// run (screenshots): $SMSDESK_ARTIFACTS, else testdata/artifacts under the
// system's temporary directory. Never the repository.
func ArtifactDir(t testing.TB) string {
	t.Helper()
	dir := os.Getenv("SMSDESK_ARTIFACTS")
	if dir == "" {
		dir = filepath.Join(os.TempDir(), "testdata", "artifacts")
	}
	if err := os.MkdirAll(dir, 0o755); err != nil {
		t.Fatalf("artifact directory %s: %v", dir, err)
	}
	return dir
}

// Screenshot saves a full-page PNG of the tab as an artifact named after the
// test and name, logs its path and returns it.
func Screenshot(t testing.TB, ctx context.Context, name string) string {
	t.Helper()
	png, err := chromedp.Run(ctx, chromedp.FullScreenshot(100))
	if err != nil {
		t.Errorf("screenshot %s: %v", name, err)
		return ""
	}
	file := filepath.Join(ArtifactDir(t), sanitize(t.Name())+"-"+sanitize(name)+".png")
	if err := os.WriteFile(file, png, 0o644); err != nil {
		t.Errorf("write screenshot: %v", err)
		return ""
	}
	t.Logf("screenshot: %s", file)
	return file
}

// ViewportScreenshot saves what the tab's viewport shows, as a person sees
// it (a full-page screenshot enlarges the viewport to the page and so
// changes a layout of fixed panes), and returns its path.
func ViewportScreenshot(t testing.TB, ctx context.Context, name string) string {
	t.Helper()
	png, err := chromedp.Run(ctx, chromedp.CaptureScreenshot())
	if err != nil {
		t.Errorf("screenshot %s: %v", name, err)
		return ""
	}
	file := filepath.Join(ArtifactDir(t), sanitize(t.Name())+"-"+sanitize(name)+".png")
	if err := os.WriteFile(file, png, 0o644); err != nil {
		t.Errorf("write screenshot: %v", err)
		return ""
	}
	t.Logf("screenshot: %s", file)
	return file
}

func sanitize(s string) string {
	return strings.Map(func(r rune) rune {
		switch {
		case r >= 'a' && r <= 'z', r >= 'A' && r <= 'Z', r >= '0' && r <= '9', r == '-', r == '_', r == '.':
			return r
		}
		return '_'
	}, s)
}

// ErrJS reports a page's JavaScript exceptions and console errors collected
// by WatchConsole.
var ErrJS = errors.New("javascript error in the page")

// WatchConsole collects the tab's uncaught exceptions, console.error calls
// and browser errors such as Content-Security-Policy violations (failed
// network requests excepted: a refused API call is a case the page
// handles), and reports them as test errors when the test ends, so a broken
// script fails the test with its message instead of a timeout.
func WatchConsole(t testing.TB, ctx context.Context, who string) {
	t.Helper()
	watch, stop := context.WithCancel(ctx)
	msgs := chromedp.Console(watch)
	var (
		mu       sync.Mutex
		problems []string
	)
	done := make(chan struct{})
	go func() {
		defer close(done)
		for m, err := range msgs {
			if err != nil {
				return
			}
			if m.IsException() || (m.Type == chromedp.ConsoleError && m.Source != "network") {
				mu.Lock()
				problems = append(problems, fmt.Sprintf("%s: %s (%s:%d)", m.Type, m.Text, m.URL, m.Line+1))
				mu.Unlock()
			}
		}
	}()
	t.Cleanup(func() {
		stop()
		<-done
		mu.Lock()
		defer mu.Unlock()
		for _, p := range problems {
			t.Errorf("%s's page: %v: %s", who, ErrJS, p)
		}
	})
}
