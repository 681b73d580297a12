package syslog

import (
	"bytes"
	"errors"
	"io"
	"os"
	"reflect"
	"strconv"
	"strings"
	"testing"
	"testing/iotest"
)

// frameAll returns every message of input and the framer's counts.
func frameAll(r io.Reader, max int) (msgs []string, cut, bad int, err error) {
	fr := NewFramer(r, max)
	for {
		m, err := fr.Next()
		if errors.Is(err, io.EOF) {
			break
		}
		if err != nil {
			return msgs, cut, bad, err
		}
		msgs = append(msgs, string(m))
		c, b := fr.TakeCounts()
		cut, bad = cut+c, bad+b
	}
	c, b := fr.TakeCounts()
	return msgs, cut + c, bad + b, nil
}

func TestFramer(t *testing.T) {
	f := func(name, input string, max int, want []string, wantCut, wantBad int) {
		t.Helper()
		t.Run(name, func(t *testing.T) {
			for _, oneByte := range []bool{false, true} {
				var r io.Reader = strings.NewReader(input)
				if oneByte {
					r = iotest.OneByteReader(r)
				}
				got, cut, bad, err := frameAll(r, max)
				if err != nil {
					t.Fatalf("oneByte=%v: %v", oneByte, err)
				}
				if !reflect.DeepEqual(got, want) || cut != wantCut || bad != wantBad {
					t.Errorf("oneByte=%v: got %q cut=%d bad=%d, want %q cut=%d bad=%d", oneByte, got, cut, bad, want, wantCut, wantBad)
				}
			}
		})
	}
	const m = 1024
	f("lf", "<13>a\n<13>b\n", m, []string{"<13>a", "<13>b"}, 0, 0)
	f("crlf", "<13>a\r\n<13>b\r\n", m, []string{"<13>a", "<13>b"}, 0, 0)
	f("nul", "<13>a\x00<13>b\x00", m, []string{"<13>a", "<13>b"}, 0, 0)
	f("mixed terminators", "<13>a\x00<13>b\r\n<13>c\n", m, []string{"<13>a", "<13>b", "<13>c"}, 0, 0)
	f("unterminated last", "<13>a\n<13>b", m, []string{"<13>a", "<13>b"}, 0, 0)
	f("blank lines skipped", "\n\n<13>a\n\r\n\n<13>b\n", m, []string{"<13>a", "<13>b"}, 0, 0)
	f("empty", "", m, nil, 0, 0)
	f("octet", "5 <13>a5 <13>b", m, []string{"<13>a", "<13>b"}, 0, 0)
	f("octet with lf inside", "9 <13>a\nb\nc", m, []string{"<13>a\nb\nc"}, 0, 0)
	f("octet lf between frames", "5 <13>a\n5 <13>b\r\n", m, []string{"<13>a", "<13>b"}, 0, 0)
	f("octet trailing lf in frame", "6 <13>a\n6 <13>b\n", m, []string{"<13>a", "<13>b"}, 0, 0)
	f("octet truncated at eof", "10 <13>a", m, []string{"<13>a"}, 0, 1)
	f("octet header at eof", "12", m, []string{"12"}, 0, 1)
	f("digit line is lf framed", "2024-01-01 boot\nnext\n", m, []string{"2024-01-01 boot", "next"}, 0, 1)
	f("bad header mid stream", "5 <13>a99x\n", m, []string{"<13>a", "99x"}, 0, 1)
	f("too many digits", "12345678901 x\n", m, []string{"12345678901 x"}, 0, 1)
	f("lf cut", strings.Repeat("a", 10)+"\nb\n", 4, []string{"aaaa", "b"}, 1, 0)
	f("lf exactly max", "aaaa\nb\n", 4, []string{"aaaa", "b"}, 0, 0)
	f("lf cut unterminated", strings.Repeat("a", 10), 4, []string{"aaaa"}, 1, 0)
	f("octet cut", "10 0123456789"+"1 b", 4, []string{"0123", "b"}, 1, 0)
	f("octet zero length", "0 5 <13>a", m, []string{"<13>a"}, 0, 0)
}

// timeoutReader returns its chunks, with a deadline error between them.
type timeoutReader struct{ chunks []string }

func (r *timeoutReader) Read(p []byte) (int, error) {
	if len(r.chunks) == 0 {
		return 0, io.EOF
	}
	c := r.chunks[0]
	if c == "" {
		r.chunks = r.chunks[1:]
		return 0, os.ErrDeadlineExceeded
	}
	n := copy(p, c)
	if n == len(c) {
		r.chunks = r.chunks[1:]
	} else {
		r.chunks[0] = c[n:]
	}
	return n, nil
}

func TestFramerPartialAfterTimeout(t *testing.T) {
	fr := NewFramer(&timeoutReader{chunks: []string{"<13>a\n<13>b", "", "\n<13>c\n"}}, 1024)
	var got []string
	for {
		m, err := fr.Next()
		if errors.Is(err, os.ErrDeadlineExceeded) {
			if !fr.HasPartial() {
				t.Fatal("timeout with a partial message buffered, but HasPartial is false")
			}
			got = append(got, "partial:"+string(fr.TakePartial()))
			continue
		}
		if errors.Is(err, io.EOF) {
			break
		}
		if err != nil {
			t.Fatal(err)
		}
		got = append(got, string(m))
	}
	want := []string{"<13>a", "partial:<13>b", "<13>c"}
	if !reflect.DeepEqual(got, want) {
		t.Fatalf("got %q, want %q", got, want)
	}
}

func TestFramerOctetNoPartial(t *testing.T) {
	fr := NewFramer(&timeoutReader{chunks: []string{"10 <13>a", "", "bcdef"}}, 1024)
	if _, err := fr.Next(); !errors.Is(err, os.ErrDeadlineExceeded) {
		t.Fatalf("want a timeout, got %v", err)
	}
	if fr.HasPartial() {
		t.Fatal("an incomplete octet-counted frame must wait for its bytes, not be handed on")
	}
	m, err := fr.Next()
	if err != nil || string(m) != "<13>abcdef" {
		t.Fatalf("got %q, %v", m, err)
	}
}

// FuzzFramer checks that the framer never panics, never returns a message
// longer than the limit or with a terminator at its end, reads the same
// messages whatever the read sizes, and round-trips messages it framed
// itself with both framings.
func FuzzFramer(f *testing.F) {
	for _, s := range []string{"5 <13>a5 <13>b", "<13>a\n<13>b\r\n", "12 x", "\x00\n1", "99999999999 x", "3 ab\n"} {
		f.Add([]byte(s), uint16(16))
	}
	f.Fuzz(func(t *testing.T, data []byte, max16 uint16) {
		max := int(max16%512) + 1
		whole, _, _, err := frameAll(bytes.NewReader(data), max)
		if err != nil {
			t.Fatal(err)
		}
		ones, _, _, err := frameAll(iotest.OneByteReader(bytes.NewReader(data)), max)
		if err != nil {
			t.Fatal(err)
		}
		if !reflect.DeepEqual(whole, ones) {
			t.Fatalf("read sizes change the messages: %q vs %q", whole, ones)
		}
		for _, m := range whole {
			if len(m) == 0 || len(m) > max {
				t.Fatalf("message of %d bytes (max %d): %q", len(m), max, m)
			}
			if c := m[len(m)-1]; c == '\n' || c == '\r' || c == 0 {
				t.Fatalf("message ends with a terminator: %q", m)
			}
		}
		// Round trip: the messages, octet-counted, come back unchanged.
		var oc []byte
		for _, m := range whole {
			oc = strconv.AppendInt(oc, int64(len(m)), 10)
			oc = append(oc, ' ')
			oc = append(oc, m...)
		}
		back, cut, bad, err := frameAll(bytes.NewReader(oc), max)
		if err != nil || cut != 0 || bad != 0 || !reflect.DeepEqual(back, whole) {
			t.Fatalf("octet round trip: %q (cut %d bad %d err %v), want %q", back, cut, bad, err, whole)
		}
	})
}
