package normalize

import (
	"testing"

	"github.com/vigilsiem/vigil/internal/normalize/internal/normtest"
)

func FuzzCommonFields(f *testing.F) {
	normtest.Fuzz(f, NewCommonFields(), []string{
		`<134>1 2026-11-22T00:01:17.76Z host-1 scheduler 3255 AUDIT [meta@32473 tenant="t4"] user=user428 action=delete outcome=failure src=10.20.195.65`,
		`<134>1 2026-11-22T00:01:17.76Z host-1 app 1 - [auth@32473 user="alice" src_ip="192.0.2.4" src_port="4242" dst="10.0.0.1" proto="TCP"] login`,
		`<4>Nov 22 00:01:09 host-468 kernel: [UFW BLOCK] IN=eth0 OUT= SRC=41.117.73.156 DST=10.0.0.5 PROTO=TCP SPT=30891 DPT=789`,
		`{"src_ip":"198.51.100.2","username":"carol","dst_port":"8443","result":"SUCCESS"}`,
		`{"src":"/static/app.js","dst_port":"https","user":"-","outcome":"maybe","proto":"HTTP/1.1"}`,
	})
}
