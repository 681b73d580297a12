package jsontext

import (
	"errors"
	"strconv"
	"unicode/utf8"
)

// Text is what the scanner reads: a record as a string (parse/json,
// which slices strings out of it without copying) or as bytes (the HTTP
// and cloud-log decoders).
type Text interface{ ~string | ~[]byte }

// MaxDepth bounds the nesting of arrays and objects, for every JSON
// decoder of Vigil: deeper input is refused with ErrDepth rather than
// walked. 64 levels are far more than any log format nests (CloudTrail,
// the deepest seen, nests under 10) and keep each decoder's recursion to a
// few kilobytes of stack.
const MaxDepth = 64

// ErrDepth is wrapped by the error for input nested deeper than MaxDepth.
var ErrDepth = errors.New("nested deeper than " + strconv.Itoa(MaxDepth))

// SyntaxError is invalid JSON: what was being read (object, array, string,
// number, value) and why, at a byte offset of the input.
type SyntaxError struct {
	Offset int
	What   string
	Msg    string
	// Err is ErrDepth for nesting too deep; nil otherwise.
	Err error
}

func (e *SyntaxError) Error() string {
	return "json " + e.What + " at byte " + strconv.Itoa(e.Offset) + ": " + e.Msg
}

func (e *SyntaxError) Unwrap() error { return e.Err }

func syntax(off int, what, msg string) error { return &SyntaxError{Offset: off, What: what, Msg: msg} }

// SkipSpace returns the index of the first byte at or after i that is not
// JSON white space.
func SkipSpace[T Text](s T, i int) int {
	for i < len(s) {
		switch s[i] {
		case ' ', '\t', '\n', '\r':
			i++
			continue
		}
		break
	}
	return i
}

// ScanString checks the string whose opening quote is s[i] and returns
// the index after its closing quote. plain says its body (s[i+1:end-1])
// is its value as it is: no escapes and valid UTF-8.
func ScanString[T Text](s T, i int) (end int, plain bool, err error) {
	plain = true
	ascii := true
	for j := i + 1; j < len(s); j++ {
		switch c := s[j]; {
		case c == '"':
			if !ascii && plain {
				plain = validUTF8(s[i+1 : j])
			}
			return j + 1, plain, nil
		case c == '\\':
			plain = false
			if j+1 >= len(s) {
				return 0, false, syntax(i, "string", "no closing quote")
			}
			switch s[j+1] {
			case '"', '\\', '/', 'b', 'f', 'n', 'r', 't':
				j++
			case 'u':
				if _, ok := hex4(s[min(j+2, len(s)):]); !ok {
					return 0, false, syntax(j, "string", `want four hex digits after \u`)
				}
				j += 5
			default:
				return 0, false, syntax(j, "string", "invalid escape")
			}
		case c < 0x20:
			return 0, false, syntax(j, "string", "control character in a string")
		case c >= utf8.RuneSelf:
			ascii = false
		}
	}
	return 0, false, syntax(i, "string", "no closing quote")
}

// String reads the string whose opening quote is s[i] and returns its
// value and the index after it. A plain string of a string input is a
// slice of it (no copy).
func String[T Text](s T, i int) (string, int, error) {
	end, plain, err := ScanString(s, i)
	if err != nil {
		return "", 0, err
	}
	if plain {
		return string(s[i+1 : end-1]), end, nil
	}
	v, err := Unescape(s[i+1 : end-1])
	if err != nil { // ScanString checked the escapes
		return "", 0, syntax(i, "string", err.Error())
	}
	return v, end, nil
}

// Literal checks that the word (true, false, null) is at s[i] and returns
// the index after it.
func Literal[T Text](s T, i int, word string) (int, error) {
	if len(s)-i < len(word) {
		return 0, syntax(i, "value", "want "+word)
	}
	for k := range len(word) {
		if s[i+k] != word[k] {
			return 0, syntax(i, "value", "want "+word)
		}
	}
	return i + len(word), nil
}

// validUTF8 is utf8.Valid for either kind of Text, without copying.
func validUTF8[T Text](s T) bool {
	switch v := any(s).(type) {
	case string:
		return utf8.ValidString(v)
	case []byte:
		return utf8.Valid(v)
	}
	for i := 0; i < len(s); { // a named string or []byte type
		if s[i] < utf8.RuneSelf {
			i++
			continue
		}
		var buf [utf8.UTFMax]byte
		n := copy(buf[:], s[i:min(i+utf8.UTFMax, len(s))])
		r, size := utf8.DecodeRune(buf[:n])
		if r == utf8.RuneError && size == 1 {
			return false
		}
		i += size
	}
	return true
}

// Skip checks the value at s[i] (after white space) and returns the index
// after it. depth is the nesting of the value's container: 0 for a
// top-level value.
func Skip[T Text](s T, i, depth int) (int, error) {
	i = SkipSpace(s, i)
	if i >= len(s) {
		return 0, syntax(i, "value", "want a value")
	}
	switch c := s[i]; {
	case c == '"':
		end, _, err := ScanString(s, i)
		return end, err
	case c == '{' || c == '[':
		return skipContainer(s, i, depth+1)
	case c == 't':
		return Literal(s, i, "true")
	case c == 'f':
		return Literal(s, i, "false")
	case c == 'n':
		return Literal(s, i, "null")
	case c == '-' || c >= '0' && c <= '9':
		end, ok := ScanNumber(s, i)
		if !ok {
			return 0, syntax(i, "number", "invalid number")
		}
		return end, nil
	}
	return 0, syntax(i, "value", "want a value, found "+strconv.QuoteRune(rune(s[i])))
}

// CheckDepth returns the error for a container (what: object or array) at
// offset i nested depth levels deep, or nil when depth is within MaxDepth.
func CheckDepth(what string, i, depth int) error {
	if depth > MaxDepth {
		return &SyntaxError{Offset: i, What: what, Msg: ErrDepth.Error(), Err: ErrDepth}
	}
	return nil
}

// skipContainer checks the object or array at s[i], itself depth levels deep.
func skipContainer[T Text](s T, i, depth int) (int, error) {
	open, close, what := s[i], byte('}'), "object"
	if open == '[' {
		close, what = ']', "array"
	}
	if err := CheckDepth(what, i, depth); err != nil {
		return 0, err
	}
	i = SkipSpace(s, i+1)
	if i < len(s) && s[i] == close {
		return i + 1, nil
	}
	for {
		if open == '{' {
			if i >= len(s) || s[i] != '"' {
				return 0, syntax(i, what, "want a quoted key")
			}
			end, _, err := ScanString(s, i)
			if err != nil {
				return 0, err
			}
			i = SkipSpace(s, end)
			if i >= len(s) || s[i] != ':' {
				return 0, syntax(i, what, "want ':' after the key")
			}
			i++
		}
		end, err := Skip(s, i, depth)
		if err != nil {
			return 0, err
		}
		i = SkipSpace(s, end)
		if i < len(s) && s[i] == ',' {
			i = SkipSpace(s, i+1)
			continue
		}
		if i < len(s) && s[i] == close {
			return i + 1, nil
		}
		return 0, syntax(i, what, "want ',' or '"+string(close)+"'")
	}
}
