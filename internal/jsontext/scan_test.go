package jsontext

import (
	"encoding/json"
	"errors"
	"strings"
	"testing"
)

func TestString(t *testing.T) {
	f := func(in, want string, wantEnd int) {
		t.Helper()
		got, end, err := String(in, 0)
		gotB, endB, errB := String([]byte(in), 0)
		if err != nil || got != want || end != wantEnd || gotB != got || endB != end || errB != nil {
			t.Errorf("String(%q) = %q, %d, %v (bytes: %q, %d, %v); want %q, %d", in, got, end, err, gotB, endB, errB, want, wantEnd)
		}
	}
	f(`"plain" x`, "plain", 7)
	f(`"a\"b\u00e9"`, `a"bé`, 12)
	f("\"caf\xc3\xa9\"", "café", 7)
	f("\"x\xffy\"", "x\uFFFDy", 5)
	for _, bad := range []string{`"abc`, `"a\`, `"\x"`, `"\u12"`, "\"a\x01\""} {
		if _, _, err := String(bad, 0); err == nil {
			t.Errorf("String(%q) accepted it", bad)
		}
	}
}

// A plain string read from a string input is a slice of it: no copy.
func TestStringDoesNotCopy(t *testing.T) {
	in := `{"key":"value"}`
	if n := testing.AllocsPerRun(100, func() {
		if _, _, err := String(in, 7); err != nil {
			t.Fatal(err)
		}
	}); n != 0 {
		t.Errorf("String allocated %v times on a plain string", n)
	}
}

func TestSkipDepth(t *testing.T) {
	ok := strings.Repeat("[", MaxDepth) + strings.Repeat("]", MaxDepth)
	if end, err := Skip(ok, 0, 0); err != nil || end != len(ok) {
		t.Errorf("Skip of %d levels: %d, %v", MaxDepth, end, err)
	}
	deep := "[" + ok + "]"
	_, err := Skip(deep, 0, 0)
	if !errors.Is(err, ErrDepth) {
		t.Errorf("Skip of %d levels: %v, want ErrDepth", MaxDepth+1, err)
	}
	var se *SyntaxError
	if !errors.As(err, &se) {
		t.Errorf("error %T is not a *SyntaxError", err)
	}
}

// FuzzSkip checks Skip against encoding/json's verdict (within MaxDepth),
// on strings and bytes alike.
func FuzzSkip(f *testing.F) {
	for _, s := range []string{`{"a":[1,2,{"b":null}],"c":"d\u00e9"}`, `[true,false]`, `{"a" 1}`, `[1,]`, `"x`, `-0.5e3`, ` {} `, `{"a":1}x`} {
		f.Add(s)
	}
	f.Fuzz(func(t *testing.T, in string) {
		end, err := Skip(in, 0, 0)
		endB, errB := Skip([]byte(in), 0, 0)
		if end != endB || (err == nil) != (errB == nil) {
			t.Fatalf("Skip(%q): string %d %v, bytes %d %v", in, end, err, endB, errB)
		}
		whole := err == nil && SkipSpace(in, end) == len(in)
		if errors.Is(err, ErrDepth) {
			return
		}
		if valid := json.Valid([]byte(in)); valid != whole {
			t.Fatalf("Skip(%q) = %d, %v; encoding/json says valid: %v", in, end, err, valid)
		}
	})
}
