package sqlgen

import (
	"strings"
	"testing"
)

// FuzzCHString checks that a quoted string is one literal: it starts
// and ends with a quote, every quote and backslash inside is escaped, and
// it holds no '?' (fragOf's placeholder) and no control byte.
func FuzzCHString(f *testing.F) {
	for _, s := range []string{"", "'", `\`, `\'`, "a'); DROP TABLE x; --", "?", "\x00\n\r\t", "\xff\xfe", "ü'ö"} {
		f.Add(s)
	}
	f.Fuzz(func(t *testing.T, s string) {
		for _, q := range []string{CHString(s), CHIdent(s)} {
			open := q[0]
			if len(q) < 2 || q[len(q)-1] != open {
				t.Fatalf("%q: not enclosed: %q", s, q)
			}
			body := q[1 : len(q)-1]
			if strings.ContainsAny(body, "?\x00\n\r") {
				t.Fatalf("%q: body %q has a placeholder or control byte", s, body)
			}
			// Walk the body as ClickHouse reads it: a backslash takes the
			// next byte; an unescaped quote would end the literal early.
			var out []byte
			for i := 0; i < len(body); i++ {
				switch c := body[i]; {
				case c == '\\':
					if i+1 >= len(body) {
						t.Fatalf("%q: trailing backslash in %q", s, q)
					}
					if body[i+1] == 'x' {
						if i+4 > len(body) {
							t.Fatalf("%q: short \\x escape in %q", s, q)
						}
						var v byte
						for _, h := range body[i+2 : i+4] {
							v = v<<4 | byte(strings.IndexRune("0123456789abcdef", h))
						}
						out = append(out, v)
						i += 3
						continue
					}
					out = append(out, body[i+1])
					i++
				case c == open:
					t.Fatalf("%q: unescaped quote in %q", s, q)
				default:
					out = append(out, c)
				}
			}
			if string(out) != s {
				t.Fatalf("%q reads back as %q from %q", s, out, q)
			}
		}
	})
}
