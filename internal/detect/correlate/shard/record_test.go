package shard

import (
	"errors"
	"reflect"
	"testing"

	"github.com/vigilsiem/vigil/internal/detect/correlate"
)

func TestHitRecordRoundTrip(t *testing.T) {
	h := correlate.Hit{Rule: "probe", Tenant: "t1", Time: -5, ID: "ev1",
		Fields: []correlate.Field{{Name: "src", Value: "10.0.0.1"}, {Name: "port", Value: ""}}}
	var got correlate.Hit
	corr, err := decodeHit(appendHit(nil, "ck", &h), &got)
	if err != nil || corr != "ck" || !reflect.DeepEqual(got, h) {
		t.Fatalf("round trip: %q %v %+v", corr, err, got)
	}
	b := appendHit(nil, "ck", &h)
	b[0] = ChainRecordVersion + 1
	if _, err := decodeHit(b, &got); !errors.Is(err, errRecord) {
		t.Fatalf("other version: %v", err)
	}
	for i := 0; i < len(b)-1; i++ {
		if _, err := decodeHit(appendHit(nil, "ck", &h)[:i], &got); !errors.Is(err, errRecord) {
			t.Fatalf("truncated at %d: %v", i, err)
		}
	}
	// a chained hit keeps its mark and the events of its firing, and a
	// plain hit decoded into the same Hit after it loses them
	ch := h
	ch.SetChain(true, []string{"e1", "e2"})
	if corr, err := decodeHit(appendHit(nil, "outer", &ch), &got); err != nil || corr != "outer" || !reflect.DeepEqual(got, ch) {
		t.Fatalf("chained round trip: %q %v %+v", corr, err, got)
	}
	if _, err := decodeHit(appendHit(nil, "ck", &h), &got); err != nil || !reflect.DeepEqual(got, h) {
		t.Fatalf("plain hit after a chained one: %v %+v", err, got)
	}
}

// FuzzRecords: damaged records give an error, never a panic, and what
// decodes re-encodes to a record that decodes to the same hit.
func FuzzRecords(f *testing.F) {
	h := correlate.Hit{Rule: "probe", Tenant: "t", Time: 1, ID: "e", Fields: []correlate.Field{{Name: "src", Value: "x"}}}
	f.Add(appendHit(nil, "ck", &h))
	ch := h
	ch.SetChain(true, []string{"e1"})
	f.Add(appendHit(nil, "outer", &ch))
	f.Add([]byte{})
	f.Fuzz(func(t *testing.T, b []byte) {
		var got correlate.Hit
		if corr, err := decodeHit(b, &got); err == nil {
			var again correlate.Hit
			corr2, err := decodeHit(appendHit(nil, corr, &got), &again)
			if err != nil || corr2 != corr || !reflect.DeepEqual(again, got) {
				t.Fatalf("re-encoded %+v decodes to %+v (%v)", got, again, err)
			}
		}
	})
}
