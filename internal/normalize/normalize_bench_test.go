package normalize

import (
	"testing"
	"time"

	"github.com/vigilsiem/vigil/internal/event"
)

var benchSink bool

// benchNormalizer measures one normaliser on one parsed record: each
// iteration restores the parsed fields and normalises them again.
func benchNormalizer(b *testing.B, n normalizer, line string) {
	orig := vtParse(b, line)
	e := orig.Clone()
	b.ReportAllocs()
	b.SetBytes(int64(len(line)))
	b.ResetTimer()
	cpu0 := cpuTime()
	for i := 0; i < b.N; i++ {
		e.Fields = append(e.Fields[:0], orig.Fields...)
		benchSink = n.Normalize(e)
	}
	reportCPU(b, cpu0)
}

// reportCPU reports the CPU time per op since cpu0: on a shared machine
// wall time (ns/op) counts the time other processes held the core, CPU
// time does not. Run with -cpu 1 so that it is one core's time.
func reportCPU(b *testing.B, cpu0 time.Duration) {
	if d := cpuTime() - cpu0; d > 0 && b.N > 0 {
		b.ReportMetric(float64(d.Nanoseconds())/float64(b.N), "cpu-ns/op")
	}
}

const (
	benchASA  = `<164>Jan  5 10:20:30 fw01 %ASA-4-106023: Deny tcp src outside:198.51.100.7/4444 dst inside:10.0.0.5/80 by access-group "outside_in" [0x0, 0x0]`
	benchASA2 = `<166>Jan  5 10:20:30 fw01 %ASA-6-302013: Built inbound TCP connection 1234 for outside:198.51.100.7/51514 (198.51.100.7/51514) to inside:10.0.0.5/22 (203.0.113.5/22)`
	benchWeb  = `198.51.100.7 - - [05/Jan/2026:10:20:30 +0000] "GET /index.php?id=1&page=2 HTTP/1.1" 200 5123 "https://example.com/" "Mozilla/5.0 (X11; Linux x86_64)"`
	benchSSH  = `<38>Mar 10 11:59:00 bastion sshd[2411]: Failed password for invalid user admin from 198.51.100.7 port 40000 ssh2`
	benchSudo = `<38>Mar 10 11:59:00 bastion sudo:    alice : TTY=pts/0 ; PWD=/home/alice ; USER=root ; COMMAND=/usr/bin/id`
	benchNone = `<13>Mar 10 11:59:00 app01 myapp[42]: request served in 12ms for tenant 7, cache hit`
)

func BenchmarkCiscoASA(b *testing.B) {
	b.Run("deny", func(b *testing.B) { benchNormalizer(b, NewCiscoASA(), benchASA) })
	b.Run("built", func(b *testing.B) { benchNormalizer(b, NewCiscoASA(), benchASA2) })
	b.Run("other", func(b *testing.B) { benchNormalizer(b, NewCiscoASA(), benchNone) })
}

func BenchmarkWebLog(b *testing.B) {
	b.Run("combined", func(b *testing.B) { benchNormalizer(b, NewWebLog(), benchWeb) })
	b.Run("other", func(b *testing.B) { benchNormalizer(b, NewWebLog(), benchNone) })
}

func BenchmarkAuthLog(b *testing.B) {
	b.Run("sshd", func(b *testing.B) { benchNormalizer(b, NewAuthLog(), benchSSH) })
	b.Run("sudo-split", func(b *testing.B) { benchNormalizer(b, NewAuthLog(), benchSudo) })
	b.Run("other", func(b *testing.B) { benchNormalizer(b, NewAuthLog(), benchNone) })
}

const bench5424 = `<134>1 2026-11-22T00:01:17.76Z host-1 scheduler 3255 AUDIT [meta@32473 tenant="t4" req="50f974f3"] user=user428 action=delete outcome=failure src=10.20.195.65`

func BenchmarkCommonFields(b *testing.B) {
	b.Run("rfc5424-kv", func(b *testing.B) { benchNormalizer(b, NewCommonFields(), bench5424) })
	b.Run("netfilter", func(b *testing.B) {
		benchNormalizer(b, NewCommonFields(), `<4>Nov 22 00:01:09 host-468 kernel: [UFW BLOCK] IN=eth0 OUT= SRC=41.117.73.156 DST=10.0.0.5 PROTO=TCP SPT=30891 DPT=789`)
	})
	b.Run("other", func(b *testing.B) { benchNormalizer(b, NewCommonFields(), benchNone) })
}

// BenchmarkAllOther is the cost the three normalisers together add to an
// event none of them concerns.
func BenchmarkAllOther(b *testing.B) {
	ns := []normalizer{NewCiscoASA(), NewWebLog(), NewAuthLog()}
	orig := vtParse(b, benchNone)
	e := orig.Clone()
	b.ReportAllocs()
	b.SetBytes(int64(len(benchNone)))
	for i := 0; i < b.N; i++ {
		e.Fields = append(e.Fields[:0], orig.Fields...)
		for _, n := range ns {
			benchSink = n.Normalize(e)
		}
	}
	_ = event.KindIP
}
