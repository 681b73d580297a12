package event

import (
	"net/netip"
	"strconv"
	"strings"
	"testing"
)

// inferReference is Infer as it was before it stopped parsing text it
// could not take back (each failed parse built an error, each int and IP
// was formatted again): Infer must give the same value for every input.
func inferReference(s string) Value {
	if s == "" {
		return String(s)
	}
	c := s[0]
	switch {
	case c == '-' || (c >= '0' && c <= '9'):
		if i, err := strconv.ParseInt(s, 10, 64); err == nil && strconv.FormatInt(i, 10) == s {
			return Int(i)
		}
		if strings.IndexByte(s, '.') > 0 && strings.Count(s, ".") == 1 {
			if f, err := strconv.ParseFloat(s, 64); err == nil && strconv.FormatFloat(f, 'f', -1, 64) == s {
				return Float(f)
			}
		}
		if a, err := netip.ParseAddr(s); err == nil && a.String() == s {
			return IP(a)
		}
	case c == 't' || c == 'f':
		switch s {
		case "true":
			return Bool(true)
		case "false":
			return Bool(false)
		}
	}
	if strings.IndexByte(s, ':') >= 0 {
		if a, err := netip.ParseAddr(s); err == nil && a.String() == s {
			return IP(a)
		}
	}
	return String(s)
}

var inferSeeds = []string{"", "0", "-0", "00", "42", "-7", "007", "-007", "1.5", "-1.5", "1.10", "1.", ".5", "-.5", "-0.0", "0.0",
	"1e5", "1.5e3", "Inf", "NaN", "+5", "1_000", "9223372036854775807", "9223372036854775808", "-9223372036854775808",
	"-9223372036854775809", "99999999999999999999", "10.0.0.1", "10.00.0.1", "1.2.3", "1.2.3.4.5", "2001:db8::1",
	"2001:DB8::1", "::ffff:1.2.3.4", "::ffff:102:304", "fe80::1%eth0", "fe80::1%", "::", "::1", "12:30", "abc",
	"abc:def", "true", "false", "TRUE", "tru", "1ddd191b", "192.168.1.4", "0.1", "123456789.123456789"}

func TestInferMatchesReference(t *testing.T) {
	for _, s := range inferSeeds {
		if got, want := Infer(s), inferReference(s); !got.Equal(want) {
			t.Errorf("Infer(%q) = %v %q, want %v %q", s, got.Kind(), got.Text(), want.Kind(), want.Text())
		}
	}
}

// TestInferAllocations: typing text allocates nothing of its own, whether
// it is a number, an address or neither (the ingest path calls it for
// every key=value pair).
func TestInferAllocations(t *testing.T) {
	for _, s := range []string{"31597", "-7", "1.5", "192.168.1.4", "2001:db8::1", "1ddd191b", "user1315", "12:30", "0x1f"} {
		if n := testing.AllocsPerRun(100, func() { _ = Infer(s) }); n != 0 {
			t.Errorf("Infer(%q): %v allocations, want 0", s, n)
		}
	}
}

func FuzzInfer(f *testing.F) {
	for _, s := range inferSeeds {
		f.Add(s)
	}
	f.Fuzz(func(t *testing.T, s string) {
		if got, want := Infer(s), inferReference(s); !got.Equal(want) {
			t.Fatalf("Infer(%q) = %v %q, want %v %q", s, got.Kind(), got.Text(), want.Kind(), want.Text())
		}
	})
}

func BenchmarkInfer(b *testing.B) {
	in := []string{"31597", "user1315", "read", "192.168.1.4", "1ddd191b", "success", "443", "2001:db8::1", "1.5"}
	b.ReportAllocs()
	for b.Loop() {
		for _, s := range in {
			_ = Infer(s)
		}
	}
}
