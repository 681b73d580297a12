package event

import (
	"bytes"
	"math/rand/v2"
	"testing"
	"unicode/utf8"
)

// appendJSONStringBytewise is AppendJSONString without the 8-byte skip
// (safe8): the reference the word-at-a-time scan must agree with.
func appendJSONStringBytewise(dst []byte, s string) []byte {
	dst = append(dst, '"')
	start := 0
	for i := 0; i < len(s); {
		c := s[i]
		if jsonSafe[c] {
			i++
			continue
		}
		if c < utf8.RuneSelf {
			dst = append(dst, s[start:i]...)
			switch c {
			case '"', '\\':
				dst = append(dst, '\\', c)
			case '\n':
				dst = append(dst, '\\', 'n')
			case '\r':
				dst = append(dst, '\\', 'r')
			case '\t':
				dst = append(dst, '\\', 't')
			default:
				dst = append(dst, '\\', 'u', '0', '0', hexDigits[c>>4], hexDigits[c&0xf])
			}
			i++
			start = i
			continue
		}
		r, size := utf8.DecodeRuneInString(s[i:])
		if r == utf8.RuneError && size == 1 {
			dst = append(dst, s[start:i]...)
			dst = append(dst, `\ufffd`...)
			i += size
			start = i
			continue
		}
		if r == '\u2028' || r == '\u2029' {
			dst = append(dst, s[start:i]...)
			dst = append(dst, '\\', 'u', '2', '0', '2', hexDigits[r&0xf])
			i += size
			start = i
			continue
		}
		i += size
	}
	dst = append(dst, s[start:]...)
	return append(dst, '"')
}

// TestAppendJSONStringWordScan puts every byte that needs care (the
// bounds of jsonSafe: 0x1f, 0x20, '"', '\\', 0x7f, 0x80, 0xff, UTF-8
// sequences, U+2028) at every position of strings around the 8-byte word,
// and checks the output against the byte-by-byte scan.
func TestAppendJSONStringWordScan(t *testing.T) {
	specials := []string{"\x00", "\x1f", " ", "!", "\"", "#", "[", "\\", "]", "~", "\x7f", "\x80", "\xff", "é", "\u2028", "€", "\xe2\x80"}
	for n := 0; n <= 24; n++ {
		for pos := 0; pos < n; pos++ {
			for _, sp := range specials {
				b := bytes.Repeat([]byte("a"), n)
				s := string(b[:pos]) + sp + string(b[pos:])
				if got, want := AppendJSONString(nil, s), appendJSONStringBytewise(nil, s); !bytes.Equal(got, want) {
					t.Fatalf("%q: got %s, want %s", s, got, want)
				}
			}
		}
	}
	r := rand.New(rand.NewPCG(1, 2))
	alphabet := []byte("ab\"\\\x00\x1f\x20\x7f\x80\xc3\xa9\xe2\x80\xa8~")
	for range 20000 {
		b := make([]byte, r.IntN(40))
		for i := range b {
			b[i] = alphabet[r.IntN(len(alphabet))]
		}
		if got, want := AppendJSONString(nil, string(b)), appendJSONStringBytewise(nil, string(b)); !bytes.Equal(got, want) {
			t.Fatalf("%q: got %s, want %s", b, got, want)
		}
	}
}

func FuzzAppendJSONString(f *testing.F) {
	f.Add("<34>Oct 11 22:14:15 mymachine su: 'su root' failed")
	f.Add(`{"user":"a\"b","path":"C:\\x"}` + "\t\u2028é\xff")
	f.Fuzz(func(t *testing.T, s string) {
		if got, want := AppendJSONString(nil, s), appendJSONStringBytewise(nil, s); !bytes.Equal(got, want) {
			t.Fatalf("%q: got %s, want %s", s, got, want)
		}
	})
}

// BenchmarkAppendJSONString escapes records of the bench mix's kinds: a
// syslog line (no escapes) and a JSON one (quotes to escape).
func BenchmarkAppendJSONString(b *testing.B) {
	for _, s := range []struct{ name, s string }{
		{"syslog", "<38>Nov 23 10:00:00 host12 sshd[4242]: Failed password for invalid user admin from 10.3.17.200 port 51234 ssh2"},
		{"json", `{"@timestamp":"2026-11-23T10:00:00.123Z","event":{"action":"login","outcome":"failure"},"user":{"name":"alice"},"source":{"ip":"10.20.3.4"},"http":{"request":{"method":"POST"}},"url":{"path":"/api/login"}}`},
	} {
		b.Run(s.name, func(b *testing.B) {
			b.SetBytes(int64(len(s.s)))
			b.ReportAllocs()
			buf := make([]byte, 0, 1024)
			for b.Loop() {
				buf = AppendJSONString(buf[:0], s.s)
			}
			sinkBytes = buf
		})
	}
}
