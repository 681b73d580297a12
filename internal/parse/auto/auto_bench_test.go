package auto

import (
	"testing"

	"github.com/vigilsiem/vigil/internal/parse/internal/parsetest"
)

// benchLines is a mix as a syslog listener sees it.
var benchLines = []string{
	`<38>Nov 23 10:20:30 web-01 sshd[24200]: Failed password for invalid user admin from 173.234.31.186 port 38926 ssh2`,
	`<13>1 2026-11-23T10:20:30.855500+00:00 vm sshd 11310 - [timeQuality tzKnown="1" isSynced="0"] Accepted publickey for alice from 10.0.0.5 port 52144 ssh2`,
	`<134>Nov 23 10:20:30 fw01 CEF:0|Security|threatmanager|1.0|100|worm successfully stopped|10|src=10.0.0.1 dst=2.1.2.2 spt=1232 dpt=445 proto=TCP act=blocked`,
	`<189>date=2026-11-23 time=10:20:30 devname="FGT60E" srcip=10.0.0.17 srcport=51234 dstip=93.184.216.34 dstport=443 proto=6 action="accept" sentbyte=1820 rcvdbyte=5433`,
	`{"@timestamp":"2026-11-23T10:20:30.123Z","event":{"code":"4625"},"source":{"ip":"10.0.0.17"},"user":{"name":"alice"},"message":"An account failed to log on."}`,
	`2026-11-23 10:20:30,123 INFO [main] org.example.Server: started in 1234 ms`,
}

func BenchmarkParse(b *testing.B) {
	parsetest.Bench(b, New(Options{}), benchLines)
}

// containerLines are container runtime records, CRI and Docker json-file,
// around an nginx access line and a JSON application log.
var containerLines = []string{
	`2024-05-10T11:37:47.123456789Z stdout F 10.0.0.5 - alice [10/May/2024:11:37:47 +0000] "GET /index.html HTTP/1.1" 200 512 "-" "curl/8.0"`,
	`2024-05-10T11:37:47.223456789Z stderr F {"level":"error","msg":"db down","user":"bob"}`,
	`{"log":"10.0.0.5 - - [10/May/2024:11:37:47 +0000] \"GET / HTTP/1.1\" 404 0 \"-\" \"curl/8.0\"\n","stream":"stdout","time":"2024-05-10T11:37:47.123456789Z"}`,
	`{"log":"{\"level\":\"info\",\"msg\":\"hello\"}\n","stream":"stderr","time":"2024-05-10T11:37:47.123456789Z"}`,
}

func BenchmarkParseContainer(b *testing.B) {
	b.Run("cri", func(b *testing.B) { parsetest.Bench(b, New(Options{}), containerLines[:2]) })
	b.Run("docker", func(b *testing.B) { parsetest.Bench(b, New(Options{}), containerLines[2:]) })
	// The same lines without their envelopes, for comparison.
	b.Run("bare", func(b *testing.B) {
		parsetest.Bench(b, New(Options{}), []string{
			`10.0.0.5 - alice [10/May/2024:11:37:47 +0000] "GET /index.html HTTP/1.1" 200 512 "-" "curl/8.0"`,
			`{"level":"error","msg":"db down","user":"bob"}`,
		})
	})
}
