package ciscoasa

import (
	"testing"

	"github.com/vigilsiem/vigil/internal/normalize/internal/normtest"
)

const (
	benchASA  = `<164>Jan  5 10:20:30 fw01 %ASA-4-106023: Deny tcp src outside:198.51.100.7/4444 dst inside:10.0.0.5/80 by access-group "outside_in" [0x0, 0x0]`
	benchASA2 = `<166>Jan  5 10:20:30 fw01 %ASA-6-302013: Built inbound TCP connection 1234 for outside:198.51.100.7/51514 (198.51.100.7/51514) to inside:10.0.0.5/22 (203.0.113.5/22)`
	benchNone = `<13>Mar 10 11:59:00 app01 myapp[42]: request served in 12ms for tenant 7, cache hit`
)

func BenchmarkCiscoASA(b *testing.B) {
	b.Run("deny", func(b *testing.B) { normtest.Bench(b, New(), benchASA) })
	b.Run("built", func(b *testing.B) { normtest.Bench(b, New(), benchASA2) })
	b.Run("other", func(b *testing.B) { normtest.Bench(b, New(), benchNone) })
}
