package syslog

import (
	"bytes"
	"errors"
	"io"
	"os"
)

// Framing is how a TCP or TLS stream separates syslog messages.
type Framing uint8

const (
	// FramingUnknown: no byte of the stream has been seen yet.
	FramingUnknown Framing = iota
	// FramingOctetCounted is RFC 6587 §3.4.1: "LEN SP MSG".
	FramingOctetCounted
	// FramingNonTransparent is RFC 6587 §3.4.2: MSG followed by LF (CRLF
	// and NUL are accepted too).
	FramingNonTransparent
)

func (f Framing) String() string {
	switch f {
	case FramingOctetCounted:
		return "octet-counted"
	case FramingNonTransparent:
		return "non-transparent"
	}
	return "unknown"
}

// maxLenDigits bounds the MSG-LEN of an octet-counted header: 10 digits is
// more than any max_message_bytes (an int32), so a longer run of digits is
// not a header.
const maxLenDigits = 10

// Framer splits a TCP or TLS byte stream into syslog messages. The framing
// is chosen from the first byte of the stream (see the package doc).
//
// A Framer is not safe for concurrent use. The message Next returns is a
// slice of its buffer, valid until the next call.
type Framer struct {
	r       io.Reader
	buf     []byte
	start   int // first unconsumed byte
	end     int // end of the buffered bytes
	scanned int // bytes after start already searched for a terminator (LF mode)
	max     int
	framing Framing

	skip       int  // octet mode: bytes of a cut message still to discard
	discarding bool // LF mode: discarding the tail of a cut message
	err        error

	cut, bad int
}

// NewFramer returns a framer reading r that cuts messages to maxMessage bytes.
func NewFramer(r io.Reader, maxMessage int) *Framer {
	if maxMessage <= 0 {
		maxMessage = DefaultMaxMessageBytes
	}
	return &Framer{r: r, max: maxMessage, buf: make([]byte, maxMessage+maxLenDigits+1+32<<10)}
}

// Framing reports the framing detected so far. A connection that starts
// octet-counted and then sends a bad header falls back to non-transparent.
func (f *Framer) Framing() Framing { return f.framing }

// TakeCounts returns the messages cut to the maximum length and the bad
// octet-counting headers seen since the last call.
func (f *Framer) TakeCounts() (cut, bad int) {
	cut, bad = f.cut, f.bad
	f.cut, f.bad = 0, 0
	return cut, bad
}

// HasPartial reports whether an unterminated LF-framed message is buffered:
// one TakePartial would hand on after an idle pause.
func (f *Framer) HasPartial() bool {
	return f.framing == FramingNonTransparent && !f.discarding && f.end > f.start
}

// TakePartial returns the buffered unterminated LF-framed message, if any,
// and consumes it. The connection's owner calls it when the sender has been
// quiet for a while, so the last message of a burst is not held back.
func (f *Framer) TakePartial() []byte {
	if !f.HasPartial() {
		return nil
	}
	msg := trimTrailer(f.buf[f.start:f.end])
	f.start, f.scanned = f.end, 0
	if len(msg) == 0 {
		return nil
	}
	return msg
}

// Next returns the next message. It returns io.EOF once the stream has
// ended and every message, including a final unterminated one, has been
// returned. A read error that is a timeout (os.ErrDeadlineExceeded) is
// returned as is and is not sticky: the caller may call TakePartial and
// then Next again. Other read errors are returned once the buffered
// messages are out.
func (f *Framer) Next() ([]byte, error) {
	for {
		if f.framing == FramingUnknown {
			f.skipTerminators()
			if f.start == f.end {
				if err := f.fill(); err != nil {
					return nil, err
				}
				continue
			}
			if c := f.buf[f.start]; c >= '0' && c <= '9' {
				f.framing = FramingOctetCounted
			} else {
				f.framing = FramingNonTransparent
			}
		}
		var msg []byte
		var ok bool
		var err error
		if f.framing == FramingOctetCounted {
			msg, ok, err = f.nextOctet()
		} else {
			msg, ok, err = f.nextLF()
		}
		if err != nil {
			return nil, err
		}
		if ok {
			return msg, nil
		}
	}
}

// nextOctet returns a message, or ok=false when the caller should loop
// (after more data was read or the framing changed).
func (f *Framer) nextOctet() (msg []byte, ok bool, err error) {
	if f.skip > 0 {
		n := min(f.skip, f.end-f.start)
		f.skip -= n
		f.start += n
		if f.skip > 0 {
			return nil, false, f.fillOrEOF()
		}
	}
	// Some senders put a LF (or CRLF, NUL) after each octet-counted frame.
	f.skipTerminators()
	if f.start == f.end {
		return nil, false, f.fillOrEOF()
	}
	n, i := 0, f.start
	for ; i < f.end && i-f.start < maxLenDigits; i++ {
		c := f.buf[i]
		if c < '0' || c > '9' {
			break
		}
		n = n*10 + int(c-'0')
	}
	switch {
	case i == f.end && i-f.start < maxLenDigits:
		// The header is not complete yet.
		if err := f.fill(); err != nil {
			if errors.Is(err, io.EOF) && f.end > f.start {
				return f.badFrame()
			}
			return nil, false, err
		}
		return nil, false, nil
	case i == f.start || f.buf[i] != ' ' || i-f.start >= maxLenDigits:
		return f.badFrame()
	}
	hdr := i + 1 - f.start
	take := min(n, f.max)
	if f.end-f.start < hdr+take {
		if err := f.fill(); err != nil {
			if errors.Is(err, io.EOF) && f.end > f.start {
				// A frame cut short by the end of the stream: hand on
				// what arrived and count the frame as bad.
				msg = trimTrailer(f.buf[min(f.start+hdr, f.end):f.end])
				f.start = f.end
				f.bad++
				return msg, len(msg) > 0, nil
			}
			return nil, false, err
		}
		return nil, false, nil
	}
	msg = f.buf[f.start+hdr : f.start+hdr+take]
	f.start += hdr + take
	if n > take {
		f.skip = n - take
		f.cut++
	}
	msg = trimTrailer(msg)
	if len(msg) == 0 {
		return nil, false, nil
	}
	return msg, true, nil
}

// badFrame switches the stream to LF framing: the bytes that did not make
// a header become the start of a message instead of being lost.
func (f *Framer) badFrame() ([]byte, bool, error) {
	f.bad++
	f.framing = FramingNonTransparent
	f.scanned = 0
	return nil, false, nil
}

func (f *Framer) nextLF() (msg []byte, ok bool, err error) {
	if f.discarding {
		if i := indexTerminator(f.buf[f.start:f.end]); i >= 0 {
			f.start += i + 1
			f.discarding = false
			f.scanned = 0
			return nil, false, nil
		}
		f.start, f.scanned = f.end, 0
		return nil, false, f.fillOrEOF()
	}
	if i := indexTerminator(f.buf[f.start+f.scanned : f.end]); i >= 0 {
		i += f.start + f.scanned
		msg = trimTrailer(f.buf[f.start:i])
		f.start, f.scanned = i+1, 0
		if len(msg) == 0 {
			return nil, false, nil
		}
		if len(msg) > f.max {
			// A terminator arrived with the byte that made the
			// message too long: cut it here.
			msg = trimTrailer(msg[:f.max])
			f.cut++
		}
		return msg, len(msg) > 0, nil
	}
	f.scanned = f.end - f.start
	if f.end-f.start > f.max {
		msg = trimTrailer(f.buf[f.start : f.start+f.max])
		f.start += f.max
		f.scanned = 0
		f.discarding = true
		f.cut++
		return msg, len(msg) > 0, nil
	}
	if err := f.fill(); err != nil {
		if errors.Is(err, io.EOF) && f.end > f.start {
			msg = trimTrailer(f.buf[f.start:f.end])
			f.start, f.scanned = f.end, 0
			if len(msg) == 0 {
				return nil, false, nil
			}
			return msg, true, nil
		}
		return nil, false, err
	}
	return nil, false, nil
}

// fillOrEOF reads more; at the end of the stream it returns the error.
func (f *Framer) fillOrEOF() error { return f.fill() }

// fill reads more bytes into the buffer, compacting it first when the
// unconsumed bytes do not sit at its start.
func (f *Framer) fill() error {
	if f.err != nil {
		return f.err
	}
	if f.start == f.end {
		f.start, f.end = 0, 0
	} else if f.start > 0 && f.end == len(f.buf) || f.start > len(f.buf)/2 {
		n := copy(f.buf, f.buf[f.start:f.end])
		f.start, f.end = 0, n
	}
	if f.end == len(f.buf) {
		// Cannot happen: the buffer holds a maximal message, its header
		// and a terminator, and the decoders consume before it is full.
		return errors.New("bug: syslog framer buffer full")
	}
	n, err := f.r.Read(f.buf[f.end:])
	f.end += n
	if err != nil {
		if errors.Is(err, os.ErrDeadlineExceeded) {
			if n > 0 {
				return nil
			}
			return err
		}
		f.err = err
		if n > 0 {
			return nil
		}
		return err
	}
	return nil
}

func (f *Framer) skipTerminators() {
	for f.start < f.end {
		switch f.buf[f.start] {
		case '\n', '\r', 0:
			f.start++
			continue
		}
		break
	}
	f.scanned = 0
}

// indexTerminator returns the index of the first LF or NUL in b, or -1.
func indexTerminator(b []byte) int {
	i := bytes.IndexByte(b, '\n')
	if i < 0 {
		return bytes.IndexByte(b, 0)
	}
	if j := bytes.IndexByte(b[:i], 0); j >= 0 {
		return j
	}
	return i
}

// trimTrailer removes trailing LF, CR and NUL bytes.
func trimTrailer(b []byte) []byte {
	for len(b) > 0 {
		switch b[len(b)-1] {
		case '\n', '\r', 0:
			b = b[:len(b)-1]
			continue
		}
		break
	}
	return b
}
