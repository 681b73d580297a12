package leef

import (
	"testing"

	"github.com/vigilsiem/vigil/internal/parse/internal/parsetest"
)

var benchLines = []string{
	"<13>Nov 23 10:20:30 qradar LEEF:1.0|Microsoft|MSExchange|4.0 SP1|15345|src=192.0.2.10\tdst=172.50.123.1\tsev=5\tcat=anomaly\tsrcPort=52144\tdstPort=25\tusrName=joe.black\tdevTime=Nov 23 2026 10:20:30\tproto=TCP",
	"LEEF:2.0|Lancope|StealthWatch|1.0|41|^|src=10.0.1.8^dst=10.0.0.5^sev=5^srcPort=81^dstPort=21^srcBytes=1024^dstBytes=20480^policy=default^action=allow",
}

func BenchmarkParse(b *testing.B) {
	parsetest.Bench(b, New(Options{}), benchLines)
}
