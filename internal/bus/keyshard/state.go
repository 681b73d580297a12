package keyshard

import (
	"encoding/binary"
	"errors"
	"fmt"

	"github.com/vigilsiem/vigil/internal/detect/correlate/wire"
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
	d := wire.Decoder{B: b, Base: errState}
	if v := d.Byte(); v != StateVersion {
		if d.Err != nil {
			return state{}, d.Err
		}
		return state{}, fmt.Errorf("%w: state record version %d, want %d", errState, v, StateVersion)
	}
	s := state{next: d.Varint()}
	if d.Err == nil && s.next < 0 {
		d.Fail("negative offset %d", s.next)
	}
	s.machine = d.B
	return s, d.Err
}
