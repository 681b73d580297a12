package queue

import (
	"bytes"
	"errors"
	"io"
	"os"
	"testing"
)

func TestRecordRoundTrip(t *testing.T) {
	f := func(name string, seq uint64, tm int64, flags byte, tenant string, data []byte) {
		t.Run(name, func(t *testing.T) {
			b := appendRecord([]byte("prefix"), seq, tm, flags, tenant, data)
			b = b[len("prefix"):]
			if len(b) != recordSize(tenant, data) {
				t.Fatalf("framed %d bytes, recordSize says %d", len(b), recordSize(tenant, data))
			}
			h, err := parseRecordHeader(b)
			if err != nil {
				t.Fatalf("header: %v", err)
			}
			if h.seq != seq || h.time != tm || h.flags != flags || h.size() != int64(len(b)) {
				t.Fatalf("header %+v, want seq %d time %d flags %d size %d", h, seq, tm, flags, len(b))
			}
			gotTenant, gotData, err := parseRecordBody(h, b[recordHeaderSize:])
			if err != nil {
				t.Fatalf("body: %v", err)
			}
			if string(gotTenant) != tenant || !bytes.Equal(gotData, data) {
				t.Fatalf("body (%q, %q), want (%q, %q)", gotTenant, gotData, tenant, data)
			}
		})
	}
	f("plain", 1, 1700000000123456789, flagBatchEnd, "default", []byte("hello"))
	f("empty data", 42, 0, 0, "t", nil)
	f("empty tenant", 7, -5, 0, "", []byte{0})
	f("max seq", ^uint64(0), 1, flagBatchEnd, "x", bytes.Repeat([]byte{0xff}, 1000))
	f("long tenant", 3, 3, 0, string(bytes.Repeat([]byte("t"), 300)), []byte("d"))
}

func TestRecordRejects(t *testing.T) {
	good := appendRecord(nil, 5, 10, flagBatchEnd, "acme", []byte("payload"))
	f := func(name string, mutate func(b []byte) []byte, want error) {
		t.Run(name, func(t *testing.T) {
			b := mutate(append([]byte(nil), good...))
			h, err := parseRecordHeader(b)
			if err == nil {
				_, _, err = parseRecordBody(h, b[recordHeaderSize:])
			}
			if !errors.Is(err, want) {
				t.Fatalf("got %v, want %v", err, want)
			}
		})
	}
	f("header bit flip", func(b []byte) []byte { b[10] ^= 1; return b }, errBadHeader)
	f("header crc flip", func(b []byte) []byte { b[0] ^= 1; return b }, errBadHeader)
	f("body bit flip", func(b []byte) []byte { b[len(b)-1] ^= 1; return b }, errBadBody)
	f("body truncated", func(b []byte) []byte { return b[:len(b)-1] }, errBadBody)
	f("unknown flag", func(b []byte) []byte { return reframe(b, func(h []byte) { h[4] |= 0x80 }) }, errBadHeader)
	f("zero seq", func(b []byte) []byte { return reframe(b, func(h []byte) { clear(h[9:17]) }) }, errBadHeader)
	f("huge length", func(b []byte) []byte { return reframe(b, func(h []byte) { h[8] = 0x7f }) }, errBadHeader)
	f("tenant length past body", func(b []byte) []byte {
		b[recordHeaderSize] = 100
		return rebody(b)
	}, errBadBody)
}

// reframe edits a record header and fixes its checksum, to test the checks
// behind the checksum.
func reframe(b []byte, edit func(h []byte)) []byte {
	edit(b[:recordHeaderSize])
	putU32(b[0:], crc(b[4:recordHeaderSize]))
	return b
}

// rebody fixes the body checksum (and the header's) after an edit.
func rebody(b []byte) []byte {
	putU32(b[25:], crc(b[recordHeaderSize:]))
	putU32(b[0:], crc(b[4:recordHeaderSize]))
	return b
}

func putU32(b []byte, v uint32) {
	b[0], b[1], b[2], b[3] = byte(v), byte(v>>8), byte(v>>16), byte(v>>24)
}

func TestSegmentHeader(t *testing.T) {
	b := appendSegmentHeader(nil, 1234, 99)
	if len(b) != segmentHeaderSize {
		t.Fatalf("header is %d bytes, want %d", len(b), segmentHeaderSize)
	}
	h, err := parseSegmentHeader(b)
	if err != nil || h.first != 1234 || h.created != 99 || h.version != formatVersion {
		t.Fatalf("got %+v, %v", h, err)
	}
	f := func(name string, mutate func(b []byte) []byte, wantVersionErr bool) {
		t.Run(name, func(t *testing.T) {
			_, err := parseSegmentHeader(mutate(append([]byte(nil), b...)))
			if err == nil {
				t.Fatal("accepted a bad header")
			}
			if errors.Is(err, errSegmentVersion) != wantVersionErr {
				t.Fatalf("version error %v, want %v (%v)", !wantVersionErr, wantVersionErr, err)
			}
		})
	}
	f("short", func(b []byte) []byte { return b[:10] }, false)
	f("magic", func(b []byte) []byte { b[0] = 'X'; return b }, false)
	f("checksum", func(b []byte) []byte { b[12] ^= 1; return b }, false)
	f("version 2", func(b []byte) []byte {
		b[4] = 2
		putU32(b[24:], crc(b[:24]))
		return b
	}, true)
}

func TestLedgerSlot(t *testing.T) {
	s := ledgerState{gen: 9, acked: 1 << 40, hintSeg: 77, hintOff: 4096}
	b := appendLedgerSlot(nil, s)
	if len(b) != ledgerSlotSize {
		t.Fatalf("slot is %d bytes, want %d", len(b), ledgerSlotSize)
	}
	got, err := parseLedgerSlot(b)
	if err != nil || got != s {
		t.Fatalf("got %+v, %v; want %+v", got, err, s)
	}
	for i := range b {
		c := append([]byte(nil), b...)
		c[i] ^= 0x10
		if _, err := parseLedgerSlot(c); err == nil {
			t.Fatalf("accepted a slot with byte %d flipped", i)
		}
	}
}

func TestSegmentName(t *testing.T) {
	f := func(name string, want uint64, ok bool) {
		t.Run(name, func(t *testing.T) {
			got, gotOK := parseSegmentName(name)
			if got != want || gotOK != ok {
				t.Fatalf("parseSegmentName(%q) = %d, %v; want %d, %v", name, got, gotOK, want, ok)
			}
		})
	}
	f(segmentName(1), 1, true)
	f(segmentName(18446744073709551615), 18446744073709551615, true)
	f("00000000000000000001.seg.tmp", 0, false)
	f("1.seg", 0, false)
	f("00000000000000000000.seg", 0, false)
	f("0000000000000000000x.seg", 0, false)
	f("ledger", 0, false)
}

// scanAll runs a scanner over b as a whole segment file.
func scanAll(t testing.TB, b []byte) (seqs []uint64, skipped int64) {
	fsys := newMemFS()
	f, _ := fsys.OpenFile("/s", os.O_RDWR|os.O_CREATE, 0)
	f.WriteAt(b, 0)
	sc := scanner{f: f, off: 0, limit: int64(len(b)), minSeq: 1}
	for {
		rec, sk, err := sc.next()
		skipped += sk
		if err == io.EOF {
			return seqs, skipped
		}
		if err != nil {
			t.Fatalf("scan: %v", err)
		}
		seqs = append(seqs, rec.hdr.seq)
	}
}

func TestScannerResync(t *testing.T) {
	var b []byte
	var offs []int
	for i := uint64(1); i <= 5; i++ {
		offs = append(offs, len(b))
		b = appendRecord(b, i, int64(i), flagBatchEnd, "t", bytes.Repeat([]byte{byte(i)}, 50))
	}
	f := func(name string, mutate func(b []byte) []byte, want []uint64) {
		t.Run(name, func(t *testing.T) {
			got, _ := scanAll(t, mutate(append([]byte(nil), b...)))
			if !equalSeqs(got, want) {
				t.Fatalf("got %v, want %v", got, want)
			}
		})
	}
	f("intact", func(b []byte) []byte { return b }, []uint64{1, 2, 3, 4, 5})
	f("header of 3 broken", func(b []byte) []byte { b[offs[2]+6] ^= 1; return b }, []uint64{1, 2, 4, 5})
	f("body of 1 broken", func(b []byte) []byte { b[offs[0]+40] ^= 1; return b }, []uint64{2, 3, 4, 5})
	f("garbage between 2 and 3", func(b []byte) []byte {
		return append(append(append([]byte(nil), b[:offs[2]]...), bytes.Repeat([]byte{0xAA}, 77)...), b[offs[2]:]...)
	}, []uint64{1, 2, 3, 4, 5})
	f("zeros over 4 and 5", func(b []byte) []byte { clear(b[offs[3]:]); return b }, []uint64{1, 2, 3})
	f("torn last body", func(b []byte) []byte { return b[:len(b)-3] }, []uint64{1, 2, 3, 4})
	f("stale lower seq after 5 is ignored", func(b []byte) []byte {
		return appendRecord(b, 2, 0, flagBatchEnd, "t", []byte("old"))
	}, []uint64{1, 2, 3, 4, 5})
}

func equalSeqs(a, b []uint64) bool {
	if len(a) != len(b) {
		return false
	}
	for i := range a {
		if a[i] != b[i] {
			return false
		}
	}
	return true
}

// FuzzScanner feeds arbitrary bytes to the scanner as a segment: it must
// never panic, must return strictly increasing sequence numbers, and every
// record it returns must re-encode to exactly the bytes it was read from.
func FuzzScanner(f *testing.F) {
	var b []byte
	for i := uint64(1); i <= 3; i++ {
		b = appendRecord(b, i, int64(i), flagBatchEnd, "t", []byte("data"))
	}
	f.Add(b)
	f.Add(b[:len(b)-5])
	f.Add(append([]byte{1, 2, 3}, b...))
	f.Add([]byte{})
	f.Fuzz(func(t *testing.T, in []byte) {
		fsys := newMemFS()
		file, _ := fsys.OpenFile("/s", os.O_RDWR|os.O_CREATE, 0)
		file.WriteAt(in, 0)
		sc := scanner{f: file, limit: int64(len(in)), minSeq: 1}
		var last uint64
		for {
			rec, skipped, err := sc.next()
			if skipped < 0 || sc.off > sc.limit {
				t.Fatalf("skipped %d, offset %d past limit %d", skipped, sc.off, sc.limit)
			}
			if err == io.EOF {
				return
			}
			if err != nil {
				t.Fatal(err)
			}
			if rec.hdr.seq <= last {
				t.Fatalf("seq %d after %d", rec.hdr.seq, last)
			}
			last = rec.hdr.seq
			again := appendRecord(nil, rec.hdr.seq, rec.hdr.time, rec.hdr.flags, string(rec.tenant), rec.data)
			if !bytes.Equal(again, in[rec.off:rec.end()]) {
				t.Fatalf("record at %d does not re-encode to its bytes", rec.off)
			}
		}
	})
}

// FuzzHeaders feeds arbitrary bytes to the segment header and ledger slot
// parsers: no panic, and whatever they accept encodes back to a header
// they parse to the same values.
func FuzzHeaders(f *testing.F) {
	f.Add(appendSegmentHeader(nil, 1, 2))
	f.Add(appendLedgerSlot(nil, ledgerState{gen: 3, acked: 4, hintSeg: 5, hintOff: 6}))
	f.Add([]byte("VQSG"))
	f.Fuzz(func(t *testing.T, in []byte) {
		if h, err := parseSegmentHeader(in); err == nil {
			again, err := parseSegmentHeader(appendSegmentHeader(nil, h.first, h.created))
			if err != nil || again != h {
				t.Fatalf("segment header %+v re-encoded as %+v, %v", h, again, err)
			}
		}
		if s, err := parseLedgerSlot(in); err == nil {
			again, err := parseLedgerSlot(appendLedgerSlot(nil, s))
			if err != nil || again != s {
				t.Fatalf("ledger slot %+v re-encoded as %+v, %v", s, again, err)
			}
		}
	})
}
