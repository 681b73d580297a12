package event

import (
	"math/rand/v2"
	"strconv"
	"testing"
)

// model is the naive event the index must agree with: an ordered list
// searched by a scan.
type model []Field

func (m model) find(name string) int {
	for i := range m {
		if m[i].Name == name {
			return i
		}
	}
	return -1
}

// applyOps runs ops (a byte program) on an Event and on the model, and
// fails at the first disagreement. Each op is two bytes: what, and which
// of 160 names (enough for events wider than indexMax).
func applyOps(t *testing.T, ops []byte) {
	t.Helper()
	var e Event
	var m model
	name := func(b byte) string { return "vendor.field." + strconv.Itoa(int(b)%160) }
	for i := 0; i+1 < len(ops); i += 2 {
		n := name(ops[i+1])
		v := String(strconv.Itoa(i))
		switch ops[i] % 8 {
		case 0, 1, 2: // Set
			e.Set(n, v)
			if p := m.find(n); p >= 0 {
				m[p].Value = v
			} else {
				m = append(m, Field{Name: n, Value: v})
			}
		case 3: // Delete
			e.Delete(n)
			if p := m.find(n); p >= 0 {
				m = append(m[:p], m[p+1:]...)
			}
		case 4: // Rename to the next name
			to := name(ops[i+1] + 1)
			e.Rename(n, to)
			if p := m.find(n); p >= 0 && n != to {
				f := m[p]
				m = append(m[:p], m[p+1:]...)
				if q := m.find(to); q >= 0 {
					m[q].Value = f.Value
				} else {
					m = append(m, Field{Name: to, Value: f.Value})
				}
			}
		case 5: // Append a name not present (as a parser would)
			if m.find(n) < 0 {
				e.Append(n, v)
				m = append(m, Field{Name: n, Value: v})
			}
		case 6: // Rename in place directly, then say so
			if p := m.find(n); p >= 0 {
				to := n + ".x"
				if m.find(to) < 0 {
					e.Fields[p].Name = to
					e.FieldsRewritten()
					m[p].Name = to
				}
			}
		case 7: // Reset now and then
			if ops[i+1] == 0 {
				e.Reset()
				m = m[:0]
			}
		}
		if len(e.Fields) != len(m) {
			t.Fatalf("op %d: %d fields, model %d", i/2, len(e.Fields), len(m))
		}
		for j := range m {
			if e.Fields[j].Name != m[j].Name || !e.Fields[j].Value.Equal(m[j].Value) {
				t.Fatalf("op %d: field %d is %s=%v, model %s=%v", i/2, j, e.Fields[j].Name, e.Fields[j].Value, m[j].Name, m[j].Value)
			}
		}
		for k := 0; k < 170; k++ {
			probe := name(byte(k))
			got, ok := e.Get(probe)
			p := m.find(probe)
			if ok != (p >= 0) || ok && !got.Equal(m[p].Value) {
				t.Fatalf("op %d: Get(%s) = %v %v, model has it at %d", i/2, probe, got, ok, p)
			}
		}
	}
}

// TestIndexAgreesWithScan drives wide events through random writes: every
// field read through the index is what a scan finds.
func TestIndexAgreesWithScan(t *testing.T) {
	r := rand.New(rand.NewPCG(1, 2))
	for round := 0; round < 40; round++ {
		ops := make([]byte, 2*600)
		for i := range ops {
			ops[i] = byte(r.IntN(256))
		}
		// Mostly sets early, so events grow past indexMin and indexMax.
		for i := 0; i < 2*200; i += 2 {
			ops[i] = byte(r.IntN(3))
		}
		applyOps(t, ops)
	}
}

// TestIndexSurvivesCopies: a copied event (as the pipeline copies a
// parsed event into a reused one) and a clone are indexed on their own.
func TestIndexSurvivesCopies(t *testing.T) {
	var a Event
	for i := 0; i < 40; i++ {
		a.Set("f"+strconv.Itoa(i), Int(int64(i)))
	}
	b := a // shares the backing array, as a shallow copy does
	c := a.Clone()
	var d Event
	d.Fields = append(d.Fields, make([]Field, 50)...)
	saved := d.Fields
	d = a
	d.Fields = append(saved[:0], a.Fields...)
	d.Set("f3", String("d"))
	c.Set("f3", String("c"))
	c.Delete("f0")
	for _, tc := range []struct {
		e    *Event
		want string
	}{{&a, "3"}, {&b, "3"}, {c, "c"}, {&d, "d"}} {
		if got := tc.e.GetString("f3"); got != tc.want {
			t.Errorf("f3 = %q, want %q", got, tc.want)
		}
		if got := tc.e.GetString("f39"); got != "39" {
			t.Errorf("f39 = %q", got)
		}
	}
	if c.Has("f0") || !a.Has("f0") {
		t.Error("deleting from the clone changed the original")
	}
}

// FuzzIndex: any sequence of writes leaves reads agreeing with a scan.
func FuzzIndex(f *testing.F) {
	seed := make([]byte, 0, 200)
	for i := 0; i < 100; i++ {
		seed = append(seed, 0, byte(i))
	}
	f.Add(append(seed, 3, 5, 4, 7, 6, 9, 1, 200))
	f.Fuzz(func(t *testing.T, ops []byte) {
		if len(ops) > 4000 {
			return
		}
		applyOps(t, ops)
	})
}
