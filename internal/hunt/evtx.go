package hunt

import (
	"bytes"
	"errors"
	"fmt"
	"io"

	"github.com/vigilsiem/vigil/internal/event"
	"github.com/vigilsiem/vigil/internal/parse/evtx"
)

// ReadEVTX decodes every readable record of an EVTX file into the Windows
// field layout (internal/parse/evtx) and calls fn with each; the event is
// fresh for every call, so fn may keep it. Damage does not stop the scan:
// the records that can be read are all delivered, and the damage found is
// returned afterwards as the error (the first problem, and how many there
// were).
func ReadEVTX(r io.ReadSeeker, name string, fn func(*event.Event) error) error {
	size, err := r.Seek(0, io.SeekEnd)
	if err != nil {
		return fmt.Errorf("read evtx %s: %w", name, err)
	}
	ra, ok := r.(io.ReaderAt)
	if !ok {
		if _, err := r.Seek(0, io.SeekStart); err != nil {
			return fmt.Errorf("read evtx %s: %w", name, err)
		}
		b, err := io.ReadAll(r)
		if err != nil {
			return fmt.Errorf("read evtx %s: %w", name, err)
		}
		ra = bytes.NewReader(b)
	}
	rd, err := evtx.NewReader(ra, size, evtx.Options{})
	if err != nil {
		return fmt.Errorf("read evtx %s: %w", name, err)
	}
	for {
		e := &event.Event{}
		if _, err := rd.Next(e); err != nil {
			if errors.Is(err, io.EOF) {
				break
			}
			return fmt.Errorf("read evtx %s: %w", name, err)
		}
		if err := fn(e); err != nil {
			return err
		}
	}
	if st := rd.Stats(); st.Damaged() {
		first := st.Details[0]
		return fmt.Errorf("read evtx %s: %d problems (%d bad chunks, %d bad records), first in chunk %d at offset %d: %w",
			name, st.Problems, st.BadChunks, st.BadRecords, first.Chunk, first.Offset, first.Err)
	}
	return nil
}
