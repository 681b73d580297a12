package ingest

import (
	"encoding/base64"
	"fmt"
	"net/url"
	"slices"
	"strings"
	"unsafe"

	"gopkg.in/yaml.v3"

	"github.com/vigilsiem/vigil/internal/event"
)

// The decoding processors: urldecode (Elastic's, percent-encoding),
// base64decode (standard alphabet, padded or not) and hexdecode (Linux
// audit's encoding of values that hold spaces or quotes). Each decodes the field's
// text, or every item of a list; text that does not decode fails the step.
// Neither can grow a value: decoded text is never longer than its input.

// A decoder appends the decoding of s to dst. The processor decodes a
// value, or all the items of a list, into one buffer and makes one string
// of it, so a step allocates once whatever the number of items.
type decoder func(dst []byte, s string) ([]byte, error)

// appendURLDecoded undoes percent-encoding, as url.PathUnescape does. A
// '+' stays a '+': the vendors that percent-encode values (Akamai's SIEM
// records among them) carry base64 text whose '+' is not a space.
func appendURLDecoded(dst []byte, s string) ([]byte, error) {
	for {
		i := strings.IndexByte(s, '%')
		if i < 0 {
			return append(dst, s...), nil
		}
		if i+2 >= len(s) || !isHex(s[i+1]) || !isHex(s[i+2]) {
			return dst, url.EscapeError(s[i:min(i+3, len(s))])
		}
		dst = append(dst, s[:i]...)
		dst = append(dst, unhex(s[i+1])<<4|unhex(s[i+2]))
		s = s[i+3:]
	}
}

func isHex(c byte) bool {
	return '0' <= c && c <= '9' || 'a' <= c && c <= 'f' || 'A' <= c && c <= 'F'
}

func unhex(c byte) byte {
	switch {
	case c <= '9':
		return c - '0'
	case c >= 'a':
		return c - 'a' + 10
	}
	return c - 'A' + 10
}

// appendBase64Decoded decodes standard base64, with or without padding.
func appendBase64Decoded(dst []byte, s string) ([]byte, error) {
	s = strings.TrimSpace(s)
	enc := base64.StdEncoding
	if len(s)%4 != 0 {
		enc = base64.RawStdEncoding
		s = strings.TrimRight(s, "=")
	}
	n := len(dst)
	dst = slices.Grow(dst, enc.DecodedLen(len(s)))
	// The source is read only; viewing the string's bytes copies nothing.
	k, err := enc.Decode(dst[n:n+enc.DecodedLen(len(s))], unsafe.Slice(unsafe.StringData(s), len(s)))
	if err != nil {
		return dst[:n], err
	}
	return dst[:n+k], nil
}

// appendHexDecoded decodes hex text, two digits a byte, as auditd writes
// a value (cmd, proctitle, an EXECVE argument) that holds a space, a quote
// or a control character. A NUL byte, which separates proctitle's
// arguments, becomes a space, and trailing ones are dropped.
func appendHexDecoded(dst []byte, s string) ([]byte, error) {
	if len(s)%2 != 0 {
		return dst, fmt.Errorf("odd length %d", len(s))
	}
	n := len(dst)
	for i := 0; i < len(s); i += 2 {
		if !isHex(s[i]) || !isHex(s[i+1]) {
			return dst[:n], fmt.Errorf("not hex at %d", i)
		}
		c := unhex(s[i])<<4 | unhex(s[i+1])
		if c == 0 {
			c = ' '
		}
		dst = append(dst, c)
	}
	for len(dst) > n && dst[len(dst)-1] == ' ' && s[len(s)-2:] == "00" {
		dst = dst[:len(dst)-1]
		s = s[:len(s)-2]
	}
	return dst, nil
}

// appendHexWords decodes space-separated values each written the way
// auditd writes an untrusted string: in double quotes when it holds no
// space, quote or control character (the quotes are removed), else in hex
// (decoded as appendHexDecoded does). A value that is neither stays as it
// is, so an EXECVE record's a0="ls" a1=2D6C2061 read as `"ls" 2D6C2061`
// gives `ls -l a`. Single spaces separate the decoded values.
func appendHexWords(dst []byte, s string) ([]byte, error) {
	first := true
	for w := range strings.FieldsSeq(s) {
		if !first {
			dst = append(dst, ' ')
		}
		first = false
		if len(w) >= 2 && w[0] == '"' && w[len(w)-1] == '"' {
			dst = append(dst, w[1:len(w)-1]...)
			continue
		}
		if d, err := appendHexDecoded(dst, w); err == nil {
			dst = d
			continue
		}
		dst = append(dst, w...)
	}
	return dst, nil
}

// buildHexDecode compiles hexdecode: field, target_field, and words (the
// text is auditd's quoted-or-hex values, appendHexWords).
func buildHexDecode(n *yaml.Node, cm common) (func(*event.Event) error, error) {
	var o struct {
		fieldOpts `yaml:",inline"`
		Words     bool `yaml:"words"`
	}
	if err := decodeNode(n, &o); err != nil {
		return nil, err
	}
	fn := appendHexDecoded
	if o.Words {
		fn = appendHexWords
	}
	rest := *n
	rest.Content = nil
	for i := 0; i+1 < len(n.Content); i += 2 {
		if n.Content[i].Value != "words" {
			rest.Content = append(rest.Content, n.Content[i], n.Content[i+1])
		}
	}
	return buildDecode("hexdecode", fn)(&rest, cm)
}

// buildDecode compiles a decoding processor: field, target_field (default
// the field itself).
func buildDecode(what string, fn decoder) builder {
	return func(n *yaml.Node, cm common) (func(*event.Event) error, error) {
		o, err := fieldOptsOf(n)
		if err != nil {
			return nil, err
		}
		set := setterFor(o.TargetField)
		return func(e *event.Event) error {
			v, ok := e.Get(o.Field)
			if !ok {
				return cm.missing(o.Field)
			}
			var stack [256]byte
			if v.Kind() == event.KindList {
				l := v.List()
				buf := stack[:0]
				var ends [32]int
				end := ends[:0]
				for i, s := range l {
					var err error
					if buf, err = fn(buf, s); err != nil {
						return fmt.Errorf("%s %s item %d: %w", what, o.Field, i, err)
					}
					end = append(end, len(buf))
				}
				all := string(buf)
				out := make([]string, len(l))
				from := 0
				for i, to := range end {
					out[i] = all[from:to]
					from = to
				}
				return set.set(e, event.List(out))
			}
			s := textOf(v)
			if what == "urldecode" && strings.IndexByte(s, '%') < 0 {
				return set.set(e, event.String(s)) // nothing to decode: no copy
			}
			d, err := fn(stack[:0], s)
			if err != nil {
				return fmt.Errorf("%s %s: %w", what, o.Field, err)
			}
			return set.set(e, event.String(string(d)))
		}, nil
	}
}
