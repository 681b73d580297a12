package response

import (
	"context"
	"encoding/json"
	"fmt"
	"testing"

	"github.com/vigilsiem/vigil/internal/alert"
	"github.com/vigilsiem/vigil/internal/config"
)

// BenchmarkWriteAlerts measures what detection pays per alert: matching
// against 10 responses (half the alerts match one) and queueing the job in
// its response's durable queue (one fsync per response and batch of 1,000
// alerts).
func BenchmarkWriteAlerts(b *testing.B) {
	var rs []config.Response
	for i := range 10 {
		c := config.Response{Name: fmt.Sprint("r", i), Type: "program", Queue: 200_000, Program: &config.ProgramResponse{Command: []string{"true"}},
			Match: config.ResponseMatch{Rules: []string{fmt.Sprintf("rule-%d*", i)}, MinLevel: "medium", Tags: []string{"attack.t1110*"}}}
		rs = append(rs, c)
	}
	rec := NewRecorder(openLog(b), nil)
	d, err := New(context.Background(), Options{Responses: validated(b, rs...), Recorder: rec, Dir: b.TempDir()})
	if err != nil {
		b.Fatal(err)
	}
	// Not started: jobs stay queued, so only the detection side is measured.
	// Rules rule-0 to rule-19: half the alerts match one response.
	as := make([]alert.Alert, 1000)
	for i := range as {
		as[i] = mkAlert("x", "high")
		as[i].RuleID = fmt.Sprint("rule-", i%20)
	}
	one, _ := json.Marshal(as[0])
	if b.N > 200_000 {
		b.Fatal("run at most 200000 alerts (-benchtime 100000x): the queues hold them all")
	}
	b.ReportAllocs()
	b.SetBytes(int64(len(one)))
	b.ResetTimer()
	for i := 0; i < b.N; i += len(as) {
		batch := as[:min(len(as), b.N-i)]
		for j := range batch {
			batch[j].ID = fmt.Sprint(i, "-", j) // new alerts, not updates
		}
		if err := d.WriteAlerts(context.Background(), batch); err != nil {
			b.Fatal(err)
		}
	}
	b.StopTimer()
	b.ReportMetric(float64(b.N)/b.Elapsed().Seconds(), "alerts/s")
	if err := d.Close(context.Background()); err != nil {
		b.Fatal(err)
	}
}
