package weblog

import (
	"testing"

	"github.com/vigilsiem/vigil/internal/normalize/internal/normtest"
)

const (
	benchWeb  = `198.51.100.7 - - [05/Jan/2026:10:20:30 +0000] "GET /index.php?id=1&page=2 HTTP/1.1" 200 5123 "https://example.com/" "Mozilla/5.0 (X11; Linux x86_64)"`
	benchNone = `<13>Mar 10 11:59:00 app01 myapp[42]: request served in 12ms for tenant 7, cache hit`
)

func BenchmarkWebLog(b *testing.B) {
	b.Run("combined", func(b *testing.B) { normtest.Bench(b, New(), benchWeb) })
	b.Run("other", func(b *testing.B) { normtest.Bench(b, New(), benchNone) })
}
