package media

import (
	"strings"
	"testing"
)

// TestCheckDialAddress: only public addresses are dialed, loopback too
// when allowed, whatever form the address takes.
func TestCheckDialAddress(t *testing.T) {
	cases := []struct {
		address       string
		allowLoopback bool
		want          string // "" when dialed; else in the refusal
	}{
		{"93.184.215.14:443", false, ""},
		{"8.8.8.8:80", false, ""},
		{"[2607:f8b0:4004:c07::64]:443", false, ""},
		{"[64:ff9b::808:808]:443", false, ""}, // NAT64 of 8.8.8.8
		{"127.0.0.1:8080", false, "a loopback address"},
		{"127.0.0.1:8080", true, ""},
		{"127.9.9.9:80", false, "a loopback address"},
		{"[::1]:80", false, "a loopback address"},
		{"[::1]:80", true, ""},
		{"[::ffff:127.0.0.1]:80", false, "a loopback address"},
		{"169.254.169.254:80", false, "a link-local address"},
		{"169.254.169.254:80", true, "a link-local address"},
		{"[fe80::1%eth0]:80", false, "a link-local address"},
		{"10.0.0.1:80", true, "a private address"},
		{"172.16.5.4:80", false, "a private address"},
		{"172.31.255.255:80", false, "a private address"},
		{"192.168.1.1:80", false, "a private address"},
		{"[::ffff:10.0.0.1]:80", false, "a private address"},
		{"[fc00::1]:80", false, "a private address"},
		{"[fd12:3456::1]:80", false, "a private address"},
		{"[64:ff9b::a00:1]:80", false, "a private address"}, // NAT64 of 10.0.0.1
		{"100.64.0.1:80", false, "a private address"},
		{"0.0.0.0:80", true, "an unspecified address"},
		{"0.1.2.3:80", false, "an unspecified address"},
		{"[::]:80", true, "an unspecified address"},
		{"224.0.0.1:80", false, "a multicast address"},
		{"[ff02::1]:80", false, "a multicast address"},
		{"255.255.255.255:80", false, "a reserved address"},
		{"192.0.2.1:80", false, "a reserved address"},
		{"198.18.0.1:80", false, "a reserved address"},
		{"[2001:db8::1]:80", false, "a reserved address"},
		{"[2002:7f00:1::1]:80", false, "a reserved address"},      // 6to4 of 127.0.0.1
		{"[2001:0:4136:e378::1]:80", false, "a reserved address"}, // Teredo
		{"[::7f00:1]:80", false, "a reserved address"},            // IPv4-compatible 127.0.0.1
		{"[fec0::1]:80", false, "a reserved address"},             // site-local
		{"not-an-address", false, "cannot be checked"},
	}
	for _, tc := range cases {
		err := checkDialAddress(tc.address, tc.allowLoopback)
		switch {
		case tc.want == "" && err != nil:
			t.Errorf("%s (loopback allowed %v): refused: %v", tc.address, tc.allowLoopback, err)
		case tc.want != "" && (err == nil || !strings.Contains(err.Error(), tc.want)):
			t.Errorf("%s (loopback allowed %v): %v, want refused as %q", tc.address, tc.allowLoopback, err, tc.want)
		}
		if _, ok := refusal(err); err != nil && !ok {
			t.Errorf("%s: %v is not a refusal, so it would be retried", tc.address, err)
		}
	}
}
