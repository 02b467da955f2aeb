package media

import (
	"errors"
	"fmt"
	"net"
	"net/http"
	"net/netip"
	"net/url"
	"syscall"
	"time"

	"github.com/smsdesk/smsdesk/shared/carrier"
)

// maxMediaRedirects bounds a download's redirects (Twilio uses one).
const maxMediaRedirects = 5

// refusedFetch is a download refused for where it leads: a host that is
// not the provider's, or an address inside a network. It is final, never
// retried, and its message is fit for the transcript.
type refusedFetch struct{ reason string }

func (e *refusedFetch) Error() string { return e.reason }

// mediaClient downloads one provider's media. Every hop is checked twice:
// its host against the provider's media hosts (CheckRedirect, and the
// caller for the first URL), and at dial time the address the name
// resolved to (the transport's dialer), so neither a redirect nor a DNS
// answer leads a download into our network.
func (s *Service) mediaClient(provider string, access carrier.MediaAccess) *http.Client {
	s.fetchOnce.Do(func() { s.fetch = newMediaTransport(s.AllowLoopback) })
	return &http.Client{
		Transport: s.fetch,
		Timeout:   MediaFetchTimeout,
		CheckRedirect: func(req *http.Request, via []*http.Request) error {
			if len(via) > maxMediaRedirects {
				return &refusedFetch{fmt.Sprintf("blocked: the download was redirected more than %d times", maxMediaRedirects)}
			}
			if !access.Redirects(req.URL) {
				return &refusedFetch{fmt.Sprintf("blocked: the download was redirected to %s, which is not one of %s's media hosts",
					hostForMessage(req.URL), provider)}
			}
			// Go already drops Authorization when a redirect leaves the
			// first host and its subdomains; this also keeps it from a
			// subdomain that is not a credentialed host.
			if !access.Allows(req.URL) {
				req.Header.Del("Authorization")
			}
			return nil
		},
	}
}

// newMediaTransport is an HTTP transport that dials public addresses
// only (and loopback when allowLoopback). It uses no proxy: a proxy would
// dial for it, past the address check.
func newMediaTransport(allowLoopback bool) *http.Transport {
	dialer := &net.Dialer{
		Timeout:   10 * time.Second,
		KeepAlive: 30 * time.Second,
		// Control runs for each address a name resolved to, after the
		// lookup and before the connection is made.
		Control: func(_, address string, _ syscall.RawConn) error {
			return checkDialAddress(address, allowLoopback)
		},
	}
	return &http.Transport{
		Proxy:                 nil,
		DialContext:           dialer.DialContext,
		ForceAttemptHTTP2:     true,
		MaxIdleConns:          20,
		IdleConnTimeout:       90 * time.Second,
		TLSHandshakeTimeout:   10 * time.Second,
		ResponseHeaderTimeout: MediaFetchTimeout,
		ExpectContinueTimeout: time.Second,
	}
}

// checkDialAddress refuses an address ("ip:port") that is not public.
func checkDialAddress(address string, allowLoopback bool) error {
	ap, err := netip.ParseAddrPort(address)
	if err != nil {
		return &refusedFetch{"blocked: the download leads to an address that cannot be checked"}
	}
	ip := ap.Addr().Unmap().WithZone("")
	if allowLoopback && ip.IsLoopback() {
		return nil
	}
	if kind := nonPublic(ip); kind != "" {
		return &refusedFetch{fmt.Sprintf("blocked: the download leads to %s, %s; media are fetched from public addresses only", ip, kind)}
	}
	return nil
}

// Special-purpose ranges that are not globally reachable (IANA IPv4 and
// IPv6 Special-Purpose Address Registries) and not caught by netip's
// predicates, with what they are.
var nonPublicPrefixes = []struct {
	prefix netip.Prefix
	kind   string
}{
	{netip.MustParsePrefix("0.0.0.0/8"), "an unspecified address"}, // "this network": Linux dials 0.0.0.0 as loopback
	{netip.MustParsePrefix("100.64.0.0/10"), "a private address"},  // carrier-grade NAT
	{netip.MustParsePrefix("192.0.0.0/24"), "a reserved address"},
	{netip.MustParsePrefix("192.0.2.0/24"), "a reserved address"},
	{netip.MustParsePrefix("192.88.99.0/24"), "a reserved address"},
	{netip.MustParsePrefix("198.18.0.0/15"), "a reserved address"},
	{netip.MustParsePrefix("198.51.100.0/24"), "a reserved address"},
	{netip.MustParsePrefix("203.0.113.0/24"), "a reserved address"},
	{netip.MustParsePrefix("240.0.0.0/4"), "a reserved address"}, // and 255.255.255.255
	{netip.MustParsePrefix("64:ff9b:1::/48"), "a private address"},
	{netip.MustParsePrefix("2001::/23"), "a reserved address"}, // includes Teredo, which carries an IPv4 address
	{netip.MustParsePrefix("2001:db8::/32"), "a reserved address"},
	{netip.MustParsePrefix("2002::/16"), "a reserved address"}, // 6to4, which carries an IPv4 address
	{netip.MustParsePrefix("3fff::/20"), "a reserved address"},
	{netip.MustParsePrefix("5f00::/16"), "a reserved address"},
}

// globalUnicast6 is the IPv6 space assigned to the public internet.
var globalUnicast6 = netip.MustParsePrefix("2000::/3")

// nat64 is the well-known NAT64 prefix: its addresses carry an IPv4
// address, which is what they reach.
var nat64 = netip.MustParsePrefix("64:ff9b::/96")

// nonPublic says what kind of non-public address ip is ("a loopback
// address"), or "" for a public one.
func nonPublic(ip netip.Addr) string {
	switch {
	case !ip.IsValid():
		return "an invalid address"
	case ip.IsUnspecified():
		return "an unspecified address"
	case ip.IsLoopback():
		return "a loopback address"
	case ip.IsLinkLocalUnicast():
		return "a link-local address" // 169.254.0.0/16 (the metadata server), fe80::/10
	case ip.IsMulticast():
		return "a multicast address"
	case ip.IsPrivate():
		return "a private address" // 10/8, 172.16/12, 192.168/16, fc00::/7
	}
	if nat64.Contains(ip) {
		b := ip.As16()
		return nonPublic(netip.AddrFrom4([4]byte(b[12:])))
	}
	for _, p := range nonPublicPrefixes {
		if p.prefix.Contains(ip) {
			return p.kind
		}
	}
	// What remains of IPv6 outside 2000::/3, the global unicast space
	// (::/8 with the IPv4-compatible addresses, fec0::/10 site-local, ...),
	// is not assigned to the public internet.
	if ip.Is6() && !globalUnicast6.Contains(ip) {
		return "a reserved address"
	}
	if !ip.IsGlobalUnicast() {
		return "a reserved address"
	}
	return ""
}

// refusal is the refusal inside a download error, if it is one.
func refusal(err error) (*refusedFetch, bool) {
	var r *refusedFetch
	ok := errors.As(err, &r)
	return r, ok
}

// hostForMessage is a URL's host, as a refusal names it.
func hostForMessage(u *url.URL) string {
	if h := u.Hostname(); h != "" {
		return h
	}
	return "a URL without a host"
}
