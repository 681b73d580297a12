package weblog

import (
	"testing"

	"github.com/vigilsiem/vigil/internal/normalize/internal/normtest"
)

const (
	benchWeb    = `198.51.100.7 - - [05/Jan/2026:10:20:30 +0000] "GET /index.php?id=1&page=2 HTTP/1.1" 200 5123 "https://example.com/" "Mozilla/5.0 (X11; Linux x86_64)"`
	benchModSec = `[Fri May 10 13:37:47.123456 2024] [security2:error] [pid 1234:tid 140000] [client 198.51.100.7:41022] [client 198.51.100.7] ModSecurity: Access denied with code 403 (phase 2). Matched "Operator Ge with parameter 5 against variable TX:ANOMALY_SCORE" [file "/etc/modsecurity/crs/REQUEST-949-BLOCKING-EVALUATION.conf"] [line "80"] [id "949110"] [msg "Inbound Anomaly Score Exceeded (Total Score: 5)"] [severity "CRITICAL"] [ver "OWASP_CRS/3.3.2"] [tag "application-multi"] [tag "attack-generic"] [hostname "www.example.com"] [uri "/login.php"] [unique_id "ZjxYabc"]`
	benchNone   = `<13>Mar 10 11:59:00 app01 myapp[42]: request served in 12ms for tenant 7, cache hit`
)

func BenchmarkWebLog(b *testing.B) {
	b.Run("combined", func(b *testing.B) { normtest.Bench(b, New(), benchWeb) })
	b.Run("modsecurity", func(b *testing.B) { normtest.Bench(b, New(), benchModSec) })
	b.Run("other", func(b *testing.B) { normtest.Bench(b, New(), benchNone) })
}
