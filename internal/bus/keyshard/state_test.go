package keyshard

import (
	"errors"
	"testing"
)

func TestStateRecordRoundTrip(t *testing.T) {
	s, err := decodeState(appendState(nil, state{next: 42, machine: []byte("VGCS")}))
	if err != nil || s.next != 42 || string(s.machine) != "VGCS" {
		t.Fatalf("state round trip: %+v %v", s, err)
	}
	if _, err := decodeState([]byte{StateVersion, 1}); !errors.Is(err, errState) {
		t.Fatalf("negative offset: %v", err)
	}
	if _, err := decodeState([]byte{StateVersion + 1, 2}); !errors.Is(err, errState) {
		t.Fatalf("other version: %v", err)
	}
	if _, err := decodeState(nil); !errors.Is(err, errState) {
		t.Fatalf("empty: %v", err)
	}
}

// FuzzStateRecord: a damaged state record gives an error, never a panic
// or a negative offset.
func FuzzStateRecord(f *testing.F) {
	f.Add(appendState(nil, state{next: 7, machine: []byte("x")}))
	f.Add([]byte{})
	f.Fuzz(func(t *testing.T, b []byte) {
		if s, err := decodeState(b); err == nil && s.next < 0 {
			t.Fatalf("negative offset decoded")
		}
	})
}
