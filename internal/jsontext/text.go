package jsontext

import (
	"errors"
	"unicode/utf16"
	"unicode/utf8"
)

// Errors of Unescape.
var (
	ErrEscape        = errors.New("bad escape")
	ErrUnicodeEscape = errors.New(`bad \u escape`)
)

// Unescape decodes the body of a JSON string, the bytes between its quotes,
// when it holds escapes or non-ASCII bytes (a caller returns a plain body
// as it is). Invalid UTF-8 and unpaired surrogate escapes become U+FFFD, as
// encoding/json does. The body must not hold an unescaped quote or a
// control character: the caller's scan for the closing quote checks those.
func Unescape[T Text](raw T) (string, error) {
	out := make([]byte, 0, len(raw))
	for i := 0; i < len(raw); {
		c := raw[i]
		if c >= utf8.RuneSelf {
			var buf [utf8.UTFMax]byte
			r, size := utf8.DecodeRune(buf[:copy(buf[:], raw[i:min(i+utf8.UTFMax, len(raw))])])
			out = utf8.AppendRune(out, r) // RuneError for invalid bytes
			i += size
			continue
		}
		if c != '\\' {
			out = append(out, c)
			i++
			continue
		}
		if i+1 >= len(raw) {
			return "", ErrEscape
		}
		switch raw[i+1] {
		case '"', '\\', '/':
			out = append(out, raw[i+1])
		case 'b':
			out = append(out, '\b')
		case 'f':
			out = append(out, '\f')
		case 'n':
			out = append(out, '\n')
		case 'r':
			out = append(out, '\r')
		case 't':
			out = append(out, '\t')
		case 'u':
			r, ok := hex4(raw[i+2:])
			if !ok {
				return "", ErrUnicodeEscape
			}
			i += 6
			if utf16.IsSurrogate(r) {
				if i+1 < len(raw) && raw[i] == '\\' && raw[i+1] == 'u' {
					if r2, ok := hex4(raw[i+2:]); ok {
						if dec := utf16.DecodeRune(r, r2); dec != utf8.RuneError {
							out = utf8.AppendRune(out, dec)
							i += 6
							continue
						}
					}
				}
				r = utf8.RuneError
			}
			out = utf8.AppendRune(out, r)
			continue
		default:
			return "", ErrEscape
		}
		i += 2
	}
	return string(out), nil
}

// hex4 reads the four hex digits of a \u escape.
func hex4[T Text](b T) (rune, bool) {
	if len(b) < 4 {
		return 0, false
	}
	var r rune
	for k := range 4 {
		c := b[k]
		switch {
		case c >= '0' && c <= '9':
			r = r<<4 | rune(c-'0')
		case c >= 'a' && c <= 'f':
			r = r<<4 | rune(c-'a'+10)
		case c >= 'A' && c <= 'F':
			r = r<<4 | rune(c-'A'+10)
		default:
			return 0, false
		}
	}
	return r, true
}

// ScanNumber scans the number of RFC 8259's grammar that starts at b[i]
// and returns the index just after it. When the bytes there are not a
// number, ok is false and end is where the grammar failed.
func ScanNumber[T Text](b T, i int) (end int, ok bool) {
	digits := func() int {
		n := 0
		for i < len(b) && b[i] >= '0' && b[i] <= '9' {
			i++
			n++
		}
		return n
	}
	if i < len(b) && b[i] == '-' {
		i++
	}
	switch {
	case i < len(b) && b[i] == '0':
		i++
	case digits() == 0:
		return i, false
	}
	if i < len(b) && b[i] == '.' {
		i++
		if digits() == 0 {
			return i, false
		}
	}
	if i < len(b) && (b[i] == 'e' || b[i] == 'E') {
		i++
		if i < len(b) && (b[i] == '+' || b[i] == '-') {
			i++
		}
		if digits() == 0 {
			return i, false
		}
	}
	return i, true
}
