package all

import (
	"testing"

	"github.com/vigilsiem/vigil/internal/normalize"
	"github.com/vigilsiem/vigil/internal/normalize/internal/normtest"
)

var benchSink bool

const benchNone = `<13>Mar 10 11:59:00 app01 myapp[42]: request served in 12ms for tenant 7, cache hit`

// BenchmarkAllOther is the cost the vendor normalisers together add to an
// event none of them concerns.
func BenchmarkAllOther(b *testing.B) {
	ps := normalize.Processors(normalize.BeforePipelines)
	orig := normtest.Parse(b, benchNone)
	e := orig.Clone()
	b.ReportAllocs()
	b.SetBytes(int64(len(benchNone)))
	for i := 0; i < b.N; i++ {
		e.Fields = append(e.Fields[:0], orig.Fields...)
		for _, p := range ps {
			benchSink = p.(normtest.Normalizer).Normalize(e)
		}
	}
}
