package filter

import (
	"testing"
)

var benchSink bool

// BenchmarkFilter measures typical route filters on one event: a field
// value, a full-text word, a CIDR and a combination.
func BenchmarkFilter(b *testing.B) {
	e := testEvent()
	size := int64(len(e.AppendJSON(nil)))
	for _, q := range []string{
		`event.outcome:failure`,
		`password`,
		`source.ip:10.0.0.0/8`,
		`user.name:admin* AND destination.port:[1 TO 1024] AND NOT tags:windows`,
		`"failed password" OR sudo`,
	} {
		p, err := Parse(q)
		if err != nil {
			b.Fatal(err)
		}
		b.Run(q, func(b *testing.B) {
			b.ReportAllocs()
			b.SetBytes(size)
			for b.Loop() {
				benchSink = p(e)
			}
		})
	}
}
