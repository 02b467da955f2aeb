package carriertest

import (
	"context"
	"errors"
	"fmt"
	"net"
	"net/http"
	"time"

	"github.com/google/go-cmp/cmp"

	"github.com/smsdesk/smsdesk/shared/carrier"
)

// The numbers the send rows text from and to.
const (
	From = "+14155550101"
	To   = "+14155550142"
)

// hangFor is how long the timeout row waits for an answer that never
// comes; the stand-in hangs until the client gives up.
const hangFor = 300 * time.Millisecond

func (p Provider) outbound(body string, media ...string) carrier.OutboundSMS {
	_, cb := p.PublicURL(KindStatus)
	return carrier.OutboundSMS{From: From, To: To, Body: body, MediaURLs: media, StatusCallbackURL: cb}
}

func (p Provider) sender() (carrier.Sender, error) {
	if p.NewSender == nil || p.StandIn == nil {
		return nil, missing("NewSender and StandIn")()
	}
	s, err := p.NewSender(p.StandIn.URL())
	if err != nil {
		return nil, fmt.Errorf("NewSender(%q): %w", p.StandIn.URL(), err)
	}
	return s, nil
}

func send(s carrier.Sender, msg carrier.OutboundSMS, timeout time.Duration) (carrier.SendResult, error) {
	ctx, cancel := context.WithTimeout(context.Background(), timeout)
	defer cancel()
	return s.Send(ctx, msg)
}

// sent checks a successful send: the provider's message id, and the
// stand-in created exactly that message.
func (p Provider) sent(s carrier.Sender, msg carrier.OutboundSMS) error {
	before := len(p.StandIn.Accepted())
	res, err := send(s, msg, 10*time.Second)
	if err != nil {
		return fmt.Errorf("send: %w", err)
	}
	if res.ProviderMessageID == "" || !res.Status.Known() {
		return fmt.Errorf("send answered %+v, want the provider's message id and a known status", res)
	}
	acc := p.StandIn.Accepted()
	if len(acc) != before+1 {
		return fmt.Errorf("the stand-in created %d messages, want 1", len(acc)-before)
	}
	want := Accepted{ID: res.ProviderMessageID, From: msg.From, To: msg.To, Body: msg.Body, MediaURLs: msg.MediaURLs, StatusCallback: msg.StatusCallbackURL}
	if d := cmp.Diff(want, acc[len(acc)-1]); d != "" {
		return fmt.Errorf("the stand-in created (-want +got):\n%s", d)
	}
	return nil
}

func classified(err error, class carrier.ErrorClass, code string, optedOut bool) error {
	var ce *carrier.Error
	switch {
	case err == nil:
		return fmt.Errorf("send succeeded, want a %v *carrier.Error", class)
	case !errors.As(err, &ce):
		return fmt.Errorf("error %v (%T) is not a *carrier.Error", err, err)
	case ce.Class != class || ce.OptedOut != optedOut || code != "" && ce.Code != code:
		return fmt.Errorf("classified %+v, want class %v, code %q, opted out %v", *ce, class, code, optedOut)
	}
	return nil
}

// explained checks that a refused send says what the provider's code
// means: the agent's sentence and the flags.
func explained(err error, m carrier.Meaning) error {
	var ce *carrier.Error
	errors.As(err, &ce)
	got := carrier.Meaning{Sentence: ce.Message, Class: ce.Class, OptedOut: ce.OptedOut, Unregistered: ce.Unregistered,
		Undeliverable: ce.Undeliverable, Alert: ce.Alert}
	if d := cmp.Diff(m, got); d != "" {
		return fmt.Errorf("code %s explained (-want +got):\n%s", ce.Code, d)
	}
	return nil
}

func sendRows(p Provider) []Row {
	rows := []Row{
		{Name: "send/sms", Check: func() error {
			s, err := p.sender()
			if err != nil {
				return err
			}
			return p.sent(s, p.outbound("Your order has shipped. Reply STOP to opt out."))
		}},
		{Name: "send/mms with several media", Check: func() error {
			s, err := p.sender()
			if err != nil {
				return err
			}
			return p.sent(s, p.outbound("Photos of the damage", "https://media.acme.example/a.jpg",
				"https://media.acme.example/b.png", "https://media.acme.example/c.gif"))
		}},
	}
	errRows := append([]SendError(nil), p.SendErrors...)
	if len(errRows) == 0 {
		rows = append(rows, Row{Name: "send/error", Check: missing("SendErrors")})
	}
	errRows = append(errRows,
		SendError{Name: "http 429", Answer: Answer{HTTPStatus: http.StatusTooManyRequests}, Class: carrier.Retryable},
		SendError{Name: "http 500", Answer: Answer{HTTPStatus: http.StatusInternalServerError}, Class: carrier.Retryable},
		SendError{Name: "http 503", Answer: Answer{HTTPStatus: http.StatusServiceUnavailable}, Class: carrier.Retryable},
		SendError{Name: "http 503 page from a proxy", Class: carrier.Retryable, Answer: Answer{HTTPStatus: http.StatusServiceUnavailable,
			Body: "<html><head><title>503 Service Unavailable</title></head><body>Service Unavailable</body></html>"}},
	)
	for _, e := range errRows {
		rows = append(rows, Row{Name: "send/error/" + e.Name, Check: func() error { return p.sendError(e) }})
	}
	rows = append(rows,
		Row{Name: "send/error/outage for a while", Check: p.outage},
		Row{Name: "send/error/connection refused", Check: p.refused},
		Row{Name: "send/error/timeout after the request was sent", Check: p.timeout},
	)
	return rows
}

func (p Provider) sendError(e SendError) error {
	s, err := p.sender()
	if err != nil {
		return err
	}
	p.StandIn.Recover()
	defer p.StandIn.Recover()
	a := e.Answer
	if a.Times == 0 && a.For == 0 {
		a.Times = 1
	}
	code := e.Code
	if code == "" {
		code = a.Code
	}
	msg := p.outbound("Your order has shipped.")
	before := len(p.StandIn.Accepted())
	p.StandIn.Answer(a)
	_, err = send(s, msg, 10*time.Second)
	if err := classified(err, e.Class, code, e.OptedOut); err != nil {
		return err
	}
	if m, ok := p.Meanings[code]; ok {
		if err := explained(err, m); err != nil {
			return err
		}
	}
	if n := len(p.StandIn.Accepted()) - before; n != 0 {
		return fmt.Errorf("the stand-in created %d messages for a refused send", n)
	}
	if e.Class == carrier.Retryable && a.Times == 1 {
		if err := p.sent(s, msg); err != nil {
			return fmt.Errorf("retry after a retryable error: %w", err)
		}
	}
	return nil
}

// outage: the API answers 503 for a while; every failure until then is
// retryable and a send succeeds once it is over.
func (p Provider) outage() error {
	s, err := p.sender()
	if err != nil {
		return err
	}
	p.StandIn.Recover()
	defer p.StandIn.Recover()
	p.StandIn.Answer(Answer{HTTPStatus: http.StatusServiceUnavailable, For: 200 * time.Millisecond})
	msg := p.outbound("Your order has shipped.")
	failures := 0
	for deadline := time.Now().Add(5 * time.Second); time.Now().Before(deadline); time.Sleep(20 * time.Millisecond) {
		_, err := send(s, msg, 5*time.Second)
		if err == nil {
			if failures == 0 {
				return fmt.Errorf("the first send during the outage succeeded")
			}
			return nil
		}
		if err := classified(err, carrier.Retryable, "", false); err != nil {
			return fmt.Errorf("attempt %d: %w", failures+1, err)
		}
		failures++
	}
	return fmt.Errorf("sends still fail after the outage (%d failures)", failures)
}

// refused: nothing listens at the API address, so the provider never saw
// the request and a retry is safe.
func (p Provider) refused() error {
	if p.NewSender == nil {
		return missing("NewSender")()
	}
	l, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		return err
	}
	addr := l.Addr().String()
	if err := l.Close(); err != nil {
		return err
	}
	s, err := p.NewSender("http://" + addr)
	if err != nil {
		return err
	}
	_, err = send(s, p.outbound("Your order has shipped."), 10*time.Second)
	return classified(err, carrier.Retryable, "", false)
}

// timeout: the request reached the API and no answer came back: the
// message may exist, so sending again could text the consumer twice.
func (p Provider) timeout() error {
	s, err := p.sender()
	if err != nil {
		return err
	}
	p.StandIn.Recover()
	defer p.StandIn.Recover()
	before, created := p.StandIn.Requests(), len(p.StandIn.Accepted())
	p.StandIn.Answer(Answer{Hang: true, Times: 1})
	_, err = send(s, p.outbound("Your order has shipped."), hangFor)
	if err := classified(err, carrier.Ambiguous, "", false); err != nil {
		return err
	}
	// The stand-in counts a request when its handler starts, which may
	// trail the client's giving up on a loaded machine.
	for deadline := time.Now().Add(2 * time.Second); p.StandIn.Requests()-before < 1 && time.Now().Before(deadline); {
		time.Sleep(5 * time.Millisecond)
	}
	if got := p.StandIn.Requests() - before; got != 1 {
		return fmt.Errorf("the stand-in saw %d requests, want the 1 that timed out", got)
	}
	if n := len(p.StandIn.Accepted()) - created; n != 0 {
		return fmt.Errorf("the stand-in created %d messages", n)
	}
	return nil
}
