package rfc3164

import (
	"testing"

	"github.com/vigilsiem/vigil/internal/parse/internal/parsetest"
)

var benchLines = []string{
	`<38>Nov 23 10:20:30 web-01 sshd[24200]: Failed password for invalid user admin from 173.234.31.186 port 38926 ssh2`,
	`Jun 14 15:16:01 combo sshd(pam_unix)[19939]: authentication failure; logname= uid=0 euid=0 tty=NODEVssh ruser= rhost=218.188.2.4`,
	`<30>2026-11-23T10:20:30.123456+01:00 db-7 postgres[811]: checkpoint complete: wrote 42 buffers (0.3%)`,
	`<13>Nov 23 12:04:00 vm kernel: [12345.678901] eth0: link up`,
}

func BenchmarkParse(b *testing.B) {
	parsetest.Bench(b, New(Options{}), benchLines)
}
