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
