package ingest

import (
	"net/netip"
	"testing"

	"github.com/vigilsiem/vigil/internal/event"
)

// TestTypedIPKeepsText: typing an IPv4 text keeps the text instead of
// formatting the address again; the value must be the one event.IP makes.
func TestTypedIPKeepsText(t *testing.T) {
	for _, s := range []string{"10.1.2.3", " 192.168.0.254 ", "[8.8.8.8]", "0.0.0.0", "255.255.255.255",
		"::ffff:10.1.2.3", "2001:db8::1", "2001:DB8:0:0::1", "[::1]", "fe80::1%eth0"} {
		got, ok, err := typed(typeIP, event.String(s))
		if err != nil || !ok {
			t.Fatalf("typed(%q): %v %v", s, ok, err)
		}
		a, err := netip.ParseAddr(trimIP(s))
		if err != nil {
			t.Fatal(err)
		}
		if want := event.IP(a); got.Kind() != want.Kind() || got.Str() != want.Str() {
			t.Errorf("typed(%q) = %v %q, want %v %q", s, got.Kind(), got.Str(), want.Kind(), want.Str())
		}
	}
	for _, s := range []string{"010.1.2.3", "1.2.3", "1.2.3.256", "1.2.3.4%eth0", ""} {
		if _, ok, err := typed(typeIP, event.String(s)); ok && err == nil {
			t.Errorf("typed(%q) took it", s)
		}
	}
}
