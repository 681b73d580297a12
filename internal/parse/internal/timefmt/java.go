package timefmt

import (
	"errors"
	"strings"
)

// ErrPattern is returned by JavaLayout for a pattern it cannot translate.
var ErrPattern = errors.New("unsupported date pattern")

// JavaLayout translates a Java SimpleDateFormat pattern (LEEF's
// devTimeFormat, "MMM dd yyyy HH:mm:ss.SSS z") into a Go time layout.
// Supported letters: y M d H h m s S (after '.' or ','), a, E, z, Z, X;
// quoted literals such as 'T', and a doubled quote for a quote. Others
// (week numbers, day of year, k, K, u) give ErrPattern.
func JavaLayout(p string) (string, error) {
	var b strings.Builder
	for i := 0; i < len(p); {
		c := p[i]
		if c == '\'' {
			j := i + 1
			if j < len(p) && p[j] == '\'' {
				b.WriteByte('\'')
				i += 2
				continue
			}
			for j < len(p) && p[j] != '\'' {
				j++
			}
			if j >= len(p) {
				return "", errors.Join(ErrPattern, errors.New("unterminated quote"))
			}
			lit := p[i+1 : j]
			if strings.ContainsAny(lit, "0123456789") || containsGoToken(lit) {
				return "", errors.Join(ErrPattern, errors.New("literal looks like a layout element"))
			}
			b.WriteString(lit)
			i = j + 1
			continue
		}
		if !(c >= 'a' && c <= 'z' || c >= 'A' && c <= 'Z') {
			if c >= '0' && c <= '9' {
				return "", errors.Join(ErrPattern, errors.New("digit in pattern"))
			}
			b.WriteByte(c)
			i++
			continue
		}
		j := i
		for j < len(p) && p[j] == c {
			j++
		}
		n := j - i
		var out string
		switch c {
		case 'y':
			out = "2006"
			if n == 2 {
				out = "06"
			}
		case 'M':
			switch {
			case n >= 4:
				out = "January"
			case n == 3:
				out = "Jan"
			case n == 2:
				out = "01"
			default:
				out = "1"
			}
		case 'd':
			out = "02"
			if n == 1 {
				out = "2"
			}
		case 'H':
			out = "15"
		case 'h':
			out = "03"
			if n == 1 {
				out = "3"
			}
		case 'm':
			out = "04"
			if n == 1 {
				out = "4"
			}
		case 's':
			out = "05"
			if n == 1 {
				out = "5"
			}
		case 'S':
			if i == 0 || (p[i-1] != '.' && p[i-1] != ',') || n > 9 {
				return "", errors.Join(ErrPattern, errors.New("fraction must follow '.' or ','"))
			}
			out = strings.Repeat("0", n)
		case 'a':
			out = "PM"
		case 'E':
			out = "Mon"
			if n >= 4 {
				out = "Monday"
			}
		case 'z':
			out = "MST"
		case 'Z':
			out = "-0700"
		case 'X':
			switch n {
			case 1:
				out = "Z07"
			case 2:
				out = "Z0700"
			default:
				out = "Z07:00"
			}
		default:
			return "", errors.Join(ErrPattern, errors.New("letter "+string(c)))
		}
		b.WriteString(out)
		i = j
	}
	return b.String(), nil
}

// containsGoToken reports whether a literal holds text Go's layout parser
// would read as an element.
func containsGoToken(s string) bool {
	for _, t := range [...]string{"Jan", "Mon", "MST", "PM", "pm"} {
		if strings.Contains(s, t) {
			return true
		}
	}
	return false
}
