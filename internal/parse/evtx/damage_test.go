package evtx

import (
	"bytes"
	"encoding/binary"
	"errors"
	"hash/crc32"
	"io"
	"os"
	"strings"
	"testing"

	"github.com/vigilsiem/vigil/internal/event"
)

// readAll reads every record of data and returns their ids.
func readAll(t testing.TB, data []byte) ([]uint64, Stats) {
	t.Helper()
	r, err := NewReader(bytes.NewReader(data), int64(len(data)), Options{Original: true})
	if err != nil {
		t.Fatalf("new reader: %v", err)
	}
	var ids []uint64
	var e event.Event
	for {
		rec, err := r.Next(&e)
		if errors.Is(err, io.EOF) {
			break
		}
		if err != nil {
			t.Fatalf("next: %v", err)
		}
		if !e.Has(FieldEventID) || e.Original == "" {
			t.Fatalf("record %d decoded without an event id or XML", rec.ID)
		}
		ids = append(ids, rec.ID)
	}
	st := r.Stats()
	for _, p := range st.Details {
		if strings.Contains(p.Error(), "bug:") {
			t.Errorf("decoder bug: %v", p)
		}
	}
	return ids, st
}

// sampleFile returns a shared-data file with at least two chunks of
// records whose first chunk defines templates.
func sampleFile(t *testing.T) []byte {
	t.Helper()
	for _, p := range refFiles(t) {
		data, err := os.ReadFile(p)
		if err != nil {
			t.Fatal(err)
		}
		if len(data) < fileHeaderBlock+2*chunkSize || string(data[fileHeaderBlock+chunkSize:][:8]) != chunkMagic {
			continue
		}
		if _, users := templateUsers(data, fileHeaderBlock, recordOffsets(data, 0)); users < 2 {
			continue
		}
		ids, st := readAll(t, data)
		if len(ids) >= 200 && st.Problems == 0 {
			return data
		}
	}
	t.Skip("no file with two full chunks in the shared data")
	return nil
}

// recordOffsets returns the chunk offsets of the records of chunk i.
func recordOffsets(data []byte, i int) []int {
	c := data[fileHeaderBlock+i*chunkSize:][:chunkSize]
	var offs []int
	for p := chunkHeaderSize; p+recordHeaderSize <= len(c) && string(c[p:p+4]) == recordMagic; p += int(u32(c, p+4)) {
		offs = append(offs, p)
	}
	return offs
}

func hasProblem(st Stats, target error, text string) bool {
	for _, p := range st.Details {
		if errors.Is(p, target) && strings.Contains(p.Error(), text) {
			return true
		}
	}
	return false
}

func TestDamagedFiles(t *testing.T) {
	orig := sampleFile(t)
	all, _ := readAll(t, orig)
	chunk0 := recordOffsets(orig, 0)
	chunk1 := recordOffsets(orig, 1)
	c0 := fileHeaderBlock
	c1 := fileHeaderBlock + chunkSize

	f := func(name string, damage func(d []byte) []byte, target error, text string, lost int) {
		t.Run(name, func(t *testing.T) {
			if lost < 0 {
				t.Skip("the sample has no record for this damage")
			}
			data := damage(bytes.Clone(orig))
			ids, st := readAll(t, data)
			if !hasProblem(st, target, text) {
				t.Errorf("no problem wrapping %v and naming %q; got %v", target, text, st.Details)
			}
			if got := len(all) - len(ids); got != lost {
				t.Errorf("%d records lost, want %d (problems: %v)", got, lost, st.Details)
			}
		})
	}
	f("file header checksum", func(d []byte) []byte { d[30]++; return d }, ErrChecksum, "file header", 0)
	f("file header signature", func(d []byte) []byte { copy(d, "NotAFile"); return d }, ErrCorrupt, "bad signature", 0)
	f("chunk header checksum", func(d []byte) []byte { d[c0+100]++; return d }, ErrChecksum, "chunk 0", 0)
	f("chunk signature", func(d []byte) []byte { copy(d[c1:], "XXXXXXXX"); return d }, ErrCorrupt, "chunk 1", 0)
	f("records checksum", func(d []byte) []byte {
		d[c0+chunk0[1]+16]++ // the written time of the second record
		return d
	}, ErrChecksum, "records checksum", 0)
	f("record size", func(d []byte) []byte {
		binary.LittleEndian.PutUint32(d[c0+chunk0[2]+4:], 0xfff0)
		return d
	}, ErrCorrupt, "bad size", 1)
	f("record signature", func(d []byte) []byte {
		copy(d[c1+chunk1[3]:], "!!")
		return d
	}, ErrCorrupt, "bad signature", 1)
	f("truncated", func(d []byte) []byte {
		return d[:c1+chunk1[len(chunk1)/2]+10]
	}, ErrCorrupt, "truncated", len(all)-len(chunk0)-len(chunk1)/2)
	f("chunk header announces more records", func(d []byte) []byte {
		h := d[c0:]
		binary.LittleEndian.PutUint64(h[16:], binary.LittleEndian.Uint64(h[16:])+5)
		binary.LittleEndian.PutUint32(h[124:], crc32.Update(crc32.ChecksumIEEE(h[:120]), crc32.IEEETable, h[128:512]))
		return d
	}, ErrCorrupt, "announces", 0)
	inline, users := templateUsers(orig, c0, chunk0)
	f("broken template", func(d []byte) []byte {
		d[c0+inline] = 0xff // the first token of the template's BinXML
		return d
	}, ErrBinXML, "unknown token", users)
}

// templateUsers finds the first record of chunk 0 that defines a template
// inline and returns the chunk offset of the template's BinXML and the
// number of records of the chunk that use the template (-1 if none).
func templateUsers(data []byte, c0 int, offs []int) (int, int) {
	def := -1
	body := 0
	n := 0
	for _, o := range offs {
		p := o + recordHeaderSize
		c := data[c0:]
		if c[p] != tokFragmentHeader || c[p+4] != tokTemplate {
			continue
		}
		d := int(u32(c, p+4+6))
		if def < 0 && d == p+4+10 {
			def, body = d, d+24
		}
		if d == def {
			n++
		}
	}
	if def < 0 {
		return 0, -1
	}
	return body, n
}

func TestNotEVTX(t *testing.T) {
	for _, data := range [][]byte{nil, []byte("hello"), bytes.Repeat([]byte{0}, 70000), bytes.Repeat([]byte("ElfChnk\x00"), 10)} {
		if _, err := NewReader(bytes.NewReader(data), int64(len(data)), Options{}); !errors.Is(err, ErrNotEVTX) {
			t.Errorf("%d bytes: err = %v, want ErrNotEVTX", len(data), err)
		}
	}
}

func TestHeaderOnly(t *testing.T) {
	orig := sampleFile(t)
	ids, st := readAll(t, orig[:fileHeaderBlock])
	if len(ids) != 0 || st.Problems != 0 {
		t.Errorf("header only: %d records, problems %v", len(ids), st.Details)
	}
}

func TestSeekRecord(t *testing.T) {
	data := sampleFile(t)
	all, _ := readAll(t, data)
	r, err := NewReader(bytes.NewReader(data), int64(len(data)), Options{})
	if err != nil {
		t.Fatal(err)
	}
	var e event.Event
	var offsets []int64
	for {
		rec, err := r.Next(&e)
		if errors.Is(err, io.EOF) {
			break
		}
		offsets = append(offsets, rec.Offset)
	}
	for _, i := range []int{0, 1, len(all) / 2, len(all) - 1} {
		r, _ := NewReader(bytes.NewReader(data), int64(len(data)), Options{})
		if err := r.SeekRecord(offsets[i]); err != nil {
			t.Fatalf("seek %d: %v", i, err)
		}
		n := 0
		for {
			rec, err := r.Next(&e)
			if errors.Is(err, io.EOF) {
				break
			}
			if rec.ID != all[i+n] {
				t.Fatalf("after seeking to record %d: got id %d, want %d", i, rec.ID, all[i+n])
			}
			n++
		}
		if n != len(all)-i {
			t.Errorf("after seeking to record %d: %d records, want %d", i, n, len(all)-i)
		}
		if st := r.Stats(); st.Problems != 0 {
			t.Errorf("seek: problems %v", st.Details)
		}
	}
	if err := r.SeekRecord(10); err == nil {
		t.Error("seek into the file header: no error")
	}
}
