package evtx

import (
	"errors"
	"fmt"
)

// Sentinel errors. Every Problem wraps one of them.
var (
	// ErrNotEVTX is returned by NewReader for data that is not an EVTX
	// file (no file header and no chunk where the first one belongs).
	ErrNotEVTX = errors.New("not an evtx file")
	// ErrChecksum: a stored CRC32 does not match the data it covers.
	ErrChecksum = errors.New("checksum mismatch")
	// ErrCorrupt: a structure has a bad signature, size or offset, or the
	// file ends inside it.
	ErrCorrupt = errors.New("corrupt structure")
	// ErrBinXML: a record's BinXML could not be decoded.
	ErrBinXML = errBinXML
)

// Problem is one piece of damage found while reading a file. Reading goes
// on after a problem: every record that can still be decoded is returned.
type Problem struct {
	// Chunk is the index of the chunk in the file, -1 for the file header.
	Chunk int
	// Offset is the file offset of the damaged structure.
	Offset int64
	// Err says what is wrong; it wraps ErrChecksum, ErrCorrupt or ErrBinXML.
	Err error
}

func (p Problem) Error() string {
	if p.Chunk < 0 {
		return fmt.Sprintf("file header: %v", p.Err)
	}
	return fmt.Sprintf("chunk %d (offset %#x): %v", p.Chunk, p.Offset, p.Err)
}

func (p Problem) Unwrap() error { return p.Err }

// maxProblems bounds the problems a reader keeps: a file damaged in every
// chunk still costs bounded memory. Stats.Problems counts them all.
const maxProblems = 256

// Stats summarises what a reader has read so far.
type Stats struct {
	// Chunks is the number of chunk slots examined, EmptyChunks of them
	// never written (all zero) and BadChunks damaged (bad signature,
	// checksum or size; their readable records are still returned).
	Chunks, EmptyChunks, BadChunks int
	// Records were decoded and returned; BadRecords were found but could
	// not be decoded (each is also a Problem).
	Records, BadRecords int
	// Problems is the number of problems found; the first ones are kept
	// in Details.
	Problems int
	Details  []Problem
}

// Damaged reports whether any problem was found.
func (s *Stats) Damaged() bool { return s.Problems > 0 }

// Err returns nil for an undamaged read, else an error that names the
// number of problems and the first one.
func (s *Stats) Err() error {
	if s.Problems == 0 {
		return nil
	}
	if s.Problems == 1 {
		return s.Details[0]
	}
	return fmt.Errorf("%d problems, the first: %w", s.Problems, s.Details[0])
}
