package ingest

import (
	"slices"
	"strings"
	"testing"

	"github.com/vigilsiem/vigil/internal/event"
)

// TestDropFields: the fields at the given indexes go (in any order, named
// twice or not), the others keep their order.
func TestDropFields(t *testing.T) {
	for _, tc := range []struct {
		drop []int
		want []string
	}{
		{nil, []string{"a", "b", "c", "d", "e"}},
		{[]int{0}, []string{"b", "c", "d", "e"}},
		{[]int{4}, []string{"a", "b", "c", "d"}},
		{[]int{3, 1}, []string{"a", "c", "e"}},
		{[]int{2, 2, 0, 4}, []string{"b", "d"}},
		{[]int{1, 2, 3}, []string{"a", "e"}},
		{[]int{4, 3, 2, 1, 0}, []string{}},
	} {
		e := &event.Event{}
		for _, n := range []string{"a", "b", "c", "d", "e"} {
			e.Append(n, event.String(n))
		}
		dropFields(e, slices.Clone(tc.drop))
		got := []string{}
		for _, f := range e.Fields {
			if f.Value.Str() != f.Name {
				t.Errorf("drop %v: field %s has value %q", tc.drop, f.Name, f.Value.Str())
			}
			got = append(got, f.Name)
		}
		if !slices.Equal(got, tc.want) {
			t.Errorf("drop %v: %v, want %v", tc.drop, got, tc.want)
		}
	}
}

// TestRemoveFields: every field the predicate takes goes, the others keep
// their order and values, whatever the runs of kept and removed fields.
func TestRemoveFields(t *testing.T) {
	names := []string{"a", "_b", "_c", "d", "e", "_f", "g", "_h"}
	for mask := 0; mask < 1<<len(names); mask++ {
		e := &event.Event{}
		var want []string
		for i, n := range names {
			e.Append(n, event.String(n))
			if mask&(1<<i) == 0 {
				want = append(want, n)
			}
		}
		removeFields(e, func(n string) bool {
			i := slices.Index(names, n)
			return mask&(1<<i) != 0
		})
		var got []string
		for _, f := range e.Fields {
			if f.Value.Str() != f.Name {
				t.Fatalf("mask %b: field %s has value %q", mask, f.Name, f.Value.Str())
			}
			got = append(got, f.Name)
		}
		if !slices.Equal(got, want) {
			t.Fatalf("mask %b: %v, want %v", mask, got, want)
		}
		if full := e.Fields[:cap(e.Fields)]; len(e.Fields) < len(names) && full[len(e.Fields)].Name != "" {
			t.Fatalf("mask %b: a removed slot still holds %q", mask, full[len(e.Fields)].Name)
		}
	}
}

// TestRemoveStep: a remove step of names and prefixes (which first tests
// the first byte of each name) leaves exactly the fields that a filter by
// the names and prefixes leaves, in their order.
func TestRemoveStep(t *testing.T) {
	names := []string{"_tmp.a", "_tmp", "_tmpx", "b", "vendor.x", "vendor.tmp.y", "vendor.tmp", "", "message", "_tmp.b", "c"}
	for _, src := range []string{
		"{field: _tmp.*}",
		"{field: [_tmp.*, vendor.tmp.*], ignore_missing: true}",
		"{field: [b, _tmp.*, vendor.x], ignore_missing: true}",
		"{field: [b, c], ignore_missing: true}",
	} {
		p := mustParse(t, "name: r\nmatch: [{app: x}]\nsteps:\n  - remove: "+src+"\n")
		for mask := 0; mask < 1<<len(names); mask += 7 {
			e := &event.Event{}
			var in []string
			for i, n := range names {
				if mask&(1<<i) != 0 {
					e.Append(n, event.String(n))
					in = append(in, n)
				}
			}
			if _, err := p.Run(e); err != nil {
				t.Fatalf("%s: %v", src, err)
			}
			var got, want []string
			for _, f := range e.Fields {
				if f.Name != FieldPipeline {
					got = append(got, f.Name)
				}
			}
			for _, n := range in {
				if !removedBy(src, n) {
					want = append(want, n)
				}
			}
			if !slices.Equal(got, want) {
				t.Fatalf("%s on %v: %v, want %v", src, in, got, want)
			}
		}
	}
}

// removedBy is what the remove steps of TestRemoveStep take, written out.
func removedBy(src, n string) bool {
	switch src {
	case "{field: _tmp.*}":
		return strings.HasPrefix(n, "_tmp.")
	case "{field: [_tmp.*, vendor.tmp.*], ignore_missing: true}":
		return strings.HasPrefix(n, "_tmp.") || strings.HasPrefix(n, "vendor.tmp.")
	case "{field: [b, _tmp.*, vendor.x], ignore_missing: true}":
		return n == "b" || n == "vendor.x" || strings.HasPrefix(n, "_tmp.")
	}
	return n == "b" || n == "c"
}
