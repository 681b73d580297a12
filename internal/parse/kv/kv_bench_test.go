package kv

import (
	"testing"

	"github.com/vigilsiem/vigil/internal/parse/internal/parsetest"
)

var benchLines = []string{
	`date=2026-11-23 time=10:20:30 devname="FGT60E" devid="FGT60E0000000000" logid="0000000013" type="traffic" subtype="forward" level="notice" vd="root" srcip=10.0.0.17 srcport=51234 srcintf="internal" dstip=93.184.216.34 dstport=443 dstintf="wan1" proto=6 action="accept" policyid=1 service="HTTPS" sentbyte=1820 rcvdbyte=5433 duration=12`,
	`authentication failure; logname= uid=0 euid=0 tty=NODEVssh ruser= rhost=218.188.2.4 user=root`,
	`level=info ts=2026-11-23T10:20:30.123Z caller=main.go:42 msg="request served" method=GET path=/api/v1/items status=200 duration=3.2ms`,
}

func BenchmarkParse(b *testing.B) {
	parsetest.Bench(b, New(), benchLines)
}
