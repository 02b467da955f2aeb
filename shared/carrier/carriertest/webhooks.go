package carriertest

import (
	"bytes"
	"fmt"
	"net/http"
	"net/http/httptest"
	"net/url"
	"strings"
)

// writer records what Authenticate answered.
type writer struct {
	header http.Header
	status int
	body   bytes.Buffer
	wrote  bool
}

func (w *writer) Header() http.Header {
	if w.header == nil {
		w.header = http.Header{}
	}
	return w.header
}

func (w *writer) WriteHeader(code int) {
	if !w.wrote {
		w.status, w.wrote = code, true
	}
}

func (w *writer) Write(b []byte) (int, error) {
	w.WriteHeader(http.StatusOK)
	return w.body.Write(b)
}

// Request builds a callback as the provider posts it: body to requestURL,
// signed with key for signedURL; an empty key means unsigned.
func (p Provider) Request(key, signedURL, requestURL string, body []byte) *http.Request {
	var h http.Header
	if key != "" {
		h = p.Sign(key, signedURL, body)
	}
	return p.request(requestURL, body, h)
}

func (p Provider) request(requestURL string, body []byte, h http.Header) *http.Request {
	r := httptest.NewRequest(http.MethodPost, requestURL, bytes.NewReader(body))
	r.Header.Set("Content-Type", p.contentType())
	for k, vs := range h {
		r.Header[k] = append([]string(nil), vs...)
	}
	return r
}

// SignedRequest is a genuine callback of a kind carrying body, posted to
// and signed for the kind's public URL.
func (p Provider) SignedRequest(kind Kind, body []byte) *http.Request {
	_, full := p.PublicURL(kind)
	return p.Request(p.Key, full, full, body)
}

// Forgery is a callback the provider's Webhooks must refuse.
type Forgery struct {
	Name    string
	Request *http.Request
}

type forgery struct {
	name  string
	build func() (*http.Request, error)
}

// Forgeries returns the refused rows' requests for a kind, built from the
// provider's first well-formed capture of that kind and aimed at the
// kind's public URL: for handler tests that check a refused callback
// changes nothing.
func (p Provider) Forgeries(kind Kind) ([]Forgery, error) {
	base, ok := p.base(kind)
	if !ok {
		return nil, fmt.Errorf("no well-formed %s capture", kind)
	}
	return p.ForgeriesOf(kind, []byte(base.Body))
}

// ForgeriesOf is Forgeries of a given callback body: one that would change
// something if it were accepted.
func (p Provider) ForgeriesOf(kind Kind, body []byte) ([]Forgery, error) {
	var out []Forgery
	for _, f := range p.forgeries(kind, body) {
		r, err := f.build()
		if err != nil {
			return nil, fmt.Errorf("%s: %w", f.name, err)
		}
		out = append(out, Forgery{Name: f.name, Request: r})
	}
	return out, nil
}

// elsewhere is fullURL with its scheme and host replaced.
func elsewhere(fullURL, schemeHost string) string {
	u, err := url.Parse(fullURL)
	if err != nil {
		return schemeHost
	}
	return schemeHost + u.RequestURI()
}

func (p Provider) forgeries(kind Kind, body []byte) []forgery {
	_, full := p.PublicURL(kind)
	fs := []forgery{
		{"unsigned", func() (*http.Request, error) { return p.Request("", full, full, body), nil }},
		{"wrong key", func() (*http.Request, error) {
			if p.WrongKey == "" || p.WrongKey == p.Key {
				return nil, fmt.Errorf("Provider.WrongKey must be a key other than Key")
			}
			return p.Request(p.WrongKey, full, full, body), nil
		}},
		{"signed for another URL", func() (*http.Request, error) {
			return p.Request(p.Key, elsewhere(full, "https://evil.example"), full, body), nil
		}},
		// Behind a load balancer the request's Host is the internal
		// address; a callback signed for it is not one the provider made
		// for our public URL.
		{"signed for the request's Host", func() (*http.Request, error) {
			internal := elsewhere(full, "http://10.128.0.7:8080")
			return p.Request(p.Key, internal, internal, body), nil
		}},
		{"tampered body", func() (*http.Request, error) {
			if p.Tamper == nil {
				return nil, fmt.Errorf("no Provider.Tamper")
			}
			tampered := p.Tamper(body)
			if bytes.Equal(tampered, body) {
				return nil, fmt.Errorf("Provider.Tamper left the body as it was")
			}
			return p.request(full, tampered, p.Sign(p.Key, full, body)), nil
		}},
		{"repeated parameter", func() (*http.Request, error) {
			if p.Repeat == nil {
				return nil, fmt.Errorf("no Provider.Repeat")
			}
			return p.Request(p.Key, full, full, p.Repeat(body)), nil
		}},
	}
	if kind == KindStatus {
		// The query names the message; changing it would apply the report
		// to another message.
		fs = append(fs, forgery{"query altered after signing", func() (*http.Request, error) {
			other := StatusRef
			other.Seq++
			altered := p.urls().StatusCallback(p.Name, other)
			if altered == full {
				return nil, fmt.Errorf("the status callback URL does not carry the message")
			}
			return p.request(altered, body, p.Sign(p.Key, full, body)), nil
		}})
	}
	return fs
}

func (p Provider) authenticate(kind Kind, r *http.Request) (bool, *writer) {
	public, _ := p.PublicURL(kind)
	w := &writer{}
	return p.Webhooks.Authenticate(w, r, public), w
}

func (p Provider) parse(kind Kind, r *http.Request) (any, error) {
	if kind == KindInbound {
		return p.Webhooks.ParseInbound(r)
	}
	return p.Webhooks.ParseStatus(r)
}

// accept authenticates a genuine callback and parses it.
func (p Provider) accept(kind Kind, r *http.Request) (any, error) {
	ok, w := p.authenticate(kind, r)
	if !ok {
		return nil, fmt.Errorf("a correctly signed %s callback was refused: %d %s", kind, w.status, strings.TrimSpace(w.body.String()))
	}
	if w.wrote {
		return nil, fmt.Errorf("Authenticate answered %d to a callback it accepted; the handler answers those", w.status)
	}
	return p.parse(kind, r)
}

func webhookRows(p Provider, kind Kind) []Row {
	prefix := "webhooks/" + string(kind) + "/"
	base, haveBase := p.base(kind)
	body := []byte(base.Body)
	names := []string{"signed"}
	fs := p.forgeries(kind, body)
	for _, f := range fs {
		names = append(names, f.name)
	}
	var lack func() error
	switch {
	case p.Webhooks == nil:
		lack = missing("Webhooks")
	case p.Sign == nil:
		lack = missing("Sign")
	case !haveBase:
		lack = missing("well-formed " + string(kind) + " capture")
	}
	if lack != nil {
		rows := make([]Row, len(names))
		for i, n := range names {
			rows[i] = Row{Name: prefix + n, Check: lack}
		}
		return rows
	}
	rows := []Row{{Name: prefix + "signed", Check: func() error {
		if _, err := p.accept(kind, p.SignedRequest(kind, body)); err != nil {
			return fmt.Errorf("capture %q: %w", base.Name, err)
		}
		return nil
	}}}
	for _, f := range fs {
		rows = append(rows, Row{Name: prefix + f.name, Check: func() error {
			r, err := f.build()
			if err != nil {
				return err
			}
			ok, w := p.authenticate(kind, r)
			switch {
			case ok:
				return fmt.Errorf("Authenticate accepted a %s callback %s; it must refuse it before anything is parsed", kind, f.name)
			case !w.wrote || w.status != p.refusedStatus():
				return fmt.Errorf("refused with %d, want %d", w.status, p.refusedStatus())
			}
			return nil
		}})
	}
	return rows
}
