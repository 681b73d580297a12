package jsontext

import (
	"encoding/json"
	"testing"
)

func TestUnescape(t *testing.T) {
	f := func(body, want string) {
		t.Helper()
		got, err := Unescape([]byte(body))
		if err != nil || got != want {
			t.Errorf("Unescape(%q) = %q, %v; want %q", body, got, err, want)
		}
	}
	f(`plain`, "plain")
	f(`a\"b\\c\/d`, `a"b\c/d`)
	f(`\b\f\n\r\t`, "\b\f\n\r\t")
	f(`\u00e9\u00C9`, "éÉ")
	f(`\ud83d\ude00`, "😀")
	f(`\ud83d`, "\uFFFD")        // unpaired high surrogate
	f(`\ude00x`, "\uFFFDx")      // unpaired low surrogate
	f(`\ud83d\u0041`, "\uFFFDA") // a surrogate followed by a non-surrogate
	f("caf\xc3\xa9", "café")
	f("bad\xffbyte", "bad\uFFFDbyte")
	for _, bad := range []string{`\`, `\x`, `\u12`, `\u12g4`} {
		if _, err := Unescape([]byte(bad)); err == nil {
			t.Errorf("Unescape(%q) accepted a bad escape", bad)
		}
	}
}

func TestScanNumber(t *testing.T) {
	f := func(in string, wantEnd int, wantOK bool) {
		t.Helper()
		end, ok := ScanNumber([]byte(in), 0)
		if end != wantEnd || ok != wantOK {
			t.Errorf("ScanNumber(%q) = %d, %v; want %d, %v", in, end, ok, wantEnd, wantOK)
		}
	}
	f("0", 1, true)
	f("-12.5e+3,", 8, true)
	f("01", 1, true) // the number is 0; the caller rejects what follows
	f("1.", 2, false)
	f("-", 1, false)
	f("1e", 2, false)
	f("1E-", 3, false)
	f("x", 0, false)
}

// FuzzUnescape checks Unescape against encoding/json on every string body
// encoding/json accepts, and that it never accepts a body with a bad escape.
func FuzzUnescape(f *testing.F) {
	for _, s := range []string{`a\"b`, `\ud83d\ude00`, `\ud83d`, "caf\xc3\xa9", `\u00zz`, "x\xff"} {
		f.Add([]byte(s))
	}
	f.Fuzz(func(t *testing.T, body []byte) {
		var want string
		werr := json.Unmarshal(append(append([]byte{'"'}, body...), '"'), &want)
		got, err := Unescape(body)
		if werr != nil {
			return // a quote or control character, which callers rule out first, or a bad escape
		}
		if err != nil || got != want {
			t.Fatalf("Unescape(%q) = %q, %v; encoding/json says %q", body, got, err, want)
		}
	})
}

// FuzzScanNumber checks ScanNumber against encoding/json's number grammar.
func FuzzScanNumber(f *testing.F) {
	for _, s := range []string{"0", "-1.5e3", "01", "1.", "-", "1e+", ".5"} {
		f.Add([]byte(s))
	}
	f.Fuzz(func(t *testing.T, b []byte) {
		end, ok := ScanNumber(b, 0)
		whole := ok && end == len(b)
		// json.Valid allows whitespace around a value; a number is what is
		// left when there is none.
		valid := json.Valid(b) && len(b) > 0 && (b[0] == '-' || b[0] >= '0' && b[0] <= '9') && b[len(b)-1] >= '0' && b[len(b)-1] <= '9'
		if valid != whole {
			t.Fatalf("ScanNumber(%q) = %d, %v; encoding/json says valid: %v", b, end, ok, valid)
		}
	})
}
