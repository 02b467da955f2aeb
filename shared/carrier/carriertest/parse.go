package carriertest

import (
	"errors"
	"fmt"
	"sort"

	"github.com/google/go-cmp/cmp"

	"github.com/smsdesk/smsdesk/shared/carrier"
	"github.com/smsdesk/smsdesk/shared/chat"
)

// wantField checks that err is a *carrier.FieldError naming field (any
// field when field is "").
func wantField(err error, field string) error {
	var fe *carrier.FieldError
	switch {
	case err == nil:
		return fmt.Errorf("parsed without error, want a *carrier.FieldError on %q", field)
	case !errors.As(err, &fe):
		return fmt.Errorf("error %v (%T) is not a *carrier.FieldError", err, err)
	case fe.Field == "":
		return fmt.Errorf("FieldError %q names no field", fe)
	case field != "" && fe.Field != field:
		return fmt.Errorf("FieldError names %q (%v), want %q", fe.Field, fe, field)
	}
	return nil
}

func parseRows(p Provider) []Row {
	var rows []Row
	for _, kind := range []Kind{KindInbound, KindStatus} {
		n := 0
		for _, c := range p.Captures {
			if c.Kind != kind {
				continue
			}
			n++
			rows = append(rows, Row{Name: "parse/" + string(kind) + "/" + c.Name, Check: func() error {
				if err := c.validate(); err != nil {
					return err
				}
				if p.Webhooks == nil || p.Sign == nil {
					return missing("Webhooks and Sign")()
				}
				got, err := p.accept(kind, p.SignedRequest(kind, []byte(c.Body)))
				if c.Field != "" {
					return wantField(err, c.Field)
				}
				if err != nil {
					return fmt.Errorf("captured %s callback did not parse: %w", kind, err)
				}
				var want any
				if kind == KindInbound {
					want = *c.Inbound
				} else {
					want = *c.Status
				}
				if d := cmp.Diff(want, got); d != "" {
					return fmt.Errorf("parsed (-want +got):\n%s", d)
				}
				return nil
			}})
		}
		if n == 0 {
			rows = append(rows, Row{Name: "parse/" + string(kind), Check: missing(string(kind) + " captures")})
		}
	}
	return rows
}

// statusOf posts a status callback and parses it.
func (p Provider) statusOf(id, word, code string) (carrier.Status, error) {
	got, err := p.accept(KindStatus, p.SignedRequest(KindStatus, p.StatusCallback(id, word, code)))
	if err != nil {
		return carrier.Status{}, err
	}
	return got.(carrier.Status), nil
}

func statusRows(p Provider) []Row {
	const id = "carriertest-message-1"
	lacks := func() error {
		switch {
		case p.Webhooks == nil || p.Sign == nil:
			return missing("Webhooks and Sign")()
		case p.StatusCallback == nil:
			return missing("StatusCallback")()
		}
		return nil
	}
	words := make([]string, 0, len(p.StatusWords))
	failedWord := ""
	for w, s := range p.StatusWords {
		words = append(words, w)
		if s == chat.DeliveryFailed && (failedWord == "" || w < failedWord) {
			failedWord = w
		}
	}
	sort.Strings(words)
	var rows []Row
	if len(words) == 0 {
		rows = append(rows, Row{Name: "status/word", Check: missing("StatusWords")})
	}
	for _, w := range words {
		rows = append(rows, Row{Name: "status/word/" + w, Check: func() error {
			if err := lacks(); err != nil {
				return err
			}
			want := p.StatusWords[w]
			if !want.Known() {
				return fmt.Errorf("StatusWords maps %q to %q, which is not a chat.DeliveryStatus", w, want)
			}
			st, err := p.statusOf(id, w, "")
			if err != nil {
				return err
			}
			if st.Status != want || st.ProviderMessageID != id || st.OptedOut {
				return fmt.Errorf("parsed %+v, want status %q for %s, not opted out", st, want, id)
			}
			return nil
		}})
	}
	rows = append(rows, Row{Name: "status/word/an unknown word", Check: func() error {
		if err := lacks(); err != nil {
			return err
		}
		_, err := p.statusOf(id, "carriertest-no-such-status", "")
		return wantField(err, "")
	}})
	optedOut := func(code string, want bool) func() error {
		return func() error {
			if err := lacks(); err != nil {
				return err
			}
			if failedWord == "" {
				return fmt.Errorf("StatusWords maps no word to %q", chat.DeliveryFailed)
			}
			st, err := p.statusOf(id, failedWord, code)
			if err != nil {
				return err
			}
			if st.Status != chat.DeliveryFailed || st.ErrorCode != code || st.OptedOut != want {
				return fmt.Errorf("parsed %+v, want failed with code %s and OptedOut %v", st, code, want)
			}
			return nil
		}
	}
	if len(p.OptedOutCodes) == 0 {
		rows = append(rows, Row{Name: "status/opted out", Check: missing("OptedOutCodes")})
	}
	for _, code := range p.OptedOutCodes {
		rows = append(rows, Row{Name: "status/opted out/" + code, Check: optedOut(code, true)})
	}
	if len(p.Meanings) == 0 {
		rows = append(rows, Row{Name: "status/meaning", Check: missing("Meanings")})
	}
	codes := make([]string, 0, len(p.Meanings))
	for code := range p.Meanings {
		codes = append(codes, code)
	}
	sort.Strings(codes)
	for _, code := range codes {
		m := p.Meanings[code]
		rows = append(rows, Row{Name: "status/meaning/" + code, Check: func() error {
			if err := lacks(); err != nil {
				return err
			}
			if failedWord == "" {
				return fmt.Errorf("StatusWords maps no word to %q", chat.DeliveryFailed)
			}
			st, err := p.statusOf(id, failedWord, code)
			if err != nil {
				return err
			}
			got := carrier.Meaning{Sentence: st.ErrorMessage, Class: m.Class, OptedOut: st.OptedOut, Unregistered: st.Unregistered,
				Undeliverable: st.Undeliverable, Alert: st.Alert}
			if d := cmp.Diff(m, got); d != "" || st.ErrorCode != code {
				return fmt.Errorf("failed status with code %s (got code %q) explained (-want +got):\n%s", code, st.ErrorCode, d)
			}
			return nil
		}})
	}
	if p.NotOptedOutCode == "" {
		rows = append(rows, Row{Name: "status/not opted out", Check: missing("NotOptedOutCode")})
	} else {
		rows = append(rows, Row{Name: "status/not opted out/" + p.NotOptedOutCode, Check: optedOut(p.NotOptedOutCode, false)})
	}
	return rows
}
