package ecsvalue

import (
	"testing"

	"github.com/vigilsiem/vigil/internal/event"
)

func TestConversions(t *testing.T) {
	for in, want := range map[string]string{"TCP": "tcp", "6": "tcp", "17": "udp", "1": "icmp", "58": "ipv6-icmp", "GRE": "gre"} {
		if got, ok := Transport(in); !ok || got != want {
			t.Errorf("Transport(%q) = %q %v, want %q", in, got, ok, want)
		}
	}
	if _, ok := Transport(""); ok {
		t.Errorf("Transport accepted empty")
	}
	for in, want := range map[string]string{"Success": "success", "/Failure": "failure", "failed": "failure", "unknown": "unknown", "allow": ""} {
		got, ok := Outcome(in)
		if got != want || ok != (want != "") {
			t.Errorf("Outcome(%q) = %q %v, want %q", in, got, ok, want)
		}
	}
	if v, ok := Int(" 42 "); !ok || v.Int() != 42 {
		t.Errorf("Int")
	}
	if _, ok := Int("4x"); ok {
		t.Errorf("Int accepted 4x")
	}
	if v, ok := Float("1.5"); !ok || v.Float() != 1.5 {
		t.Errorf("Float")
	}
	if v, ok := IP("::ffff:10.0.0.1"); !ok || v.Text() != "10.0.0.1" {
		t.Errorf("IP unmaps: %v", v.Text())
	}
	if _, ok := IP("host.example"); ok {
		t.Errorf("IP accepted a host name")
	}
	if Lower("abc") != "abc" || Lower("AbC") != "abc" {
		t.Errorf("Lower")
	}
}

// TestIPKeepsCanonicalText: an address's value is the text IP(a) would
// format, and an IPv4 address's costs no formatting.
func TestIPKeepsCanonicalText(t *testing.T) {
	for in, want := range map[string]string{"10.1.2.3": "10.1.2.3", " 10.1.2.3 ": "10.1.2.3", "2001:DB8::1": "2001:db8::1", "::ffff:10.1.2.3": "10.1.2.3"} {
		v, ok := IP(in)
		if !ok || v.Kind() != event.KindIP || v.Str() != want {
			t.Errorf("IP(%q) = %q %v, want %q", in, v.Str(), ok, want)
		}
	}
	if _, ok := IP("10.01.2.3"); ok {
		t.Errorf("IP took an octet with a leading zero")
	}
	if n := testing.AllocsPerRun(100, func() { _, _ = IP("192.168.1.4") }); n != 0 {
		t.Errorf("IP of an IPv4 address: %v allocations, want 0", n)
	}
}
