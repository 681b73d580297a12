package query

import "testing"

// benchQueries are typical queries, from a bare word to a full pipeline.
var benchQueries = map[string]string{
	"word":      `error`,
	"filter":    `event.code:4625 source.ip:10.0.0.0/8 NOT user.name:svc_* destination.port:[1 TO 1024] "failed password"`,
	"pipeline":  `event.code:4625 source.ip:10.0.0.0/8 NOT user.name:svc_* | stats count() by user.name | sort -count | head 10`,
	"timechart": `host.name:(web-* OR db-*) -process.name:svchost.exe | timechart span=5m count(), dc(user.name) by host.name`,
}

var sinkPlan *Plan

func BenchmarkParse(b *testing.B) {
	for name, q := range benchQueries {
		b.Run(name, func(b *testing.B) {
			b.SetBytes(int64(len(q)))
			b.ReportAllocs()
			for b.Loop() {
				p, err := Parse(q)
				if err != nil {
					b.Fatal(err)
				}
				sinkPlan = p
			}
		})
	}
}

var sinkTokens []string

func BenchmarkAppendTokens(b *testing.B) {
	msg := "Failed password for invalid user Admin from 203.0.113.77 port 52144 ssh2 [preauth]"
	b.SetBytes(int64(len(msg)))
	b.ReportAllocs()
	for b.Loop() {
		sinkTokens = AppendTokens(sinkTokens[:0], msg)
	}
}
