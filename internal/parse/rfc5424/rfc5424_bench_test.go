package rfc5424

import (
	"testing"

	"github.com/vigilsiem/vigil/internal/event"
)

var benchLines = []string{
	`<165>1 2026-11-23T10:20:30.123456+01:00 web-01.example.com nginx 4321 ACCESS - GET /index.html 200 512 "Mozilla/5.0"`,
	`<13>1 2026-11-23T10:20:30.855500+00:00 vm sshd 11310 - [timeQuality tzKnown="1" isSynced="0"] Accepted publickey for alice from 10.0.0.5 port 52144 ssh2`,
	`<134>1 2026-11-23T10:20:31Z fw01 kernel - FW [meta@32473 src="10.1.1.1" dst="8.8.8.8" action="drop"] packet dropped`,
}

func BenchmarkParse(b *testing.B) {
	p := New()
	var e event.Event
	n := 0
	for _, l := range benchLines {
		n += len(l)
	}
	data := make([][]byte, len(benchLines))
	for i, l := range benchLines {
		data[i] = []byte(l)
	}
	b.SetBytes(int64(n / len(benchLines)))
	b.ReportAllocs()
	b.ResetTimer()
	for i := 0; i < b.N; i++ {
		j := i % len(benchLines)
		e.Reset()
		e.Original = benchLines[j]
		if err := p.Parse(data[j], &e); err != nil {
			b.Fatal(err)
		}
	}
}
