package media_test

import (
	"context"
	"net/http"
	"net/http/httptest"
	"net/url"
	"strings"
	"testing"

	"github.com/smsdesk/smsdesk/shared/carrier"
	"github.com/smsdesk/smsdesk/shared/carrier/twilio"
	"github.com/smsdesk/smsdesk/shared/chat"
	"github.com/smsdesk/smsdesk/shared/media"
)

// TestMediaFetchStaysOutOfOurNetwork: a signed webhook names its media
// URLs, so a download goes only to the provider's media hosts and, at dial
// time, only to public addresses, whatever a host name resolves to and
// wherever a redirect leads. A refused medium is kept as a reference with
// the reason, on the first delivery (it is never retried), and nothing is
// requested from where it pointed.
func TestMediaFetchStaysOutOfOurNetwork(t *testing.T) {
	host := newMediaHost(t) // the provider's media host, on 127.0.0.1
	cdn := newMediaHost(t)  // its CDN, reached as localhost

	cases := []struct {
		name string
		// url is the medium's URL; path the stand-in's path it names.
		url, path     string
		hosts         []string // the provider's media hosts
		redirectHosts []string
		allowLoopback bool
		provider      string // default twilio
		// wantError is in Media.Error ("" for a stored medium); wantHits is
		// how often the stand-in was asked for path.
		wantError string
		wantHits  int
		// cdnPath is a path on the CDN that must not be requested.
		cdnPath string
	}{
		{
			name: "the stand-in on an allowed loopback host", url: host.add("/ok", mediaFile{contentType: "image/png", data: pngBytes}), path: "/ok",
			hosts: []string{"127.0.0.1"}, allowLoopback: true, wantHits: 1,
		},
		{
			name: "redirected to the CDN stand-in", url: host.add("/to-cdn", mediaFile{contentType: "image/gif",
				redirect: onLocalhost(cdn.add("/cdn/ok", mediaFile{contentType: "image/gif", data: gifBytes, noAuth: true}))}),
			path: "/to-cdn", hosts: []string{"127.0.0.1"}, redirectHosts: []string{"localhost"}, allowLoopback: true, wantHits: 1,
		},
		{
			name: "a loopback URL, loopback not allowed", url: host.add("/loop", mediaFile{contentType: "image/png", data: pngBytes}), path: "/loop",
			hosts: []string{"127.0.0.1"}, wantError: "a loopback address",
		},
		{
			name: "a host not on the list", url: onLocalhost(host.add("/elsewhere", mediaFile{contentType: "image/png", data: pngBytes})), path: "/elsewhere",
			hosts: []string{"127.0.0.1"}, allowLoopback: true, wantError: "localhost is not one of twilio's media hosts",
		},
		{
			name: "Twilio's own hosts do not include loopback", url: host.add("/twilio", mediaFile{contentType: "image/png", data: pngBytes}), path: "/twilio",
			hosts: twilio.MediaAccess(mediaSID, mediaToken, "").Hosts, allowLoopback: true, wantError: "127.0.0.1 is not one of twilio's media hosts",
		},
		{
			name: "a redirect-only host named by the webhook", url: onLocalhost(cdn.add("/cdn/direct", mediaFile{contentType: "image/gif", data: gifBytes, noAuth: true})),
			hosts: []string{"127.0.0.1"}, redirectHosts: []string{"localhost"}, allowLoopback: true,
			wantError: "localhost is not one of twilio's media hosts", cdnPath: "/cdn/direct",
		},
		{
			name: "a name that resolves to loopback", url: onLocalhost(host.add("/named", mediaFile{contentType: "image/png", data: pngBytes})), path: "/named",
			hosts: []string{"localhost"}, wantError: "a loopback address",
		},
		{
			name: "a provider without media hosts", url: host.add("/unknown", mediaFile{contentType: "image/png", data: pngBytes}), path: "/unknown",
			hosts: []string{"127.0.0.1"}, allowLoopback: true, provider: "telnyx", wantError: `no media hosts are known for provider "telnyx"`,
		},
		{
			name: "redirected to the metadata server, not on the list",
			url:  host.add("/meta", mediaFile{contentType: "image/png", redirect: "http://169.254.169.254/computeMetadata/v1/"}), path: "/meta",
			hosts: []string{"127.0.0.1"}, allowLoopback: true, wantError: "redirected to 169.254.169.254, which is not one of twilio's media hosts", wantHits: 1,
		},
		{
			name: "redirected to the metadata server on the list",
			url:  host.add("/meta-listed", mediaFile{contentType: "image/png", redirect: "http://169.254.169.254/computeMetadata/v1/"}), path: "/meta-listed",
			hosts: []string{"127.0.0.1"}, redirectHosts: []string{"169.254.169.254"}, allowLoopback: true, wantError: "a link-local address", wantHits: 1,
		},
		{
			name: "redirected to a private address on the list",
			url:  host.add("/private", mediaFile{contentType: "image/png", redirect: "http://10.20.30.40:8080/admin"}), path: "/private",
			hosts: []string{"127.0.0.1"}, redirectHosts: []string{"10.20.30.40"}, allowLoopback: true, wantError: "a private address", wantHits: 1,
		},
		{
			name: "redirected to a unique local IPv6 address on the list",
			url:  host.add("/ula", mediaFile{contentType: "image/png", redirect: "http://[fd12:3456::1]/x.png"}), path: "/ula",
			hosts: []string{"127.0.0.1"}, redirectHosts: []string{"fd12:3456::1"}, allowLoopback: true, wantError: "a private address", wantHits: 1,
		},
		{
			name: "redirected to a host not on the list",
			url: host.add("/cdn-port", mediaFile{contentType: "image/gif",
				redirect: onLocalhost(cdn.add("/cdn/secret", mediaFile{contentType: "image/gif", data: gifBytes, noAuth: true}))}),
			path: "/cdn-port", hosts: []string{"127.0.0.1"}, allowLoopback: true,
			wantError: "redirected to localhost, which is not one of twilio's media hosts", wantHits: 1, cdnPath: "/cdn/secret",
		},
		{
			name: "an unspecified address, which Linux dials as loopback",
			url:  strings.Replace(host.add("/zero", mediaFile{contentType: "image/png", data: pngBytes}), "127.0.0.1", "0.0.0.0", 1), path: "/zero",
			hosts: []string{"0.0.0.0"}, allowLoopback: true, wantError: "an unspecified address",
		},
		{
			name: "not http(s)", url: "file:///etc/passwd", hosts: []string{"127.0.0.1"}, allowLoopback: true,
			wantError: "not an http(s) URL",
		},
	}
	for i, tc := range cases {
		t.Run(tc.name, func(t *testing.T) {
			t.Parallel()
			m := newMediaApp(t)
			m.app.AllowLoopback = tc.allowLoopback
			m.app.Access = map[string]carrier.MediaAccess{twilio.Name: {
				Username: mediaSID, Password: mediaToken, Hosts: tc.hosts, RedirectHosts: tc.redirectHosts,
			}}
			in := inboundWith("MMssrf"+string(rune('a'+i)), chat.Media{URL: tc.url, ContentType: "image/png"})
			if tc.provider != "" {
				in.Provider = tc.provider
			}
			// The first delivery: a refusal is final, so it does not fail.
			got, err := m.app.CopyInboundMedia(media.WithDeliveryAttempt(context.Background(), 1), in)
			if err != nil {
				t.Fatalf("CopyInboundMedia: %v (a refused medium must not be retried)", err)
			}
			md := got.Media[0]
			if tc.wantError == "" {
				if !md.Stored() || md.Error != "" {
					t.Errorf("medium = %+v, want it stored", md)
				}
			} else {
				if md.Stored() || md.URL != tc.url || !strings.HasPrefix(md.Error, "blocked: ") || !strings.Contains(md.Error, tc.wantError) {
					t.Errorf("medium = %+v, want kept as a reference, blocked with %q", md, tc.wantError)
				}
				if m.media.Len() != 0 {
					t.Errorf("%d objects stored for a refused medium", m.media.Len())
				}
			}
			if tc.path != "" {
				if h := host.hitsOf(tc.path); h != tc.wantHits {
					t.Errorf("the stand-in served %s %d times, want %d", tc.path, h, tc.wantHits)
				}
			}
			if tc.cdnPath != "" {
				if h := cdn.hitsOf(tc.cdnPath); h != 0 {
					t.Errorf("%s was requested %d times", tc.cdnPath, h)
				}
			}
		})
	}
}

// TestTwilioMediaHosts: Twilio's media URLs are fetched from its REST API
// (and the configured API host), redirects followed to its media CDN,
// credentials sent to the API only.
func TestTwilioMediaHosts(t *testing.T) {
	access := twilio.MediaAccess(mediaSID, mediaToken, "http://127.0.0.1:4010")
	cases := []struct {
		url                        string
		serves, redirects, allowed bool
	}{
		{"https://api.twilio.com/2010-04-01/Accounts/" + mediaSID + "/Messages/MM1/Media/ME1", true, true, true},
		{"https://API.Twilio.com./2010-04-01/x", true, true, true},
		{"http://127.0.0.1:9999/Media/ME1", true, true, true}, // the configured API host, any port
		{"https://mms.twiliocdn.com/AC1/abc?Expires=1&Signature=x", false, true, false},
		{"https://s3-external-1.amazonaws.com/media.twiliocdn.com/AC1/abc", false, true, false},
		{"https://www.twilio.com/x", false, false, false},
		{"https://api.twilio.com.evil.example/x", false, false, false},
		{"https://evilapi.twilio.com/x", false, false, false},
		{"https://s3.amazonaws.com/bucket/x", false, false, false},
		{"ftp://api.twilio.com/x", false, false, false},
		{"http://localhost/x", false, false, false},
	}
	for _, tc := range cases {
		u, err := url.Parse(tc.url)
		if err != nil {
			t.Fatal(err)
		}
		if got := [3]bool{access.Serves(u), access.Redirects(u), access.Allows(u)}; got != [3]bool{tc.serves, tc.redirects, tc.allowed} {
			t.Errorf("%s: serves, redirects, credentials = %v, want %v", tc.url, got, [3]bool{tc.serves, tc.redirects, tc.allowed})
		}
	}
	noCredentials := twilio.MediaAccess("", "", "")
	if u, _ := url.Parse(cases[0].url); !noCredentials.Serves(u) || noCredentials.Allows(u) {
		t.Error("without credentials Twilio's media are still fetched, with none sent")
	}
}

// TestMediaFetchErrorsNameNoSignedURL: a download that fails on the
// carrier's CDN names the medium's own URL, never the CDN's signed URL it
// was redirected to, in the error logged for a redelivery and in the
// transcript once the medium is given up on.
func TestMediaFetchErrorsNameNoSignedURL(t *testing.T) {
	const signature = "CDNsignatureSECRET0123456789"
	cdn := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, _ *http.Request) {
		if conn, _, err := w.(http.Hijacker).Hijack(); err == nil {
			_ = conn.Close() // the connection drops: a transport error
		}
	}))
	t.Cleanup(cdn.Close)
	host := newMediaHost(t)
	m := newMediaApp(t)
	u := host.add("/Media/ME0", mediaFile{contentType: "image/jpeg", redirect: onLocalhost(cdn.URL) + "/cdn/ME0?Expires=1&Signature=" + signature})
	in := inboundWith("MMsigned", chat.Media{URL: u, ContentType: "image/jpeg"})
	ctx := context.Background()

	_, err := m.app.CopyInboundMedia(media.WithDeliveryAttempt(ctx, 1), in)
	if err == nil || strings.Contains(err.Error(), signature) || !strings.Contains(err.Error(), u) {
		t.Errorf("first delivery: err = %v, want it to name %s and not the signed URL", err, u)
	}
	got, err := m.app.CopyInboundMedia(media.WithDeliveryAttempt(ctx, media.MediaAttempts), in)
	if err != nil {
		t.Fatal(err)
	}
	if e := got.Media[0].Error; !strings.HasPrefix(e, "download failed: ") || strings.Contains(e, signature) || strings.Contains(e, "Signature") {
		t.Errorf("given up: Media.Error = %q, want the failure without the signed URL", e)
	}
}

func onLocalhost(u string) string { return strings.Replace(u, "127.0.0.1", "localhost", 1) }
