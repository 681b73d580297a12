package normalize

import (
	"testing"
	"time"

	"github.com/vigilsiem/vigil/internal/event"
	"github.com/vigilsiem/vigil/internal/normalize/internal/normtest"
	"github.com/vigilsiem/vigil/internal/parse"
)

// TestCommonFields: one case per mapping, through the auto parser as the
// pipeline runs it (RFC 5424 with structured data and a key=value message,
// netfilter, CEF, flat JSON).
func TestCommonFields(t *testing.T) {
	ps, err := parse.New("auto", parse.Options{Now: func() time.Time { return time.Date(2026, 11, 23, 0, 0, 0, 0, time.UTC) }})
	if err != nil {
		t.Fatal(err)
	}
	c := NewCommonFields()
	f := func(name, record string, want map[string]string, absent ...string) {
		t.Run(name, func(t *testing.T) {
			e := &event.Event{}
			if err := ps.Parse([]byte(record), e); err != nil {
				t.Fatal(err)
			}
			c.Normalize(e)
			got := normtest.Fields(e)
			for k, v := range want {
				if got[k] != v {
					t.Errorf("%s = %q, want %q (event %s)", k, got[k], v, e.AppendJSON(nil))
				}
			}
			for _, k := range absent {
				if v, ok := got[k]; ok {
					t.Errorf("%s = %q, want none", k, v)
				}
			}
		})
	}
	f("rfc5424 key=value message", `<134>1 2026-11-22T00:01:17.76Z host-1 scheduler 3255 AUDIT [meta@32473 tenant="t4"] user=user428 action=delete outcome=failure src=10.20.195.65`,
		map[string]string{"user.name": "string:user428", "source.ip": "ip:10.20.195.65", "event.action": "string:delete",
			"event.outcome": "string:failure", "user": "string:user428", "src": "ip:10.20.195.65"})
	f("rfc5424 structured data", `<134>1 2026-11-22T00:01:17.76Z host-1 app 1 - [auth@32473 user="alice" src_ip="192.0.2.4" src_port="4242" dst="10.0.0.1" dst_port="22" proto="TCP"] login`,
		map[string]string{"user.name": "string:alice", "source.ip": "ip:192.0.2.4", "source.port": "int:4242",
			"destination.ip": "ip:10.0.0.1", "destination.port": "int:22", "network.transport": "string:tcp",
			"log.syslog.structured_data.auth@32473.user": "string:alice"})
	f("netfilter", `<4>Nov 22 00:01:09 host-468 kernel: [UFW BLOCK] IN=eth0 OUT= SRC=41.117.73.156 DST=10.0.0.5 PROTO=TCP SPT=30891 DPT=789`,
		map[string]string{"source.ip": "ip:41.117.73.156", "destination.ip": "ip:10.0.0.5", "source.port": "int:30891",
			"destination.port": "int:789", "network.transport": "string:tcp"})
	f("cef suser", `<134>Nov 22 00:00:51 fw-5 CEF:0|Check Point|VPN-1 & FireWall-1|R81|TRAFFIC|end|3|src=10.20.193.4 suser=user5 act=drop`,
		map[string]string{"user.name": "string:user5", "source.user.name": "string:user5", "event.action": "string:drop"})
	f("json flat keys", `{"src_ip":"198.51.100.2","username":"carol","dst_port":"8443","result":"SUCCESS"}`,
		map[string]string{"source.ip": "ip:198.51.100.2", "user.name": "string:carol", "destination.port": "int:8443",
			"event.outcome": "string:success"})
	f("wrong types are left alone", `{"src":"/static/app.js","dst_port":"https","user":"-","outcome":"maybe","proto":"HTTP/1.1"}`,
		nil, "source.ip", "destination.port", "user.name", "event.outcome", "network.transport")
	f("present fields win", `{"source":{"ip":"10.0.0.1"},"src":"10.9.9.9","user":{"name":"dave"},"username":"eve"}`,
		map[string]string{"source.ip": "ip:10.0.0.1", "user.name": "string:dave"})
}
