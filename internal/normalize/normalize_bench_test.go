package normalize

import (
	"testing"

	"github.com/vigilsiem/vigil/internal/normalize/internal/normtest"
)

const benchNone = `<13>Mar 10 11:59:00 app01 myapp[42]: request served in 12ms for tenant 7, cache hit`

const bench5424 = `<134>1 2026-11-22T00:01:17.76Z host-1 scheduler 3255 AUDIT [meta@32473 tenant="t4" req="50f974f3"] user=user428 action=delete outcome=failure src=10.20.195.65`

func BenchmarkCommonFields(b *testing.B) {
	b.Run("rfc5424-kv", func(b *testing.B) { normtest.Bench(b, NewCommonFields(), bench5424) })
	b.Run("netfilter", func(b *testing.B) {
		normtest.Bench(b, NewCommonFields(), `<4>Nov 22 00:01:09 host-468 kernel: [UFW BLOCK] IN=eth0 OUT= SRC=41.117.73.156 DST=10.0.0.5 PROTO=TCP SPT=30891 DPT=789`)
	})
	b.Run("other", func(b *testing.B) { normtest.Bench(b, NewCommonFields(), benchNone) })
}
