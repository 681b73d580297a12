package scan

import "testing"

func TestCursor(t *testing.T) {
	c := New("Deny tcp src outside:1.2.3.4/80 dst inside:10.0.0.1/22 by x")
	if !c.Lit("Deny ") || c.Word() != "tcp" || c.Until("src ") != "" {
		t.Fatal("start")
	}
	src := c.Until(" dst ")
	dst := c.UntilLast(" by ")
	if src != "outside:1.2.3.4/80" || dst != "inside:10.0.0.1/22" || c.Rest() != "x" || !c.OK() {
		t.Fatalf("src %q dst %q rest %q ok %v", src, dst, c.Rest(), c.OK())
	}
	// Failure is sticky and every step after it returns nothing.
	c.Lit("y")
	if c.OK() || c.Word() != "" || c.Until("x") != "" || c.Digits() != "" || c.Maybe("x") || c.Peek("x") {
		t.Fatal("steps after a failure")
	}
	d := New("123abc  rest")
	if d.Digits() != "123" || d.Span(func(b byte) bool { return b >= 'a' && b <= 'z' }) != "abc" {
		t.Fatal("digits/span")
	}
	d.Spaces()
	if d.UntilOrEnd(";") != "rest" || !d.Empty() || !d.OK() {
		t.Fatal("until or end")
	}
	empty := New("")
	if w := empty.Word(); w != "" || empty.OK() {
		t.Fatal("word of nothing")
	}
	e := New("no digits")
	if e.Digits(); e.OK() {
		t.Fatal("digits of letters succeeded")
	}
	f := func(s string, want int64, ok bool) {
		t.Helper()
		if n, got := Atoi(s); got != ok || n != want {
			t.Errorf("Atoi(%q) = %d %v", s, n, got)
		}
	}
	f("0", 0, true)
	f("65535", 65535, true)
	f("", 0, false)
	f("-1", 0, false)
	f("12a", 0, false)
	f("1234567890123456789", 0, false)
}
