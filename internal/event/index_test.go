package event

import (
	"math/rand/v2"
	"strconv"
	"testing"
)

// refFields is the list semantics of Event's fields without an index: the
// first field of a name is the one found.
type refFields []Field

func (r refFields) find(name string) int {
	for i := range r {
		if r[i].Name == name {
			return i
		}
	}
	return -1
}

// runIndexOps applies a sequence of operations, read from ops, to an Event
// and to the reference, and fails when a read or the fields differ.
func runIndexOps(t *testing.T, ops []byte) {
	t.Helper()
	names := make([]string, 0, 140)
	for i := range 120 {
		names = append(names, "fortinet.firewall.f"+strconv.Itoa(i))
	}
	names = append(names, "source.ip", "destination.ip", "srcintfrole", "dstintfrole", "a", "", "ab", "abcdefghijklmnopq", "event.action")
	e := &Event{}
	var ref refFields
	check := func(step int) {
		t.Helper()
		if len(e.Fields) != len(ref) {
			t.Fatalf("step %d: %d fields, reference %d", step, len(e.Fields), len(ref))
		}
		for i := range ref {
			if e.Fields[i].Name != ref[i].Name || !e.Fields[i].Value.Equal(ref[i].Value) {
				t.Fatalf("step %d: field %d is %s=%v, reference %s=%v", step, i, e.Fields[i].Name, e.Fields[i].Value, ref[i].Name, ref[i].Value)
			}
		}
		for _, n := range names {
			v, ok := e.Get(n)
			i := ref.find(n)
			if ok != (i >= 0) || ok && !v.Equal(ref[i].Value) {
				t.Fatalf("step %d: Get(%q) = %v %v, reference position %d", step, n, v, ok, i)
			}
		}
	}
	for step := 0; step+1 < len(ops); step += 2 {
		op, arg := ops[step]%12, int(ops[step+1])
		name := names[arg%len(names)]
		v := String("v" + strconv.Itoa(step))
		switch op {
		case 0, 1, 2: // Set
			e.Set(name, v)
			if i := ref.find(name); i >= 0 {
				ref[i].Value = v
			} else {
				ref = append(ref, Field{Name: name, Value: v})
			}
		case 3: // Append (a repeated name is possible)
			e.Append(name, v)
			ref = append(ref, Field{Name: name, Value: v})
		case 4: // Delete
			e.Delete(name)
			if i := ref.find(name); i >= 0 {
				ref = append(ref[:i], ref[i+1:]...)
			}
		case 5: // Rename
			to := names[(arg*7+3)%len(names)]
			e.Rename(name, to)
			if i := ref.find(name); i >= 0 && name != to {
				val := ref[i].Value
				ref = append(ref[:i], ref[i+1:]...)
				if j := ref.find(to); j >= 0 {
					ref[j].Value = val
				} else {
					ref = append(ref, Field{Name: to, Value: val})
				}
			}
		case 6: // direct append and direct value change: no Reindex needed
			e.Fields = append(e.Fields, Field{Name: name, Value: v})
			ref = append(ref, Field{Name: name, Value: v})
			if len(ref) > 0 {
				k := arg % len(ref)
				e.Fields[k].Value = v
				ref[k].Value = v
			}
		case 7: // direct removal and rename, then Reindex
			if len(ref) > 0 {
				k := arg % len(ref)
				e.Fields = append(e.Fields[:k], e.Fields[k+1:]...)
				ref = append(ref[:k], ref[k+1:]...)
			}
			if len(ref) > 0 {
				k := (arg * 3) % len(ref)
				e.Fields[k].Name = name
				ref[k].Name = name
			}
			e.Reindex()
		case 8: // Clone, then carry on with the clone
			e = e.Clone()
		case 9: // Reset now and then
			if arg%8 == 0 {
				e.Reset()
				ref = ref[:0]
			}
		case 11: // RemoveFunc: names ending in one digit, or one name
			suffix := strconv.Itoa(arg % 10)
			drop := func(n string) bool { return n == name || len(n) > 0 && n[len(n)-1] == suffix[0] }
			e.RemoveFunc(drop)
			kept := ref[:0]
			for _, f := range ref {
				if !drop(f.Name) {
					kept = append(kept, f)
				}
			}
			ref = kept
		case 10: // a copy of the struct with fields copied into another array
			c := *e
			c.Fields = append([]Field(nil), e.Fields...)
			e = &c
		}
		check(step)
	}
}

func TestIndexMatchesScan(t *testing.T) {
	r := rand.New(rand.NewPCG(1, 2))
	for round := range 200 {
		ops := make([]byte, 400+round*4)
		for i := range ops {
			ops[i] = byte(r.UintN(256))
		}
		// Bias toward writes so that events grow past the index's bounds.
		for i := 0; i < len(ops) && round%2 == 0; i += 2 {
			if ops[i]%12 == 4 || ops[i]%12 == 9 || ops[i]%12 == 11 {
				ops[i] = 0
			}
		}
		runIndexOps(t, ops)
	}
}

func FuzzIndex(f *testing.F) {
	f.Add([]byte{0, 1, 0, 2, 3, 4, 4, 1, 5, 9})
	seed := make([]byte, 600)
	for i := range seed {
		seed[i] = byte(i * 37)
	}
	f.Add(seed)
	f.Fuzz(func(t *testing.T, ops []byte) {
		if len(ops) > 4000 {
			return
		}
		runIndexOps(t, ops)
	})
}

func TestNameHashSpreadsVendorNames(t *testing.T) {
	// Names that share a length, a prefix and a suffix must still differ.
	if nameHash("fortinet.firewall.srcintfrole") == nameHash("fortinet.firewall.dstintfrole") {
		t.Fatal("srcintfrole and dstintfrole hash alike")
	}
	seen := map[uint16]bool{}
	for i := range 96 {
		seen[nameHash("fortinet.firewall.field"+strconv.Itoa(i))] = true
	}
	if len(seen) < 90 {
		t.Fatalf("96 vendor names take %d hashes", len(seen))
	}
}
