package file

import (
	"context"
	"fmt"
	"log/slog"
	"os"
	"path/filepath"
	"sync/atomic"
	"testing"
	"time"

	"github.com/vigilsiem/vigil/internal/config"
	"github.com/vigilsiem/vigil/internal/pipeline"
)

func benchText(n int) []byte {
	var b []byte
	for i := 0; i < n; i++ {
		b = fmt.Appendf(b, "Nov 23 10:00:%02d web-%02d sshd[%d]: Accepted publickey for user%d from 10.0.%d.%d port %d ssh2\n",
			i%60, i%32, 1000+i%5000, i%500, i%256, (i*7)%256, 1024+i%60000)
	}
	return b
}

func BenchmarkLineSplitter(b *testing.B) {
	data := benchText(10000)
	b.ReportAllocs()
	b.SetBytes(int64(len(data)))
	n := 0
	for b.Loop() {
		ls := newLineSplitter(DefaultMaxLineBytes, 0)
		for chunk := data; len(chunk) > 0; {
			k := min(64<<10, len(chunk))
			ls.feed(chunk[:k], func([]byte, int64, bool) { n++ })
			chunk = chunk[k:]
		}
	}
	b.ReportMetric(float64(n)/b.Elapsed().Seconds(), "lines/s")
}

// countInput counts records; full is closed once want arrived.
type countInput struct {
	n    atomic.Int64
	want int64
	full chan struct{}
}

func (c *countInput) Submit(_ context.Context, b *pipeline.Batch) error {
	n := int64(len(b.Records))
	if total := c.n.Add(n); total >= c.want && total-n < c.want {
		close(c.full)
	}
	b.Ack(nil)
	return nil
}

// BenchmarkTail measures reading a file from disk into acknowledged
// batches, checkpoints included.
func BenchmarkTail(b *testing.B) {
	data := benchText(100000)
	dir := b.TempDir()
	b.ReportAllocs()
	b.SetBytes(int64(len(data)))
	for i := 0; b.Loop(); i++ {
		b.StopTimer()
		log := filepath.Join(dir, fmt.Sprintf("bench-%d.log", i))
		if err := os.WriteFile(log, data, 0o644); err != nil {
			b.Fatal(err)
		}
		in := &countInput{want: 100000, full: make(chan struct{})}
		s, err := New(Config{SourceCommon: config.SourceCommon{Name: "bench", Type: "file"}, Paths: []string{log},
			PollInterval: config.Duration(10 * time.Millisecond)}, config.SourceEnv{DataDir: b.TempDir(), Metrics: pipeline.NewMetrics(nil), Logger: slog.New(slog.DiscardHandler)})
		if err != nil {
			b.Fatal(err)
		}
		ctx, cancel := context.WithCancel(context.Background())
		done := make(chan struct{})
		b.StartTimer()
		go func() { _ = s.Run(ctx, in); close(done) }()
		<-in.full
		b.StopTimer()
		cancel()
		<-done
		b.StartTimer()
	}
	b.ReportMetric(float64(100000*b.N)/b.Elapsed().Seconds(), "lines/s")
}
