package apptest

import (
	"bufio"
	"net"
	"net/http"
	"strings"
	"testing"
	"time"

	"github.com/vigilsiem/vigil/internal/source/netflow/nftest"
	"github.com/vigilsiem/vigil/internal/store"
)

// TestNetFlowListener sends NetFlow v5, v9 and IPFIX packets built from
// their documented layouts to a vigil serve with a netflow source: each
// flow becomes a searchable ECS event; a v9 data set whose template has
// not arrived is counted and dead-lettered; after a restart, a data set
// decodes with the template learned before it.
func TestNetFlowListener(t *testing.T) {
	addr := freeUDPTCPAddr(t)
	v := startVigil(t, "sources:\n  - {name: flows, type: netflow, listen: "+addr+"}\n")
	send := func(pkt []byte) {
		t.Helper()
		c, err := net.Dial("udp", addr)
		if err != nil {
			t.Fatal(err)
		}
		defer c.Close()
		if _, err := c.Write(pkt); err != nil {
			t.Fatal(err)
		}
	}
	export := time.Now().UTC().Truncate(time.Second)

	send(nftest.V9(export, false)) // data before its template
	waitMetric(t, v, `vigil_netflow_bad_packets_total{source="flows"} 1`)
	var dead []store.Row
	waitFor(t, 20*time.Second, "the dead letter of the packet", func() bool {
		var err error
		if dead, err = v.search("vigil.format:netflow", "--dataset", "deadletters"); err != nil {
			t.Fatal(err)
		}
		return len(dead) > 0
	})
	if len(dead) != 1 || !strings.Contains(dead[0].Text("error.message"), "emplate") {
		t.Fatalf("dead letters: %v", dead)
	}

	send(nftest.V5(export))
	send(nftest.V9(export, true))
	send(nftest.IPFIX(export))
	rows, _ := v.waitFound("event.module:netflow", 3, 20*time.Second)
	byDst := map[string]map[string]string{}
	for _, r := range rows {
		m := map[string]string{}
		for _, k := range []string{"source.ip", "source.port", "destination.port", "network.transport", "network.iana_number", "network.bytes", "network.packets", "source.bytes", "observer.ip", "event.start", "event.end"} {
			m[k] = r.Text(k)
		}
		byDst[r.Text("destination.ip")] = m
	}
	for dst, want := range map[string]map[string]string{
		"192.0.2.7":    {"source.ip": "10.0.0.1", "source.port": "51000", "destination.port": "443", "network.transport": "tcp", "network.iana_number": "6", "network.bytes": "4200", "network.packets": "10", "source.bytes": "4200", "observer.ip": "127.0.0.1"},
		"198.51.100.9": {"source.ip": "10.0.0.2", "destination.port": "53", "network.transport": "udp", "network.bytes": "300", "network.packets": "3"},
		"2001:db8::2":  {"source.ip": "2001:db8::1", "destination.port": "22", "network.transport": "tcp", "network.bytes": "9000", "network.packets": "12"},
	} {
		got := byDst[dst]
		for k, w := range want {
			if got[k] != w {
				t.Errorf("flow to %s: %s = %q, want %q (%v)", dst, k, got[k], w, got)
			}
		}
		if got["event.start"] == "" || got["event.end"] == "" {
			t.Errorf("flow to %s: no event.start/end: %v", dst, got)
		}
	}

	v.stop()
	v.start()
	send(nftest.V9(export.Add(time.Second), false))
	v.waitFound("source.ip:10.0.0.2", 2, 20*time.Second)
}

// waitMetric waits until a line of /metrics equals want.
func waitMetric(t *testing.T, v *vigil, want string) {
	t.Helper()
	waitFor(t, 20*time.Second, "metric "+want, func() bool {
		resp, err := http.Get(v.url("/metrics"))
		if err != nil {
			t.Fatal(err)
		}
		defer resp.Body.Close()
		sc := bufio.NewScanner(resp.Body)
		for sc.Scan() {
			if sc.Text() == want {
				return true
			}
		}
		return false
	})
}
