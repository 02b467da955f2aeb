package platform_test

import (
	"errors"
	"io"
	"sync"
	"sync/atomic"
	"testing"

	"github.com/sirupsen/logrus"

	"github.com/smsdesk/smsdesk/shared/config"
	"github.com/smsdesk/smsdesk/shared/logging"
	"github.com/smsdesk/smsdesk/shared/platform"
)

func newEnv() *platform.Env {
	return platform.NewEnv(config.Config{}, logging.New(io.Discard, logrus.InfoLevel, ""))
}

func TestPartIsBuiltOncePerEnv(t *testing.T) {
	e := newEnv()
	var builds atomic.Int32
	build := func() (*int, error) {
		builds.Add(1)
		v := 42
		return &v, nil
	}
	var wg sync.WaitGroup
	got := make([]*int, 8)
	for i := range got {
		wg.Go(func() {
			v, err := platform.Part(e, "answer", build)
			if err != nil {
				t.Error(err)
			}
			got[i] = v
		})
	}
	wg.Wait()
	for _, v := range got {
		if v != got[0] {
			t.Fatal("callers got different instances")
		}
	}
	if n := builds.Load(); n != 1 {
		t.Errorf("built %d times, want once", n)
	}
	// Another Env builds its own: tests and processes never share clients.
	other, _ := platform.Part(newEnv(), "answer", build)
	if other == got[0] || builds.Load() != 2 {
		t.Error("a second Env reused the first one's part")
	}
}

func TestFailedPartKeepsItsError(t *testing.T) {
	e := newEnv()
	boom := errors.New("MEDIA_BUCKET: no such bucket")
	calls := 0
	for range 3 {
		_, err := platform.Part(e, "media", func() (string, error) { calls++; return "", boom })
		if !errors.Is(err, boom) {
			t.Fatalf("err = %v, want the build's error", err)
		}
	}
	if calls != 1 {
		t.Errorf("a failed build ran %d times; it is remembered, not retried per caller", calls)
	}
}

func TestCloseRunsNewestFirst(t *testing.T) {
	e := newEnv()
	var order []string
	e.OnClose(func() error { order = append(order, "store"); return nil })
	e.OnClose(func() error { order = append(order, "bus"); return errors.New("bus: already closed") })
	if err := e.Close(); err == nil || err.Error() != "bus: already closed" {
		t.Errorf("Close = %v, want the first error", err)
	}
	if len(order) != 2 || order[0] != "bus" || order[1] != "store" {
		t.Errorf("closed %v, want newest first", order)
	}
	if err := e.Close(); err != nil || len(order) != 2 {
		t.Error("a second Close ran the closers again")
	}
}
