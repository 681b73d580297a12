package ecsfield

import (
	"testing"

	"github.com/vigilsiem/vigil/internal/event"
)

func TestSetters(t *testing.T) {
	e := &event.Event{}
	if !Addr(e, "source", "10.0.0.1") || Addr(e, "destination", "host.example") || Addr(e, "client", "-") {
		t.Fatal("Addr results")
	}
	Addr(e, "server", "[2001:db8::1]")
	if v, _ := e.Get("source.ip"); v.Kind() != event.KindIP || e.GetString("destination.domain") != "host.example" ||
		e.Has("client.ip") || e.Has("client.domain") || e.GetString("server.ip") != "2001:db8::1" {
		t.Fatalf("fields: %+v", e.Fields)
	}
	if Port(e, "source.port", "65536") || Port(e, "source.port", "x") || !Port(e, "source.port", "443") {
		t.Fatal("Port")
	}
	if v, _ := e.Get("source.port"); v.Kind() != event.KindInt || v.Int() != 443 {
		t.Fatal("port value")
	}
	f := func(in, want string) {
		t.Helper()
		if got := Transport(in); got != want {
			t.Errorf("Transport(%q) = %q, want %q", in, got, want)
		}
	}
	f("TCP", "tcp")
	f("17", "udp")
	f("icmp6", "ipv6-icmp")
	f("GRE", "gre")
	f("ospf", "ospf")
	SetTransport(e, "TCP")
	if e.GetString("network.transport") != "tcp" || e.GetString("network.iana_number") != "6" {
		t.Fatalf("SetTransport: %+v", e.Fields)
	}
	Categorize(e, Network, TypeConnectionDenied, Failure)
	if v, _ := e.Get("event.type"); len(v.List()) != 2 || e.GetString("event.outcome") != "failure" {
		t.Fatal("Categorize")
	}
}
