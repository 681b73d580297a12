package awslog

import (
	"bytes"
	"fmt"
	"testing"

	"github.com/vigilsiem/vigil/internal/event"
)

var sinkEvent event.Event

// BenchmarkCloudTrail splits a CloudTrail log file built from the OTRF
// records and maps every record: the work of importing CloudTrail.
func BenchmarkCloudTrail(b *testing.B) {
	lines := otrfCloudTrailLines(b)
	doc := cloudTrailDocument(lines)
	b.ReportAllocs()
	b.SetBytes(int64(len(doc)))
	b.ResetTimer()
	records := 0
	for i := 0; i < b.N; i++ {
		err := SplitCloudTrail(bytes.NewReader(doc), func(_ int64, rec []byte, _ error) error {
			sinkEvent.Reset()
			records++
			return CloudTrail(rec, &sinkEvent)
		})
		if err != nil {
			b.Fatal(err)
		}
	}
	b.ReportMetric(float64(records)/b.Elapsed().Seconds(), "records/s")
}

// BenchmarkSplitCloudTrail measures finding the record boundaries alone.
func BenchmarkSplitCloudTrail(b *testing.B) {
	doc := cloudTrailDocument(otrfCloudTrailLines(b))
	b.ReportAllocs()
	b.SetBytes(int64(len(doc)))
	b.ResetTimer()
	for i := 0; i < b.N; i++ {
		if err := SplitCloudTrail(bytes.NewReader(doc), func(int64, []byte, error) error { return nil }); err != nil {
			b.Fatal(err)
		}
	}
}

// BenchmarkFlowDecode decodes default-format flow log lines.
func BenchmarkFlowDecode(b *testing.B) {
	ff := DefaultFlowFormat()
	lines := make([]string, 256)
	size := 0
	for i := range lines {
		lines[i] = fmt.Sprintf("2 123456789010 eni-1235b8ca1234567%02d 172.31.%d.%d 10.0.%d.%d %d 443 6 %d %d 1418530010 1418530070 %s OK",
			i%100, i%256, (i*7)%256, i%16, (i*3)%256, 1024+i, 1+i%50, 40+i*13, []string{"ACCEPT", "REJECT"}[i%2])
		size += len(lines[i]) + 1
	}
	b.ReportAllocs()
	b.SetBytes(int64(size) / int64(len(lines)))
	b.ResetTimer()
	for i := 0; i < b.N; i++ {
		sinkEvent.Reset()
		if err := ff.Decode(lines[i%len(lines)], &sinkEvent); err != nil {
			b.Fatal(err)
		}
	}
	b.ReportMetric(float64(b.N)/b.Elapsed().Seconds(), "records/s")
}
