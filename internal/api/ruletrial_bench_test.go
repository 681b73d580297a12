package api

import (
	"fmt"
	"os"
	"path/filepath"
	"testing"
	"time"

	"github.com/vigilsiem/vigil/internal/alert"
	"github.com/vigilsiem/vigil/internal/detect"
	"github.com/vigilsiem/vigil/internal/event"
	"github.com/vigilsiem/vigil/internal/store"
)

// BenchmarkBacktestRow is the per-event cost of a backtest once the store
// has read a row: the row made an event, and the rule run on it (one
// event in 1,000 matches, as a selective rule does).
func BenchmarkBacktestRow(b *testing.B) {
	dir := b.TempDir()
	rule := "title: Bench SSH failed password\nid: bench-0001\nlevel: high\nlogsource:\n  product: linux\n  service: sshd\n" +
		"detection:\n  selection:\n    message|contains: 'Failed password'\n  condition: selection\n"
	if err := os.WriteFile(filepath.Join(dir, "r.yml"), []byte(rule), 0o644); err != nil {
		b.Fatal(err)
	}
	eng, err := detect.New(detect.Config{Dirs: []string{dir}}, alert.SinkFunc(nil))
	if err != nil {
		b.Fatal(err)
	}
	defer eng.Close()
	rt, err := eng.NewRuleTest("bench-0001")
	if err != nil {
		b.Fatal(err)
	}
	t0 := time.Date(2026, 12, 1, 0, 0, 0, 0, time.UTC)
	rows := make([]store.Row, 1000)
	size := 0
	for i := range rows {
		msg := fmt.Sprintf("Accepted publickey for deploy from 10.0.%d.%d port %d ssh2", i%200, i%250, 30000+i)
		if i == 0 {
			msg = "Failed password for root from 203.0.113.9 port 22 ssh2"
		}
		rows[i] = store.Row{{Name: "@timestamp", Value: t0.Add(time.Duration(i) * time.Millisecond)}, {Name: "event.id", Value: fmt.Sprintf("id-%d", i)},
			{Name: "vigil.tenant", Value: "acme"}, {Name: "host.name", Value: fmt.Sprintf("web%d", i%50)}, {Name: "process.name", Value: "sshd"},
			{Name: "message", Value: msg}, {Name: "source.ip", Value: fmt.Sprintf("10.0.%d.%d", i%200, i%250)}, {Name: "user.name", Value: "deploy"}}
		size += len(rows[i].AppendJSON(nil))
	}
	b.SetBytes(int64(size / len(rows)))
	b.ReportAllocs()
	var ev event.Event
	b.ResetTimer()
	for i := range b.N {
		ev.Reset()
		rowEvent(rows[i%len(rows)], &ev)
		rt.Add(&ev)
	}
}
