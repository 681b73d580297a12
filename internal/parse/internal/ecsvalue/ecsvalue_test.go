package ecsvalue

import "testing"

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
