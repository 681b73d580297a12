package cef

import (
	"strings"

	"github.com/vigilsiem/vigil/internal/parse/internal/formaterr"
)

// IsKeyChar reports whether c may appear in an extension key.
func IsKeyChar(c byte) bool { return keyChars[c] }

var keyChars = func() (t [256]bool) {
	for c := 0; c < 256; c++ {
		t[c] = c >= 'a' && c <= 'z' || c >= 'A' && c <= 'Z' || c >= '0' && c <= '9' || c == '_' || c == '.' || c == '-'
	}
	return t
}()

// scan splits the extension into p.pairs. at is the offset of ext in the
// record. A value runs to the last space before the next " key=". Pairs
// separated by tabs (templated senders such as Carbon Black Cloud's syslog
// connector write "key=value\tkey=value") are read the same way: only an
// extension that holds a tab pays for looking for both.
func (p *Parser) scan(ext string, at int) error {
	p.pairs = p.pairs[:0]
	tabs := strings.IndexByte(ext, '\t') >= 0
	i := 0
	for i < len(ext) && (ext[i] == ' ' || ext[i] == '\t') {
		i++
	}
	for i < len(ext) {
		k0 := i
		for i < len(ext) && keyChars[ext[i]] {
			i++
		}
		if i == k0 || i >= len(ext) || ext[i] != '=' {
			return formaterr.At(format, "extension", at+k0, "want key=value")
		}
		key := ext[k0:i]
		i++
		v0, vEnd, next := i, len(ext), len(ext)
		for j := i; j < len(ext); {
			var sp int
			if tabs {
				sp = strings.IndexAny(ext[j:], " \t")
			} else {
				sp = strings.IndexByte(ext[j:], ' ')
			}
			if sp < 0 {
				break
			}
			j += sp
			if escapedAt(ext, j, v0) {
				j++
				continue
			}
			k := j + 1
			for k < len(ext) && keyChars[ext[k]] {
				k++
			}
			if k > j+1 && k < len(ext) && ext[k] == '=' {
				vEnd, next = j, j+1
				break
			}
			j = k
		}
		val := strings.TrimRight(ext[v0:vEnd], " \t")
		p.pairs = append(p.pairs, pair{key: key, val: val, at: at + k0, esc: strings.IndexByte(val, '\\') >= 0})
		i = next
	}
	return nil
}

// escapedAt reports whether ext[j] follows an odd run of backslashes that
// starts at or after from: the byte is escaped.
func escapedAt(ext string, j, from int) bool {
	n := 0
	for j-1-n >= from && ext[j-1-n] == '\\' {
		n++
	}
	return n%2 == 1
}
