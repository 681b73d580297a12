package rfc5424

import (
	"testing"

	"github.com/vigilsiem/vigil/internal/parse/internal/parsetest"
)

var benchLines = []string{
	`<165>1 2026-11-23T10:20:30.123456+01:00 web-01.example.com nginx 4321 ACCESS - GET /index.html 200 512 "Mozilla/5.0"`,
	`<13>1 2026-11-23T10:20:30.855500+00:00 vm sshd 11310 - [timeQuality tzKnown="1" isSynced="0"] Accepted publickey for alice from 10.0.0.5 port 52144 ssh2`,
	`<134>1 2026-11-23T10:20:31Z fw01 kernel - FW [meta@32473 src="10.1.1.1" dst="8.8.8.8" action="drop"] packet dropped`,
}

func BenchmarkParse(b *testing.B) {
	parsetest.Bench(b, New(), benchLines)
}
