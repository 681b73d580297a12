package sqlgen

import (
	"testing"
	"time"

	"github.com/vigilsiem/vigil/internal/query"
)

var sinkQuery *Query

// BenchmarkParseCompile measures the work a search does before DuckDB runs:
// parsing the text and compiling the plan.
func BenchmarkParseCompile(b *testing.B) {
	cat := storeCatalog()
	req := Request{From: "ev", Tenant: "default", Start: base, End: base.Add(24 * time.Hour), Limit: 100}
	for name, text := range map[string]string{
		"word":      `error`,
		"filter":    `event.code:4625 source.ip:10.0.0.0/8 NOT user.name:svc_* destination.port:[1 TO 1024] "failed password"`,
		"pipeline":  `event.code:4625 source.ip:10.0.0.0/8 NOT user.name:svc_* | stats count() by user.name | sort -count | head 10`,
		"timechart": `host.name:(web-* OR db-*) | timechart span=5m count(), dc(user.name) by host.name`,
	} {
		b.Run(name, func(b *testing.B) {
			b.SetBytes(int64(len(text)))
			b.ReportAllocs()
			for b.Loop() {
				p, err := query.Parse(text)
				if err != nil {
					b.Fatal(err)
				}
				q, err := Compile(DuckDB, p, cat, req)
				if err != nil {
					b.Fatal(err)
				}
				sinkQuery = q
			}
		})
	}
}
