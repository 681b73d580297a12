package watchlist

import (
	"bytes"
	"encoding/csv"
	"encoding/json"
	"log/slog"
	"os"
	"path/filepath"
	"reflect"
	"strconv"
	"strings"
	"testing"
	"time"
)

// FuzzParseCSV: no panic; every entry has a key; the entries written back
// as CSV with a header parse to the same entries.
func FuzzParseCSV(f *testing.F) {
	f.Add("10.0.0.1\n10.0.0.2,high,1h\n")
	f.Add("key,count,value,ttl\nx,3,\"a,b\",7d\n# c\n")
	f.Add("\"a\"\"b\",\n\n,\n")
	f.Fuzz(func(t *testing.T, in string) {
		es, err := ParseCSV(strings.NewReader(in))
		if err != nil {
			return
		}
		var buf bytes.Buffer
		w := csv.NewWriter(&buf)
		_ = w.Write([]string{"key", "value", "count", "ttl"})
		for _, e := range es {
			if strings.TrimSpace(e.Key) == "" {
				t.Fatalf("entry without a key from %q", in)
			}
			count := ""
			if e.Count != nil {
				count = strconv.FormatInt(*e.Count, 10)
			}
			_ = w.Write([]string{e.Key, e.Value, count, time.Duration(e.TTL).String()})
		}
		w.Flush()
		text := buf.String()
		// keys that start with # read back as comments
		comment := strings.Contains(text, "\n#")
		back, err := ParseCSV(strings.NewReader(text))
		if err != nil {
			if comment {
				return
			}
			t.Fatalf("re-parse of %q: %v", text, err)
		}
		if len(back) != len(es) {
			if comment {
				return
			}
			t.Fatalf("%d entries, %d after a round trip", len(es), len(back))
		}
		for i := range es {
			a, b := es[i], back[i]
			if a.Key != b.Key || a.Value != b.Value || a.TTL != b.TTL || (a.Count == nil) != (b.Count == nil) || a.Count != nil && *a.Count != *b.Count {
				t.Fatalf("entry %d: %+v became %+v", i, a, b)
			}
		}
	})
}

// FuzzRestore: a log of any content restores without panic, and what was
// restored survives a compaction and another restore.
func FuzzRestore(f *testing.F) {
	f.Add([]byte(`{"op":"list","t":"default","l":"x","s":{"ttl":"1h0m0s"}}` + "\n" + `{"op":"put","t":"default","l":"x","e":{"key":"k","count":2}}` + "\n"))
	f.Add([]byte(`{"op":"dlist","t":"a","l":"x"}` + "\n{\"op\":\"del\"}\n"))
	f.Fuzz(func(t *testing.T, log []byte) {
		dir := t.TempDir()
		if err := os.WriteFile(filepath.Join(dir, logFile), log, 0o644); err != nil {
			t.Fatal(err)
		}
		quiet := slog.New(slog.DiscardHandler)
		now := func() time.Time { return t0 }
		s, err := Open(Options{Dir: dir, Logger: quiet, Now: now})
		if err != nil {
			t.Fatal(err)
		}
		before := s.count()
		if err := s.Compact(); err != nil {
			t.Fatal(err)
		}
		if err := s.Close(); err != nil {
			t.Fatal(err)
		}
		s2, err := Open(Options{Dir: dir, Logger: quiet, Now: now})
		if err != nil {
			t.Fatal(err)
		}
		// compaction drops expired entries only
		if after := s2.count(); after > before {
			t.Fatalf("%d entries before compaction, %d after", before, after)
		}
	})
}

// FuzzDecodeOp: a bus record never panics the decoder or the store; an
// op that decodes encodes back to the same op, and applying a record twice
// at its offset changes nothing.
func FuzzDecodeOp(f *testing.F) {
	f.Add([]byte(`{"v":1,"id":"a1","op":"put","tenant":"default","list":"failed","key":"Bob","delta":1,"ttl":"1h0m0s","time":"2026-05-01T08:00:00Z"}`))
	f.Add([]byte(`{"v":1,"id":"a2","op":"put","tenant":"acme","list":"hosts","key":"h1","value":"x","set_value":true,"count":3,"time":"2026-05-01T08:00:00Z"}`))
	f.Add([]byte(`{"v":1,"id":"a3","op":"del","tenant":"default","list":"l","key":"k","time":"2026-05-01T08:00:00Z"}`))
	f.Add([]byte(`{"v":1,"id":"a4","op":"list","tenant":"default","list":"l","settings":{"ttl":"24h0m0s","max_entries":2},"time":"2026-05-01T08:00:00Z"}`))
	f.Add([]byte(`{"v":1,"id":"a5","op":"dlist","tenant":"default","list":"l","time":"2026-05-01T08:00:00Z"}`))
	f.Add([]byte(`{"v":2}`))
	f.Fuzz(func(t *testing.T, in []byte) {
		o, err := DecodeOp(in)
		s := NewMemory()
		if aerr := s.ApplyWatchlistRecord(0, 7, in); (aerr == nil) != (err == nil) {
			t.Fatalf("decode %v, apply %v", err, aerr)
		}
		before := s.Lists(o.Tenant)
		if err := s.ApplyWatchlistRecord(0, 7, in); err != nil {
			t.Fatalf("applied twice: %v", err)
		}
		if after := s.Lists(o.Tenant); !reflect.DeepEqual(before, after) {
			t.Fatalf("applied twice: %+v, then %+v", before, after)
		}
		if s.WatchlistOffsets()[0] != 8 {
			t.Fatalf("offsets %v", s.WatchlistOffsets())
		}
		if err != nil {
			return
		}
		b, err := json.Marshal(&o)
		if err != nil {
			t.Fatal(err)
		}
		o2, err := DecodeOp(b)
		if err != nil || !reflect.DeepEqual(o, o2) {
			t.Fatalf("%s encodes to %s: %+v, %v", in, b, o2, err)
		}
	})
}
