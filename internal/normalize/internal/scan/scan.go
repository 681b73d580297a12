// Package scan owns the cursor the vendor normalisers read log text with:
// a string and a position, consumed left to right, with a sticky failure
// flag so a grammar reads as a straight line of steps and is checked once
// at the end. It never allocates: every piece it returns is a substring of
// the input.
package scan

import "strings"

// Cursor reads a string from left to right. The zero Cursor is empty and
// failed; use New.
type Cursor struct {
	s  string
	ok bool
}

// New returns a cursor at the start of s.
func New(s string) Cursor { return Cursor{s: s, ok: true} }

// OK reports whether every step so far succeeded.
func (c *Cursor) OK() bool { return c.ok }

// Fail marks the cursor failed.
func (c *Cursor) Fail() { c.ok = false }

// Rest returns what is left.
func (c *Cursor) Rest() string { return c.s }

// Empty reports whether nothing is left.
func (c *Cursor) Empty() bool { return c.s == "" }

// Lit consumes p when the rest starts with it, and fails otherwise.
func (c *Cursor) Lit(p string) bool {
	if !c.ok || !strings.HasPrefix(c.s, p) {
		c.ok = false
		return false
	}
	c.s = c.s[len(p):]
	return true
}

// Maybe consumes p when the rest starts with it; it never fails.
func (c *Cursor) Maybe(p string) bool {
	if c.ok && strings.HasPrefix(c.s, p) {
		c.s = c.s[len(p):]
		return true
	}
	return false
}

// Until returns the text before the first sep and consumes both; it fails
// when sep does not occur.
func (c *Cursor) Until(sep string) string {
	if !c.ok {
		return ""
	}
	i := strings.Index(c.s, sep)
	if i < 0 {
		c.ok = false
		return ""
	}
	v := c.s[:i]
	c.s = c.s[i+len(sep):]
	return v
}

// UntilLast returns the text before the last sep and consumes both; it
// fails when sep does not occur.
func (c *Cursor) UntilLast(sep string) string {
	if !c.ok {
		return ""
	}
	i := strings.LastIndex(c.s, sep)
	if i < 0 {
		c.ok = false
		return ""
	}
	v := c.s[:i]
	c.s = c.s[i+len(sep):]
	return v
}

// UntilOrEnd returns the text before the first sep (consuming sep), or all
// of the rest when sep does not occur.
func (c *Cursor) UntilOrEnd(sep string) string {
	if !c.ok {
		return ""
	}
	i := strings.Index(c.s, sep)
	if i < 0 {
		v := c.s
		c.s = ""
		return v
	}
	v := c.s[:i]
	c.s = c.s[i+len(sep):]
	return v
}

// Word returns the text up to the next space (or the end) and consumes it
// and the spaces after it; it fails when that text is empty.
func (c *Cursor) Word() string {
	if !c.ok {
		return ""
	}
	i := strings.IndexByte(c.s, ' ')
	var v string
	if i < 0 {
		v, c.s = c.s, ""
	} else {
		v, c.s = c.s[:i], c.s[i:]
	}
	if v == "" {
		c.ok = false
		return ""
	}
	c.Spaces()
	return v
}

// Spaces consumes spaces.
func (c *Cursor) Spaces() {
	for len(c.s) > 0 && c.s[0] == ' ' {
		c.s = c.s[1:]
	}
}

// Digits returns the run of ASCII digits at the start and consumes it; it
// fails when there is none.
func (c *Cursor) Digits() string {
	if !c.ok {
		return ""
	}
	n := 0
	for n < len(c.s) && c.s[n] >= '0' && c.s[n] <= '9' {
		n++
	}
	if n == 0 {
		c.ok = false
		return ""
	}
	v := c.s[:n]
	c.s = c.s[n:]
	return v
}

// Peek reports whether the rest starts with p, consuming nothing.
func (c *Cursor) Peek(p string) bool { return c.ok && strings.HasPrefix(c.s, p) }

// Span returns the bytes at the start for which keep is true, and consumes them.
func (c *Cursor) Span(keep func(b byte) bool) string {
	if !c.ok {
		return ""
	}
	n := 0
	for n < len(c.s) && keep(c.s[n]) {
		n++
	}
	v := c.s[:n]
	c.s = c.s[n:]
	return v
}

// Atoi parses a non-negative decimal of at most 18 digits.
func Atoi(s string) (int64, bool) {
	if s == "" || len(s) > 18 {
		return 0, false
	}
	var n int64
	for i := 0; i < len(s); i++ {
		c := s[i]
		if c < '0' || c > '9' {
			return 0, false
		}
		n = n*10 + int64(c-'0')
	}
	return n, true
}
