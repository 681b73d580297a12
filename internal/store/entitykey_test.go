package store

import (
	"slices"
	"testing"

	"github.com/vigilsiem/vigil/internal/alert"
)

func TestEntityKeys(t *testing.T) {
	en := alert.Entities{
		Hosts:          []string{"WS01", " ws01 ", "srv\n02"},
		Users:          []string{"Alice"},
		SourceIPs:      []string{"::ffff:10.0.0.1", "not an ip"},
		DestinationIPs: []string{"10.0.0.1", "2001:DB8::1%eth0", ""},
	}
	want := []string{"h:srv 02", "h:ws01", "i:10.0.0.1", "i:2001:db8::1", "i:not an ip", "u:alice"}
	if got := EntitySearchKeys(en); !slices.Equal(got, want) {
		t.Errorf("EntitySearchKeys = %q, want %q", got, want)
	}
	for v, key := range map[string]string{"ws01": "h:ws01", "ALICE": "u:alice", "::ffff:10.0.0.1": "i:10.0.0.1", "2001:db8:0::1": "i:2001:db8::1"} {
		if !slices.Contains(EntityFilterKeys(v), key) {
			t.Errorf("EntityFilterKeys(%q) = %q, want it to hold %q", v, EntityFilterKeys(v), key)
		}
	}
}

// Any value given to the entity filter matches an alert whose host, user
// or address it is.
func FuzzEntityKeys(f *testing.F) {
	for _, s := range []string{"WS01", "::ffff:10.0.0.1", "fe80::1%eth0", "a\nb", "", " x "} {
		f.Add(s)
	}
	f.Fuzz(func(t *testing.T, v string) {
		filter := EntityFilterKeys(v)
		for _, en := range []alert.Entities{{Hosts: []string{v}}, {Users: []string{v}}, {SourceIPs: []string{v}}, {DestinationIPs: []string{v}}} {
			keys := EntitySearchKeys(en)
			if !slices.IsSorted(keys) || len(slices.Compact(slices.Clone(keys))) != len(keys) {
				t.Fatalf("keys of %q not sorted and unique: %q", v, keys)
			}
			for _, k := range keys {
				if !slices.Contains(filter, k) {
					t.Fatalf("entity %+v has key %q, which the filter %q does not match", en, k, filter)
				}
			}
		}
	})
}
