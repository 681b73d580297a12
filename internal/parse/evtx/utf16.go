package evtx

import (
	"encoding/binary"
	"unicode/utf16"
	"unicode/utf8"
)

// appendUTF16 appends the UTF-16LE text in b (an even number of bytes is
// expected; a trailing odd byte is ignored) to dst as UTF-8, stopping at the
// first NUL code unit as Windows does when it renders a string. Unpaired
// surrogates become U+FFFD.
//
// Most event text is ASCII, so four code units are tested at a time and
// copied without decoding.
func appendUTF16(dst []byte, b []byte) []byte {
	n := len(b) &^ 1
	i := 0
	for i < n {
		if i+8 <= n {
			w := binary.LittleEndian.Uint64(b[i:])
			// All four units ASCII and none NUL.
			if w&0xff80ff80ff80ff80 == 0 && hasNoZeroUnit(w) {
				dst = append(dst, byte(w), byte(w>>16), byte(w>>32), byte(w>>48))
				i += 8
				continue
			}
		}
		u := uint16(b[i]) | uint16(b[i+1])<<8
		i += 2
		switch {
		case u == 0:
			return dst
		case u < utf8.RuneSelf:
			dst = append(dst, byte(u))
		case utf16.IsSurrogate(rune(u)):
			r := utf8.RuneError
			if u < 0xdc00 && i+2 <= n {
				u2 := uint16(b[i]) | uint16(b[i+1])<<8
				if u2 >= 0xdc00 && u2 < 0xe000 {
					r = utf16.DecodeRune(rune(u), rune(u2))
					i += 2
				}
			}
			dst = utf8.AppendRune(dst, r)
		default:
			dst = utf8.AppendRune(dst, rune(u))
		}
	}
	return dst
}

// hasNoZeroUnit reports whether none of the four 16-bit units of w is zero.
func hasNoZeroUnit(w uint64) bool {
	const lo, hi = 0x0001000100010001, 0x8000800080008000
	return (w-lo)&^w&hi == 0
}

// appendLatin1 appends ANSI text as UTF-8, stopping at the first NUL. The
// code page of an ANSI string is not recorded in the file; valid UTF-8 is
// kept as is and other bytes are read as Windows-1252's Latin-1 subset.
func appendLatin1(dst []byte, b []byte) []byte {
	for i, c := range b {
		if c == 0 {
			b = b[:i]
			break
		}
	}
	if utf8.Valid(b) {
		return append(dst, b...)
	}
	for _, c := range b {
		if c < utf8.RuneSelf {
			dst = append(dst, c)
		} else {
			dst = utf8.AppendRune(dst, rune(c))
		}
	}
	return dst
}
