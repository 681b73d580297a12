package queue

import (
	"context"
	"fmt"
	"math/rand/v2"
	"os"
	"testing"
)

// benchBatch is 1000 records of ~300 bytes (290–310), the pipeline's batch
// size and a typical encoded event.
func benchBatch() ([][]byte, int) {
	rng := rand.New(rand.NewPCG(1, 2))
	batch := make([][]byte, 1000)
	total := 0
	for i := range batch {
		b := make([]byte, 290+rng.IntN(21))
		for j := range b {
			b[j] = byte(' ' + rng.IntN(95))
		}
		batch[i] = b
		total += len(b)
	}
	return batch, total
}

var sinkRecords []Record

// BenchmarkAppendReadAck is the delivery path: append a batch of 1000
// records, read it back, acknowledge it. With SyncBatch every iteration
// costs one fsync (plus the ledger's on the sync interval).
func BenchmarkAppendReadAck(b *testing.B) {
	for _, p := range []SyncPolicy{SyncBatch, SyncNever} {
		b.Run("sync="+p.String(), func(b *testing.B) {
			o := testOptions(nil)
			o.Sync = p
			q := mustOpen(b, b.TempDir(), o)
			defer q.Close()
			batch, size := benchBatch()
			ctx := context.Background()
			b.SetBytes(int64(size))
			b.ReportAllocs()
			b.ResetTimer()
			for i := 0; i < b.N; i++ {
				if _, err := q.Append(batch); err != nil {
					b.Fatal(err)
				}
				n := 0
				for n < len(batch) {
					rs, err := q.Read(ctx, len(batch)-n, 1<<30)
					if err != nil {
						b.Fatal(err)
					}
					n += len(rs)
					sinkRecords = rs
				}
				if err := q.Ack(sinkRecords[len(sinkRecords)-1].Seq); err != nil {
					b.Fatal(err)
				}
			}
			b.StopTimer()
			st := q.Status()
			b.ReportMetric(float64(b.N*len(batch))/b.Elapsed().Seconds(), "records/s")
			b.ReportMetric(float64(st.AppendedBytes)/float64(st.Appended), "disk-B/record")
			b.ReportMetric(float64(st.Fsyncs)/float64(b.N), "fsyncs/batch")
		})
	}
}

// BenchmarkAppendParallel has many goroutines append batches of 100
// records with SyncBatch: group commit lets them share fsyncs.
func BenchmarkAppendParallel(b *testing.B) {
	for _, writers := range []int{1, 8, 32} {
		b.Run(fmt.Sprintf("writers=%d", writers), func(b *testing.B) {
			q := mustOpen(b, b.TempDir(), testOptions(nil))
			defer q.Close()
			full, _ := benchBatch()
			batch := full[:100]
			size := 0
			for _, r := range batch {
				size += len(r)
			}
			b.SetBytes(int64(size))
			b.ReportAllocs()
			work := make(chan struct{}, b.N)
			for i := 0; i < b.N; i++ {
				work <- struct{}{}
			}
			close(work)
			b.ResetTimer()
			done := make(chan struct{})
			for w := 0; w < writers; w++ {
				go func() {
					defer func() { done <- struct{}{} }()
					for range work {
						if _, err := q.Append(batch); err != nil {
							b.Error(err)
							return
						}
					}
				}()
			}
			for w := 0; w < writers; w++ {
				<-done
			}
			b.StopTimer()
			st := q.Status()
			b.ReportMetric(float64(b.N*len(batch))/b.Elapsed().Seconds(), "records/s")
			b.ReportMetric(float64(b.N)/float64(st.Fsyncs), "appends/fsync")
		})
	}
}

// BenchmarkScan is the reader's decoding of a segment from the page cache:
// both checksums and the copy out.
func BenchmarkScan(b *testing.B) {
	batch, size := benchBatch()
	var seg []byte
	for i, r := range batch {
		seg = appendRecord(seg, uint64(i+1), 1, 0, "acme", r)
	}
	fsys := newMemFS()
	f, _ := fsys.OpenFile("/s", os.O_RDWR|os.O_CREATE, 0)
	f.WriteAt(seg, 0)
	b.SetBytes(int64(size))
	b.ReportAllocs()
	b.ResetTimer()
	var buf []byte
	for i := 0; i < b.N; i++ {
		sc := scanner{f: f, limit: int64(len(seg)), minSeq: 1, buf: buf}
		for {
			if _, _, err := sc.next(); err != nil {
				break
			}
		}
		buf = sc.buf
	}
}

// BenchmarkEncode is the framing of a batch (both checksums).
func BenchmarkEncode(b *testing.B) {
	batch, size := benchBatch()
	var buf []byte
	b.SetBytes(int64(size))
	b.ReportAllocs()
	for i := 0; i < b.N; i++ {
		buf = buf[:0]
		for j, r := range batch {
			buf = appendRecord(buf, uint64(j+1), 1, 0, "acme", r)
		}
	}
}
