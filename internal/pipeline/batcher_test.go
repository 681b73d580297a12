package pipeline

import (
	"bytes"
	"context"
	"fmt"
	"sync"
	"testing"
)

// collect is an Input that keeps the batches submitted to it.
type collect struct {
	mu      sync.Mutex
	batches []*Batch
}

func (c *collect) Submit(_ context.Context, b *Batch) error {
	c.mu.Lock()
	defer c.mu.Unlock()
	c.batches = append(c.batches, b)
	return nil
}

func (c *collect) records() []Record {
	c.mu.Lock()
	defer c.mu.Unlock()
	var out []Record
	for _, b := range c.batches {
		out = append(out, b.Records...)
	}
	return out
}

// TestBatcherCopiesRecords checks that each record's Data is its own: the
// caller's buffer is reused after Add, records of every size (small ones
// share the Batcher's chunks, large ones do not) keep their bytes across
// batches, and an append to one record's Data never reaches another's.
func TestBatcherCopiesRecords(t *testing.T) {
	in := &collect{}
	bt := NewBatcher(in, BatcherConfig{Source: "s", MaxRecords: 7})
	var want [][]byte
	buf := make([]byte, 0, 64<<10)
	for i := range 300 {
		n := (i * 997) % (arenaChunk / 3)
		if i%50 == 0 {
			n = (16<<10)/4 + i // larger than a chunk's share
		}
		buf = buf[:0]
		for j := range n {
			buf = append(buf, byte('a'+(i+j)%26))
		}
		want = append(want, bytes.Clone(buf))
		if err := bt.Add(context.Background(), buf, "", ""); err != nil {
			t.Fatal(err)
		}
		clear(buf[:n]) // the caller reuses its read buffer
	}
	if err := bt.Close(context.Background()); err != nil {
		t.Fatal(err)
	}
	recs := in.records()
	if len(recs) != len(want) {
		t.Fatalf("%d records, want %d", len(recs), len(want))
	}
	for i := range recs {
		recs[i].Data = append(recs[i].Data, "tail"...)
	}
	for i, r := range recs {
		if got := r.Data[:len(r.Data)-len("tail")]; !bytes.Equal(got, want[i]) {
			t.Fatalf("record %d: %d bytes %.20q…, want %d bytes %.20q…", i, len(got), got, len(want[i]), want[i])
		}
	}
}

// BenchmarkBatcherAdd is the Batcher's cost per record of the bench mix's
// size (212 bytes), 1000 to a batch.
func BenchmarkBatcherAdd(b *testing.B) {
	in := &collect{}
	bt := NewBatcher(in, BatcherConfig{Source: "s"})
	rec := []byte(fmt.Sprintf("<134>Nov 22 00:00:43 fw-5 CEF:0|Check Point|VPN-1|R81|THREAT|vulnerability|8|rt=1795305643200 src=10.20.119.215 dst=70.119.207.1 spt=39227 dpt=919 proto=UDP act=deny suser=user%d", 467))
	b.SetBytes(int64(len(rec)))
	b.ReportAllocs()
	for b.Loop() {
		if err := bt.Add(context.Background(), rec, "", ""); err != nil {
			b.Fatal(err)
		}
		in.mu.Lock()
		in.batches = in.batches[:0]
		in.mu.Unlock()
	}
	if err := bt.Close(context.Background()); err != nil {
		b.Fatal(err)
	}
}

// TestBatcherIdleHoldsNoChunk checks the bound on what a Batcher keeps: a
// batch of one small record takes a small chunk, and once its batch is
// submitted (full, flushed or lingered) the Batcher holds none, however
// many connections sit idle with one each.
func TestBatcherIdleHoldsNoChunk(t *testing.T) {
	in := &collect{}
	bt := NewBatcher(in, BatcherConfig{Source: "s", MaxRecords: 3})
	if err := bt.Add(context.Background(), []byte("one record"), "", ""); err != nil {
		t.Fatal(err)
	}
	bt.mu.Lock()
	if c := cap(bt.arena); c > minArenaChunk {
		t.Errorf("a batch of one record took a %d-byte chunk, want at most %d", c, minArenaChunk)
	}
	bt.mu.Unlock()
	if err := bt.Flush(context.Background()); err != nil {
		t.Fatal(err)
	}
	for range 3 { // fills a batch: submitted by Add
		if err := bt.Add(context.Background(), []byte("r"), "", ""); err != nil {
			t.Fatal(err)
		}
	}
	bt.mu.Lock()
	defer bt.mu.Unlock()
	if bt.arena != nil {
		t.Errorf("the Batcher holds a %d-byte chunk with no batch open", cap(bt.arena))
	}
}
