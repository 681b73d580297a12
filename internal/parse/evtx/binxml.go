package evtx

import (
	"encoding/binary"
	"errors"
	"fmt"
)

// BinXML tokens ([MS-EVEN6] 2.2.12; libevtx "Binary XML"). Tokens 0x01 and
// 0x05–0x09 also exist with the 0x40 bit set, meaning "more data follows"
// (an element with attributes, another attribute).
const (
	tokEOF            = 0x00
	tokOpenStart      = 0x01
	tokCloseStart     = 0x02
	tokCloseEmpty     = 0x03
	tokEnd            = 0x04
	tokValue          = 0x05
	tokAttr           = 0x06
	tokCDATA          = 0x07
	tokCharRef        = 0x08
	tokEntityRef      = 0x09
	tokPITarget       = 0x0a
	tokPIData         = 0x0b
	tokTemplate       = 0x0c
	tokSubst          = 0x0d
	tokOptSubst       = 0x0e
	tokFragmentHeader = 0x0f
	tokMore           = 0x40
)

// errBinXML is wrapped by every error about malformed BinXML.
var errBinXML = errors.New("malformed binxml")

func binxmlErr(off int, format string, args ...any) error {
	return fmt.Errorf("binxml at chunk offset %#x: %s: %w", off, fmt.Sprintf(format, args...), errBinXML)
}

type opKind uint8

// Operations of a compiled template or fragment: the BinXML tokens with
// names resolved and literal text converted to UTF-8 once.
const (
	opOpen       opKind = iota // name
	opAttr                     // name; its value is the ops up to the next opAttr/opCloseStart/opCloseEmpty
	opCloseStart               // end of the start tag, content follows
	opCloseEmpty               // end of the start tag of an empty element
	opEnd                      // end tag
	opText                     // text
	opCDATA                    // text
	opCharRef                  // n: the character
	opEntity                   // name: the entity
	opPI                       // name: target, text: data
	opSubst                    // n: substitution index; optional
	opTemplate                 // n: chunk offset of a template instance (fragments only)
)

type op struct {
	kind     opKind
	optional bool
	n, end   uint32 // end: for opTemplate, the end of the enclosing fragment
	name     string
	text     []byte
}

// template is a template definition compiled once per chunk.
type template struct {
	ops []op
	err error
}

// val is one substitution value: its type and where its bytes are in the chunk.
type val struct {
	t         byte
	off, size uint32
}

// maxNesting bounds BinXML nested in values (type 0x21) and template
// instances nested in fragments. Real events nest two or three deep.
const maxNesting = 16

// maxValues bounds the substitution values of one template instance; a
// value descriptor takes 4 bytes, so a 64 KiB chunk cannot hold more.
const maxValues = chunkSize / 4

func u16(b []byte, off int) uint16 { return binary.LittleEndian.Uint16(b[off:]) }
func u32(b []byte, off int) uint32 { return binary.LittleEndian.Uint32(b[off:]) }

// need reports whether n bytes are available at off before end.
func need(off, n, end int) bool { return off >= 0 && n >= 0 && off <= end-n }

// name returns the name stored at chunk offset off and the offset just after
// it: a u32 (next name in the hash chain), u16 hash, u16 length, the
// UTF-16LE characters and a NUL.
func (d *decoder) name(off int) (string, int, error) {
	c := d.chunk
	if !need(off, 8, len(c)) {
		return "", 0, binxmlErr(off, "name out of chunk")
	}
	n := int(u16(c, off+6))
	end := off + 8 + 2*n
	if !need(end, 2, len(c)) {
		return "", 0, binxmlErr(off, "name of %d characters out of chunk", n)
	}
	raw := c[off+8 : end]
	if s, ok := d.interned[string(raw)]; ok {
		return s, end + 2, nil
	}
	s := string(appendUTF16(nil, raw))
	if len(d.interned) < maxInterned {
		d.interned[string(raw)] = s
	}
	return s, end + 2, nil
}

// maxInterned bounds the table of element and attribute names shared by
// all chunks of a reader.
const maxInterned = 1 << 16

// nameRef reads a u32 name offset at p and resolves it. A name stored
// inline follows the offset (the offset then points just past itself) and
// is skipped; otherwise it was written earlier in the chunk.
func (d *decoder) nameRef(p, end int) (string, int, error) {
	if !need(p, 4, end) {
		return "", 0, binxmlErr(p, "truncated name reference")
	}
	off := int(u32(d.chunk, p))
	p += 4
	if off != p {
		s, _, err := d.name(off)
		return s, p, err
	}
	s, next, err := d.name(off)
	if err != nil {
		return "", 0, err
	}
	if next > end {
		return "", 0, binxmlErr(p, "inline name runs past its fragment")
	}
	return s, next, nil
}

// plausibleName reports whether the u32 at p can be a name offset: inline
// (pointing just past itself) or pointing back into the chunk.
func (d *decoder) plausibleName(p, end int) bool {
	if !need(p, 4, end) {
		return false
	}
	off := int(u32(d.chunk, p))
	return off == p+4 || (off >= chunkHeaderSize && off < p)
}

// utf16Text reads a u16 character count and that many UTF-16LE characters.
func (d *decoder) utf16Text(p, end int) ([]byte, int, error) {
	if !need(p, 2, end) {
		return nil, 0, binxmlErr(p, "truncated text")
	}
	n := 2 * int(u16(d.chunk, p))
	p += 2
	if !need(p, n, end) {
		return nil, 0, binxmlErr(p, "text of %d bytes runs past its fragment", n)
	}
	return appendUTF16(nil, d.chunk[p:p+n]), p + n, nil
}

// compile turns the BinXML tokens in chunk[p:end] into ops, up to and
// including the end-of-fragment token, and checks that elements nest.
// Template definitions (tmpl) may hold substitutions; fragments may hold
// template instances instead. dep says whether element starts carry a
// dependency id: they do in templates, not in BinXML nested in a value
// (libevtx notes this) nor, in the files we have seen, in records that hold
// elements outside any template. When the other reading is the only
// plausible one, compile switches to it.
func (d *decoder) compile(ops []op, p, end int, tmpl, dep bool) ([]op, int, error) {
	c := d.chunk
	depth, inTag, inAttr := 0, false, false
	for {
		if p >= end {
			return ops, p, binxmlErr(p, "fragment ends without its end token")
		}
		start := p
		tok := c[p]
		p++
		switch tok &^ tokMore {
		case tokEOF:
			if tok != tokEOF {
				return ops, p, binxmlErr(start, "unknown token %#x", tok)
			}
			if depth != 0 || inTag {
				return ops, p, binxmlErr(start, "fragment ends inside an element")
			}
			return ops, p, nil
		case tokOpenStart:
			if inTag {
				return ops, p, binxmlErr(start, "element inside a start tag")
			}
			hdr := 4
			if dep {
				hdr = 6
			}
			if !d.plausibleName(p+hdr, end) {
				alt := 10 - hdr
				if d.plausibleName(p+alt, end) {
					dep = !dep
					hdr = alt
				}
			}
			name, next, err := d.nameRef(p+hdr, end)
			if err != nil {
				return ops, p, err
			}
			p = next
			if tok&tokMore != 0 {
				if !need(p, 4, end) {
					return ops, p, binxmlErr(p, "truncated attribute list size")
				}
				p += 4
			}
			ops = append(ops, op{kind: opOpen, name: name})
			depth++
			inTag, inAttr = true, false
		case tokCloseStart, tokCloseEmpty, tokEnd:
			if tok&tokMore != 0 {
				return ops, p, binxmlErr(start, "unknown token %#x", tok)
			}
			switch tok {
			case tokCloseStart:
				if !inTag {
					return ops, p, binxmlErr(start, "close of a start tag outside one")
				}
				ops = append(ops, op{kind: opCloseStart})
			case tokCloseEmpty:
				if !inTag {
					return ops, p, binxmlErr(start, "close of an empty element outside a start tag")
				}
				ops = append(ops, op{kind: opCloseEmpty})
				depth--
			default:
				if inTag || depth == 0 {
					return ops, p, binxmlErr(start, "end tag without an open element")
				}
				ops = append(ops, op{kind: opEnd})
				depth--
			}
			inTag, inAttr = false, false
		case tokAttr:
			if !inTag {
				return ops, p, binxmlErr(start, "attribute outside a start tag")
			}
			name, next, err := d.nameRef(p, end)
			if err != nil {
				return ops, p, err
			}
			p = next
			ops = append(ops, op{kind: opAttr, name: name})
			inAttr = true
		case tokValue, tokCDATA, tokCharRef, tokEntityRef:
			if inTag && !inAttr {
				return ops, p, binxmlErr(start, "content inside a start tag")
			}
			var o op
			switch tok &^ tokMore {
			case tokValue:
				if !need(p, 1, end) {
					return ops, p, binxmlErr(p, "truncated value")
				}
				if t := c[p]; t != typeString {
					return ops, p, binxmlErr(p, "value token of type %#x", t)
				}
				text, next, err := d.utf16Text(p+1, end)
				if err != nil {
					return ops, p, err
				}
				o, p = op{kind: opText, text: text}, next
			case tokCDATA:
				text, next, err := d.utf16Text(p, end)
				if err != nil {
					return ops, p, err
				}
				o, p = op{kind: opCDATA, text: text}, next
			case tokCharRef:
				if !need(p, 2, end) {
					return ops, p, binxmlErr(p, "truncated character reference")
				}
				o, p = op{kind: opCharRef, n: uint32(u16(c, p))}, p+2
			default:
				name, next, err := d.nameRef(p, end)
				if err != nil {
					return ops, p, err
				}
				o, p = op{kind: opEntity, name: name}, next
			}
			ops = append(ops, o)
		case tokPITarget:
			if tok&tokMore != 0 || inTag {
				return ops, p, binxmlErr(start, "processing instruction inside a start tag")
			}
			name, next, err := d.nameRef(p, end)
			if err != nil {
				return ops, p, err
			}
			p = next
			o := op{kind: opPI, name: name}
			if need(p, 1, end) && c[p] == tokPIData {
				text, next, err := d.utf16Text(p+1, end)
				if err != nil {
					return ops, p, err
				}
				o.text, p = text, next
			}
			ops = append(ops, o)
		case tokPIData:
			return ops, p, binxmlErr(start, "processing instruction data without a target")
		case tokSubst, tokOptSubst:
			if tok&tokMore != 0 {
				return ops, p, binxmlErr(start, "unknown token %#x", tok)
			}
			if !tmpl {
				return ops, p, binxmlErr(start, "substitution outside a template")
			}
			if inTag && !inAttr {
				return ops, p, binxmlErr(start, "substitution inside a start tag")
			}
			if !need(p, 3, end) {
				return ops, p, binxmlErr(p, "truncated substitution")
			}
			ops = append(ops, op{kind: opSubst, n: uint32(u16(c, p)), optional: tok == tokOptSubst})
			p += 3
		case tokTemplate:
			if tok&tokMore != 0 {
				return ops, p, binxmlErr(start, "unknown token %#x", tok)
			}
			if tmpl {
				return ops, p, binxmlErr(start, "template instance inside a template")
			}
			if inTag {
				return ops, p, binxmlErr(start, "template instance inside a start tag")
			}
			_, _, next, err := d.instance(start, end, -1)
			if err != nil {
				return ops, p, err
			}
			ops = append(ops, op{kind: opTemplate, n: uint32(start), end: uint32(end)})
			p = next
		case tokFragmentHeader:
			if tok&tokMore != 0 {
				return ops, p, binxmlErr(start, "unknown token %#x", tok)
			}
			if !need(p, 3, end) {
				return ops, p, binxmlErr(p, "truncated fragment header")
			}
			p += 3
		default:
			return ops, p, binxmlErr(start, "unknown token %#x", tok)
		}
	}
}

// templateAt returns the template defined at chunk offset off, compiling
// it on first use in the chunk. A definition is a u32 (next definition), a
// 16-byte GUID, a u32 size and that many bytes of BinXML.
func (d *decoder) templateAt(off int) *template {
	if t, ok := d.templates[uint32(off)]; ok {
		return t
	}
	t := &template{}
	c := d.chunk
	if off < chunkHeaderSize || !need(off, 24, len(c)) {
		t.err = binxmlErr(off, "template definition out of chunk")
	} else {
		size := int(u32(c, off+20))
		body := off + 24
		if !need(body, size, len(c)) {
			t.err = binxmlErr(off, "template definition of %d bytes runs past the chunk", size)
		} else {
			t.ops, _, t.err = d.compile(nil, body, body+size, true, true)
		}
	}
	d.templates[uint32(off)] = t
	return t
}

// instance reads the template instance at p: token, one unknown byte, the
// template id, the offset of its definition (followed by the definition
// itself on first use), then the value descriptors (u16 size, u8 type, one
// unused byte) and the values. It returns the template, the values and the
// offset after the instance. The values are kept in the buffer of the given
// nesting depth; depth -1 only measures the instance and keeps no values.
func (d *decoder) instance(p, end, depth int) (*template, []val, int, error) {
	c := d.chunk
	if !need(p, 10, end) {
		return nil, nil, 0, binxmlErr(p, "truncated template instance")
	}
	def := int(u32(c, p+6))
	q := p + 10
	if def == q {
		if !need(q, 24, end) {
			return nil, nil, 0, binxmlErr(q, "truncated template definition")
		}
		size := int(u32(c, q+20))
		if !need(q+24, size, end) {
			return nil, nil, 0, binxmlErr(q, "template definition of %d bytes runs past its record", size)
		}
		q += 24 + size
	}
	t := d.templateAt(def)
	if t.err != nil {
		return nil, nil, 0, t.err
	}
	if !need(q, 4, end) {
		return nil, nil, 0, binxmlErr(q, "truncated value count")
	}
	n := int(u32(c, q))
	q += 4
	if n > maxValues || !need(q, 4*n, end) {
		return nil, nil, 0, binxmlErr(q, "%d value descriptors run past their record", n)
	}
	off := q + 4*n
	if depth < 0 {
		for i := 0; i < n; i++ {
			off += int(u16(c, q+4*i))
		}
		if off > end {
			return nil, nil, 0, binxmlErr(q, "values of %d bytes run past their record", off-q-4*n)
		}
		return t, nil, off, nil
	}
	for len(d.vals) <= depth {
		d.vals = append(d.vals, nil)
	}
	vals := d.vals[depth][:0]
	for i := 0; i < n; i++ {
		size := int(u16(c, q+4*i))
		vals = append(vals, val{t: c[q+4*i+2], off: uint32(off), size: uint32(size)})
		off += size
	}
	d.vals[depth] = vals
	if off > end {
		return nil, nil, 0, binxmlErr(q, "values of %d bytes run past their record", off-q-4*n)
	}
	return t, vals, off, nil
}
