package keyshard

import (
	"encoding/binary"
	"errors"
	"fmt"
)

// errState is wrapped by the decoding errors of damaged state records.
var errState = errors.New("bad state record")

// state is a state record: the machine state of one partition and the
// first offset of that partition it does not include.
type state struct {
	next    int64
	machine []byte
}

func appendState(dst []byte, s state) []byte {
	dst = append(dst, StateVersion)
	dst = binary.AppendVarint(dst, s.next)
	return append(dst, s.machine...)
}

func decodeState(b []byte) (state, error) {
	if len(b) == 0 {
		return state{}, fmt.Errorf("%w: empty", errState)
	}
	if v := b[0]; v != StateVersion {
		return state{}, fmt.Errorf("%w: state record version %d, want %d", errState, v, StateVersion)
	}
	next, n := binary.Varint(b[1:])
	switch {
	case n <= 0:
		return state{}, fmt.Errorf("%w: the next offset is cut short or too long", errState)
	case next < 0:
		return state{}, fmt.Errorf("%w: negative offset %d", errState, next)
	}
	return state{next: next, machine: b[1+n:]}, nil
}
