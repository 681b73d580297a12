package csv

import (
	"testing"

	"github.com/vigilsiem/vigil/internal/parse/internal/parsetest"
)

var benchLines = []string{
	`2026-11-23T10:20:30Z,10.0.0.17,51234,93.184.216.34,443,tcp,allow,1820,5433,"web, outbound",corp\alice`,
	`2026-11-23T10:20:31Z,10.0.0.18,51235,198.51.100.7,53,udp,deny,64,0,dns,`,
}

func BenchmarkParse(b *testing.B) {
	p, err := New(Options{Header: []string{"time", "src", "sport", "dst", "dport", "proto", "action", "in", "out", "rule", "user"}})
	if err != nil {
		b.Fatal(err)
	}
	parsetest.Bench(b, p, benchLines)
}
