package ingest

import (
	"slices"
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
