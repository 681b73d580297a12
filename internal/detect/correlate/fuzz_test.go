package correlate

import (
	"encoding/binary"
	"errors"
	"fmt"
	"hash/crc32"
	"log/slog"
	"os"
	"reflect"
	"testing"
	"time"
)

// FuzzDecodeSnapshot feeds damaged snapshot bodies (with a valid magic and
// checksum, so the decoder itself is exercised): decoding never panics,
// fails only with errCorrupt, and what decodes encodes back to the same
// state.
func FuzzDecodeSnapshot(f *testing.F) {
	docs := `title: Ordered
name: ord
correlation: {type: temporal_ordered, rules: [a, b], group-by: u, timespan: 1m}
---
title: Few
name: few
correlation: {type: event_count, rules: [b], group-by: u, timespan: 1m, condition: {lt: 5}}
---
title: Burst
name: burst
correlation: {type: value_count, rules: [a], group-by: u, timespan: 1m, condition: {field: p, gte: 2}}
`
	set, errs := compile(f, docs)
	if len(errs) > 0 {
		f.Fatal(errs)
	}
	e, _, err := New(Options{Lateness: time.Minute}, set)
	if err != nil {
		f.Fatal(err)
	}
	f.Add(e.encodeSnapshot()[len(snapMagic) : len(e.encodeSnapshot())-4])
	e.Process([]Hit{hit("a@0 u=x p=1"), hit("b@1 u=x"), hit("a@2 u=y p=2 tenant=t"), hit("a@3 u=y p=3 tenant=t")})
	b := e.encodeSnapshot()
	f.Add(b[len(snapMagic) : len(b)-4])
	f.Fuzz(func(t *testing.T, body []byte) {
		b := append([]byte(snapMagic), body...)
		b = binary.LittleEndian.AppendUint32(b, crc32.Checksum(b, castagnoli))
		st, err := decodeState(b)
		if err != nil {
			if !errors.Is(err, errCorrupt) {
				t.Fatalf("error does not wrap errCorrupt: %v", err)
			}
			return
		}
		st2, err := decodeState(encodeState(st))
		if err != nil {
			t.Fatalf("re-encoded state does not decode: %v", err)
		}
		if !reflect.DeepEqual(st, st2) {
			t.Fatalf("round trip changed the state")
		}
	})
}

// FuzzProcess feeds arbitrary hit sequences to every correlation type: no
// panic, the group count stays within the caps and matches what the state
// holds, and a snapshot of the state decodes.
func FuzzProcess(f *testing.F) {
	docs := `title: Ordered
name: ord
correlation: {type: temporal_ordered, rules: [a, b, c], group-by: u, timespan: 10s}
---
title: Anchored
name: few
correlation: {type: event_count, rules: [b], group-by: u, timespan: 10s, condition: {gt: 1, lt: 4}}
---
title: Values
name: vals
correlation: {type: value_count, rules: [a], group-by: u, timespan: 10s, condition: {field: p, gte: 3}}
---
title: Temporal
name: tmp
correlation: {type: temporal, rules: [a, c], group-by: u, timespan: 10s}
---
title: Chain
correlation: {type: event_count, rules: [tmp], group-by: u, timespan: 30s, condition: {gte: 2}}
`
	f.Add([]byte{0, 1, 2, 3, 4, 5, 6, 7, 8, 9})
	f.Add([]byte{3, 3, 3, 3, 200, 100, 7, 1, 0, 255, 17, 9, 9, 9})
	set, errs := compile(f, docs)
	if len(errs) > 0 {
		f.Fatal(errs)
	}
	quiet := slog.New(slog.DiscardHandler)
	f.Fuzz(func(t *testing.T, data []byte) {
		e, _, err := New(Options{Lateness: 5 * time.Second, MaxKeysPerRule: 4, MaxKeys: 10, Logger: quiet}, set)
		if err != nil {
			t.Fatal(err)
		}
		rules := []string{"a", "b", "33333333-3333-4333-8333-333333333333"}
		for i := 0; i+2 < len(data); i += 3 {
			h := Hit{Rule: rules[int(data[i])%3], Tenant: []string{"t1", "t2"}[data[i]>>7], ID: "e",
				Time:   t0.Add(time.Duration(data[i+1]) * time.Second / 4).UnixNano(),
				Fields: []Field{{Name: "u", Value: string('a' + rune(data[i+2]%7))}, {Name: "p", Value: string('0' + rune(data[i+2]>>4))}}}
			e.Process([]Hit{h})
		}
		e.Flush()
		if e.keys > 10 || e.keys < 0 {
			t.Fatalf("%d groups with a cap of 10", e.keys)
		}
		n := 0
		for _, tn := range e.tenants {
			for _, cs := range tn.corrs {
				n += len(cs.groups)
				if len(cs.groups) != cs.order.n || len(cs.order.groups()) != cs.order.n {
					t.Fatalf("%d groups, %d in the touch list", len(cs.groups), cs.order.n)
				}
				for g := cs.order.head; g != nil && g.next != nil; g = g.next {
					if g.touched > g.next.touched || g.next.prev != g {
						t.Fatal("touch list out of order or badly linked")
					}
				}
			}
		}
		if n != e.keys {
			t.Fatalf("counted %d groups, hold %d", e.keys, n)
		}
		if _, err := decodeState(e.encodeSnapshot()); err != nil {
			t.Fatal(err)
		}
	})
}

// FuzzHitLog: a hit log segment of any content is replayed without panic,
// up to its first damaged record, and the engine starts.
func FuzzHitLog(f *testing.F) {
	var good []byte
	for i, s := range []string{"a@0 u=x", "a@1 u=x", "b@2 u=y tenant=t"} {
		h := hit(s)
		good = appendRecord(good, uint64(i+1), &h)
	}
	f.Add(good)
	f.Add(good[:len(good)-3])
	set, errs := compile(f, fmt.Sprintf(countRule, "gte: 3"))
	if len(errs) > 0 {
		f.Fatal(errs)
	}
	quiet := slog.New(slog.DiscardHandler)
	f.Fuzz(func(t *testing.T, seg []byte) {
		dir := t.TempDir()
		if err := os.WriteFile(segPath(dir, 1), seg, 0o644); err != nil {
			t.Fatal(err)
		}
		e, _, err := New(Options{Dir: dir, Logger: quiet, Lateness: time.Hour}, set)
		if err != nil {
			t.Fatal(err)
		}
		if err := e.Close(); err != nil {
			t.Fatal(err)
		}
	})
}
