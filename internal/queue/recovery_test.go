package queue

import (
	"math/rand/v2"
	"os"
	"testing"
)

// rawAppend appends bytes to a file of fsys behind the queue's back.
func rawAppend(t *testing.T, fsys *memFS, name string, b []byte) {
	t.Helper()
	f, err := fsys.OpenFile(name, os.O_RDWR, 0)
	if err != nil {
		t.Fatal(err)
	}
	size, _ := f.Size()
	if _, err := f.WriteAt(b, size); err != nil {
		t.Fatal(err)
	}
	f.Close()
}

func TestTornTail(t *testing.T) {
	// A batch of three records that a crash cut short, as bytes.
	var batch []byte
	var ends []int
	for i := uint64(0); i < 3; i++ {
		var flags byte
		if i == 2 {
			flags = flagBatchEnd
		}
		batch = appendRecord(batch, 6+i, 1, flags, "acme", []byte("torn record data"))
		ends = append(ends, len(batch))
	}
	f := func(name string, tail []byte, wantTorn uint64) {
		t.Run(name, func(t *testing.T) {
			fsys := newMemFS()
			q := mustOpen(t, "/q", testOptions(fsys))
			kept := append(recs("a", 3, 40), recs("b", 2, 40)...)
			mustAppend(t, q, kept[:3])
			mustAppend(t, q, kept[3:])
			q.abandon()
			fsys.killProcess()
			seg := join("/q", segmentName(1))
			sizeBefore := len(fsys.content(seg))
			rawAppend(t, fsys, seg, tail)

			q = mustOpen(t, "/q", testOptions(fsys))
			defer q.Close()
			st := q.Status()
			if st.Torn != wantTorn || st.TornBytes != uint64(len(tail)) {
				t.Fatalf("torn %d records / %d bytes, want %d / %d", st.Torn, st.TornBytes, wantTorn, len(tail))
			}
			if n := len(fsys.content(seg)); n != sizeBefore {
				t.Fatalf("segment is %d bytes after recovery, want %d", n, sizeBefore)
			}
			if err := equalData(kept, drain(t, q)); err != nil {
				t.Fatal(err)
			}
			if last := mustAppend(t, q, recs("c", 1, 5)); last != 6 {
				t.Fatalf("next append got seq %d, want 6", last)
			}
		})
	}
	f("partial header", batch[:10], 1)
	f("partial body", batch[:recordHeaderSize+5], 1)
	f("one complete record, batch end missing", batch[:ends[0]], 1)
	f("two complete records, batch end missing", batch[:ends[1]], 2)
	f("two complete and a partial third", batch[:ends[2]-1], 3)
	f("zero-filled blocks", make([]byte, 4096), 1)
}

func TestTornSegmentHeader(t *testing.T) {
	fsys := newMemFS()
	o := testOptions(fsys)
	o.SegmentBytes = 1000
	q := mustOpen(t, "/q", o)
	mustAppend(t, q, recs("a", 4, 300))
	q.abandon()
	fsys.killProcess()
	// A crash between creating the next segment and writing its header.
	f, _ := fsys.OpenFile(join("/q", segmentName(5)), os.O_RDWR|os.O_CREATE, 0)
	f.WriteAt([]byte("VQ"), 0)
	f.Close()
	q = mustOpen(t, "/q", o)
	defer q.Close()
	if got := len(drain(t, q)); got != 4 {
		t.Fatalf("%d records, want 4", got)
	}
	if last := mustAppend(t, q, recs("b", 1, 5)); last != 5 {
		t.Fatalf("next append got seq %d, want 5", last)
	}
	if got := len(drain(t, q)); got != 1 {
		t.Fatalf("%d new records, want 1", got)
	}
}

func TestCorruptRecordsAreSkippedAndCounted(t *testing.T) {
	type loc struct {
		seg uint64
		off int64
	}
	f := func(name string, pick func(at map[uint64]loc) (loc, uint64)) {
		t.Run(name, func(t *testing.T) {
			fsys := newMemFS()
			o := testOptions(fsys)
			o.SegmentBytes = 2048
			q := mustOpen(t, "/q", o)
			var all [][]byte
			for i := 0; i < 6; i++ {
				b := recs("c", 4, 100)
				all = append(all, b...)
				mustAppend(t, q, b)
			}
			q.Close()
			at := map[uint64]loc{}
			firsts, _ := listSegments(fsys, "/q")
			for _, s := range firsts {
				b := fsys.content(join("/q", segmentName(s)))
				for off := int64(segmentHeaderSize); off < int64(len(b)); {
					h, err := parseRecordHeader(b[off:])
					if err != nil {
						t.Fatal(err)
					}
					at[h.seq] = loc{s, off}
					off += h.size()
				}
			}
			where, missing := pick(at)
			fsys.corrupt(join("/q", segmentName(where.seg)), int(where.off))

			q = mustOpen(t, "/q", o)
			defer q.Close()
			got := drain(t, q)
			if st := q.Status(); st.Corrupt != 1 {
				t.Fatalf("corrupt count %d, want 1", st.Corrupt)
			}
			if len(got) != len(all)-1 {
				t.Fatalf("%d records, want %d", len(got), len(all)-1)
			}
			for _, r := range got {
				if r.Seq == missing {
					t.Fatalf("corrupt record %d delivered", missing)
				}
			}
		})
	}
	f("body in a sealed segment", func(at map[uint64]loc) (loc, uint64) {
		l := at[2]
		return loc{l.seg, l.off + recordHeaderSize + 10}, 2
	})
	f("header in a sealed segment", func(at map[uint64]loc) (loc, uint64) {
		l := at[3]
		return loc{l.seg, l.off + 12}, 3
	})
	f("last record of a sealed segment", func(at map[uint64]loc) (loc, uint64) {
		last := uint64(1)
		for at[last+1].seg == 1 {
			last++
		}
		l := at[last]
		return loc{l.seg, l.off + 5}, last
	})
	f("middle of the active segment", func(at map[uint64]loc) (loc, uint64) {
		last := uint64(len(at))
		seq := last - 2
		if at[seq].seg != at[last].seg {
			t.Fatal("test layout: record not in the active segment")
		}
		l := at[seq]
		return loc{l.seg, l.off + recordHeaderSize}, seq
	})
}

func TestLedgerRecovery(t *testing.T) {
	f := func(name string, damage func(b []byte), wantFirst uint64) {
		t.Run(name, func(t *testing.T) {
			fsys := newMemFS()
			q := mustOpen(t, "/q", testOptions(fsys))
			mustAppend(t, q, recs("l", 10, 10))
			readN(t, q, 10)
			for _, s := range []uint64{2, 4, 7} {
				if err := q.Ack(s); err != nil {
					t.Fatal(err)
				}
				if s == 2 {
					if err := q.Sync(); err != nil {
						t.Fatal(err)
					}
				}
			}
			q.Close()
			led := join("/q", ledgerName)
			b := fsys.content(led)
			damage(b)
			g, _ := fsys.OpenFile(led, os.O_RDWR, 0)
			g.WriteAt(b, 0)
			g.Truncate(int64(len(b)))
			g.Close()
			q = mustOpen(t, "/q", testOptions(fsys))
			defer q.Close()
			got := drain(t, q)
			if len(got) == 0 || got[0].Seq != wantFirst || got[len(got)-1].Seq != 10 {
				t.Fatalf("redelivered %d records from %d, want from %d to 10", len(got), got[0].Seq, wantFirst)
			}
		})
	}
	// The Sync after the Ack of 2 made slot 0 durable (generation 2, the
	// new ledger's generation 1 was in slot 1); the Acks of 4 and 7 then
	// both went to slot 1, which Close synced.
	f("intact", func([]byte) {}, 8)
	f("newest slot torn", func(b []byte) { b[ledgerSlotSize+20] ^= 1 }, 3)
	f("older slot torn", func(b []byte) { b[20] ^= 1 }, 8)
	f("both slots torn", func(b []byte) { b[20] ^= 1; b[ledgerSlotSize+20] ^= 1 }, 1)
	f("older slot zeroed", func(b []byte) { clear(b[:ledgerSlotSize]) }, 8)
	f("newest slot zeroed", func(b []byte) { clear(b[ledgerSlotSize:]) }, 3)
}

// TestLedgerNeverTearsTheDurableSlot crashes after any number of unsynced
// updates, tearing the last write anywhere: the state recovered is never
// older than the last fsync.
func TestLedgerNeverTearsTheDurableSlot(t *testing.T) {
	for seed := uint64(0); seed < 200; seed++ {
		rng := rand.New(rand.NewPCG(seed, 3))
		fsys := newMemFS()
		l, _, err := openLedger(fsys, "/q", true)
		if err != nil {
			t.Fatal(err)
		}
		var synced, acked uint64
		for i := 0; i < 1+rng.IntN(10); i++ {
			acked++
			if err := l.write(ledgerState{acked: acked}); err != nil {
				t.Fatal(err)
			}
			if rng.IntN(3) == 0 {
				if err := l.sync(); err != nil {
					t.Fatal(err)
				}
				synced = acked
			}
		}
		fsys.crash(rng, true)
		l, lost, err := openLedger(fsys, "/q", true)
		if err != nil || lost {
			t.Fatalf("seed %d: reopen: lost %v, %v", seed, lost, err)
		}
		if got := l.state.acked; got < synced || got > acked {
			t.Fatalf("seed %d: recovered %d, synced %d, written %d", seed, got, synced, acked)
		}
	}
}
