package evtx

import (
	"strconv"
	"unicode/utf8"

	"github.com/vigilsiem/vigil/internal/event"
)

// decoder decodes the BinXML of the records of one chunk at a time. Its
// caches live as long as the chunk (templates) or the reader (names).
type decoder struct {
	chunk     []byte
	templates map[uint32]*template
	interned  map[string]string
	vals      [][]val // substitution values per nesting depth
	raw       [][]op  // ops of fragments outside templates, per nesting depth
	b         Builder
	attr      []byte
	xml       []byte
	xstack    []xelem
	// budget is the number of operations the record being decoded may
	// still run; see maxOps.
	budget int
	// refs is set when the record decoded last held character or entity
	// references.
	refs bool
	// types counts substitution values by type, so tests can tell which
	// value types a corpus exercised.
	types [256]int
}

func newDecoder() *decoder {
	return &decoder{templates: make(map[uint32]*template), interned: make(map[string]string)}
}

// setChunk starts decoding records of chunk c; templates of the previous
// chunk are dropped (their offsets mean nothing in another chunk).
func (d *decoder) setChunk(c []byte) {
	d.chunk = c
	clear(d.templates)
}

// Bounds of the work one record may cause. A template may use one BinXML
// value many times and that value may instantiate the template again, so
// crafted records could expand exponentially within the nesting bound.
// Real records run a few hundred operations and produce a few KiB.
const (
	maxOps    = 1 << 18
	maxOutput = 8 << 20
)

// spend charges n operations to the record and checks its output size.
func (d *decoder) spend(n, out int) error {
	d.budget -= n
	if d.budget < 0 {
		return binxmlErr(0, "record expands to more than %d operations", maxOps)
	}
	if out > maxOutput {
		return binxmlErr(0, "record expands to more than %d bytes", maxOutput)
	}
	return nil
}

// fields decodes the BinXML of a record in chunk[p:end] into e's fields.
func (d *decoder) fields(p, end int, e *event.Event) error {
	d.b.Reset()
	d.refs = false
	d.budget = maxOps
	if err := d.fragment(p, end, 0, false); err != nil {
		return err
	}
	d.b.Finish(e)
	return nil
}

// appendXML appends the record whose BinXML is chunk[p:end] as XML text.
func (d *decoder) appendXML(dst []byte, p, end int) ([]byte, error) {
	d.xml = dst
	d.xstack = d.xstack[:0]
	d.budget = maxOps
	err := d.fragment(p, end, 0, true)
	dst = d.xml
	d.xml = nil
	return dst, err
}

// fragment decodes a BinXML fragment: an optional fragment header, then
// template instances or elements, up to an end token or end.
func (d *decoder) fragment(p, end, depth int, xml bool) error {
	if depth >= maxNesting {
		return binxmlErr(p, "nested more than %d deep", maxNesting)
	}
	c := d.chunk
	for p < end {
		switch c[p] {
		case tokEOF:
			return nil
		case tokFragmentHeader:
			if !need(p, 4, end) {
				return binxmlErr(p, "truncated fragment header")
			}
			p += 4
		case tokTemplate:
			t, vals, next, err := d.instance(p, end, depth)
			if err != nil {
				return err
			}
			if err := d.walk(t.ops, vals, depth, xml); err != nil {
				return err
			}
			p = next
		default:
			for len(d.raw) <= depth {
				d.raw = append(d.raw, nil)
			}
			ops, _, err := d.compile(d.raw[depth][:0], p, end, false, false)
			d.raw[depth] = ops
			if err != nil {
				return err
			}
			return d.walk(ops, nil, depth, xml)
		}
	}
	return nil
}

func (d *decoder) walk(ops []op, vals []val, depth int, xml bool) error {
	if xml {
		return d.walkXML(ops, vals, depth)
	}
	return d.walkFields(ops, vals, depth)
}

// value returns substitution i, or a null value when the instance has
// fewer values than the template refers to.
func (d *decoder) value(vals []val, i uint32) (byte, []byte) {
	if int(i) >= len(vals) {
		return typeNull, nil
	}
	v := vals[i]
	d.types[v.t]++
	return v.t, d.chunk[v.off : v.off+v.size]
}

const (
	attrNone = iota // not inside an attribute
	attrSkip        // inside an attribute nobody reads
	attrKeep        // inside an attribute whose value is gathered in d.attr
)

// walkFields feeds the builder with the elements of ops and their values.
func (d *decoder) walkFields(ops []op, vals []val, depth int) error {
	b := &d.b
	if err := d.spend(len(ops), len(b.arena)); err != nil {
		return err
	}
	state := attrNone
	var attrName string
	for i := range ops {
		o := &ops[i]
		switch o.kind {
		case opOpen:
			b.Start(o.name)
		case opAttr:
			if state == attrKeep {
				b.Attr(attrName, d.attr)
			}
			attrName, state = o.name, attrSkip
			if b.wantsAttr(o.name) {
				state = attrKeep
				d.attr = d.attr[:0]
			}
		case opCloseStart, opCloseEmpty:
			if state == attrKeep {
				b.Attr(attrName, d.attr)
			}
			state = attrNone
			if o.kind == opCloseEmpty {
				b.End()
			}
		case opEnd:
			b.End()
		case opText, opCDATA:
			if state == attrKeep {
				d.attr = append(d.attr, o.text...)
			} else if state == attrNone {
				b.Text(o.text)
			}
		case opCharRef:
			d.refs = true
			if state == attrKeep {
				d.attr = utf8.AppendRune(d.attr, rune(o.n))
			} else if state == attrNone && b.textTarget() {
				b.arena = utf8.AppendRune(b.arena, rune(o.n))
			}
		case opEntity:
			d.refs = true
			if state == attrKeep {
				d.attr = appendEntity(d.attr, o.name)
			} else if state == attrNone && b.textTarget() {
				b.arena = appendEntity(b.arena, o.name)
			}
		case opSubst:
			if len(b.arena)+len(d.attr) > maxOutput {
				return d.spend(0, len(b.arena)+len(d.attr))
			}
			t, data := d.value(vals, o.n)
			switch {
			case state == attrKeep:
				if t != typeBinXML {
					d.attr = appendJoined(d.attr, t, data)
				}
			case state == attrSkip:
			case t == typeBinXML:
				if len(data) > 0 {
					off := int(vals[o.n].off)
					if err := d.spend(1, len(b.arena)); err != nil {
						return err
					}
					if err := d.fragment(off, off+len(data), depth+1, false); err != nil {
						return err
					}
				}
			case t&typeArray != 0:
				if b.textTarget() {
					eachItem(t, data, func(i int, item []byte) {
						if i > 0 {
							b.Item()
						}
						b.arena = appendScalar(b.arena, t&^typeArray, item)
					})
				}
			default:
				if b.textTarget() {
					b.arena = appendScalar(b.arena, t, data)
				}
			}
		case opTemplate:
			t, v, _, err := d.instance(int(o.n), int(o.end), depth+1)
			if err != nil {
				return err
			}
			if err := d.walkFields(t.ops, v, depth+1); err != nil {
				return err
			}
		}
	}
	return nil
}

// appendEntity appends the character an XML entity reference stands for,
// or the reference itself for entities XML does not predefine.
func appendEntity(dst []byte, name string) []byte {
	switch name {
	case "amp":
		return append(dst, '&')
	case "lt":
		return append(dst, '<')
	case "gt":
		return append(dst, '>')
	case "quot":
		return append(dst, '"')
	case "apos":
		return append(dst, '\'')
	}
	dst = append(dst, '&')
	dst = append(dst, name...)
	return append(dst, ';')
}

// appendJoined appends a value's text; the items of an array are joined
// with commas (an attribute cannot repeat).
func appendJoined(dst []byte, t byte, data []byte) []byte {
	if t&typeArray == 0 {
		return appendScalar(dst, t, data)
	}
	eachItem(t, data, func(i int, item []byte) {
		if i > 0 {
			dst = append(dst, ',')
		}
		dst = appendScalar(dst, t&^typeArray, item)
	})
	return dst
}

// eachItem calls fn for each item of an array value of type t (0x80 set):
// NUL-terminated strings for string arrays, SIDs one after another, fixed
// size items otherwise. An array whose size does not divide into items is
// one binary item.
func eachItem(t byte, data []byte, fn func(i int, item []byte)) {
	switch t &^ typeArray {
	case typeString:
		n, start, even := 0, 0, len(data)&^1
		for i := 0; i < even; i += 2 {
			if data[i] == 0 && data[i+1] == 0 {
				fn(n, data[start:i])
				n++
				start = i + 2
			}
		}
		if start < even {
			fn(n, data[start:even])
		}
	case typeAnsiString:
		n, start := 0, 0
		for i, ch := range data {
			if ch == 0 {
				fn(n, data[start:i])
				n++
				start = i + 1
			}
		}
		if start < len(data) {
			fn(n, data[start:])
		}
	case typeSID:
		for n := 0; len(data) > 0; n++ {
			s := sidSize(data)
			if s == 0 {
				fn(n, data)
				return
			}
			fn(n, data[:s])
			data = data[s:]
		}
	default:
		size := itemSize(t&^typeArray, len(data))
		if size == 0 || len(data)%size != 0 {
			if len(data) > 0 {
				fn(0, data)
			}
			return
		}
		for n := 0; n*size < len(data); n++ {
			fn(n, data[n*size:(n+1)*size])
		}
	}
}

type xelem struct {
	name             string
	tagStart, tagEnd int // the start tag in d.xml, for repeating it
}

// walkXML renders ops and their values as XML text into d.xml.
//
// An optional substitution that is null removes its attribute. An array in
// element content repeats the element once per item, as libfwevt does; in
// an attribute its items are joined with commas.
func (d *decoder) walkXML(ops []op, vals []val, depth int) error {
	if err := d.spend(len(ops), len(d.xml)); err != nil {
		return err
	}
	inAttr := false
	attrStart, optNull := 0, false
	endAttr := func() {
		if !inAttr {
			return
		}
		inAttr = false
		if optNull && d.xml[len(d.xml)-1] == '"' {
			d.xml = d.xml[:attrStart]
			return
		}
		d.xml = append(d.xml, '"')
	}
	for i := range ops {
		o := &ops[i]
		switch o.kind {
		case opOpen:
			d.xstack = append(d.xstack, xelem{name: o.name, tagStart: len(d.xml)})
			d.xml = append(d.xml, '<')
			d.xml = append(d.xml, o.name...)
		case opAttr:
			endAttr()
			inAttr, optNull, attrStart = true, false, len(d.xml)
			d.xml = append(d.xml, ' ')
			d.xml = append(d.xml, o.name...)
			d.xml = append(d.xml, '=', '"')
		case opCloseStart:
			endAttr()
			d.xml = append(d.xml, '>')
			if n := len(d.xstack); n > 0 {
				d.xstack[n-1].tagEnd = len(d.xml)
			}
		case opCloseEmpty:
			endAttr()
			d.xml = append(d.xml, '/', '>')
			d.pop()
		case opEnd:
			if n := len(d.xstack); n > 0 {
				d.xml = append(d.xml, '<', '/')
				d.xml = append(d.xml, d.xstack[n-1].name...)
				d.xml = append(d.xml, '>')
			}
			d.pop()
		case opText:
			d.xml = appendEscaped(d.xml, o.text, inAttr)
		case opCDATA:
			if inAttr {
				d.xml = appendEscaped(d.xml, o.text, true)
			} else {
				d.xml = appendCDATA(d.xml, o.text)
			}
		case opCharRef:
			d.xml = append(d.xml, '&', '#')
			d.xml = strconv.AppendUint(d.xml, uint64(o.n), 10)
			d.xml = append(d.xml, ';')
		case opEntity:
			d.xml = append(d.xml, '&')
			d.xml = append(d.xml, o.name...)
			d.xml = append(d.xml, ';')
		case opPI:
			d.xml = append(d.xml, '<', '?')
			d.xml = append(d.xml, o.name...)
			if len(o.text) > 0 {
				d.xml = append(d.xml, ' ')
				d.xml = append(d.xml, o.text...)
			}
			d.xml = append(d.xml, '?', '>')
		case opSubst:
			if len(d.xml) > maxOutput {
				return d.spend(0, len(d.xml))
			}
			t, data := d.value(vals, o.n)
			switch {
			case inAttr:
				if t == typeNull || len(data) == 0 {
					optNull = optNull || o.optional
				}
				if t != typeBinXML {
					d.attr = appendJoined(d.attr[:0], t, data)
					d.xml = appendEscaped(d.xml, d.attr, true)
				}
			case t == typeBinXML:
				if len(data) > 0 {
					off := int(vals[o.n].off)
					if err := d.spend(1, len(d.xml)); err != nil {
						return err
					}
					if err := d.fragment(off, off+len(data), depth+1, true); err != nil {
						return err
					}
				}
			case t&typeArray != 0:
				d.xmlArray(t, data)
			default:
				d.attr = appendScalar(d.attr[:0], t, data)
				d.xml = appendEscaped(d.xml, d.attr, false)
			}
		case opTemplate:
			t, v, _, err := d.instance(int(o.n), int(o.end), depth+1)
			if err != nil {
				return err
			}
			if err := d.walkXML(t.ops, v, depth+1); err != nil {
				return err
			}
		}
	}
	return nil
}

func (d *decoder) pop() {
	if n := len(d.xstack); n > 0 {
		d.xstack = d.xstack[:n-1]
	}
}

// xmlArray renders an array in element content: the first item in the
// element, each further item in a copy of it.
func (d *decoder) xmlArray(t byte, data []byte) {
	var el xelem
	if n := len(d.xstack); n > 0 {
		el = d.xstack[n-1]
	}
	eachItem(t, data, func(i int, item []byte) {
		if i > 0 {
			if el.tagEnd > el.tagStart {
				d.xml = append(d.xml, '<', '/')
				d.xml = append(d.xml, el.name...)
				d.xml = append(d.xml, '>')
				d.xml = append(d.xml, d.xml[el.tagStart:el.tagEnd]...)
			} else {
				d.xml = append(d.xml, ',')
			}
		}
		d.attr = appendScalar(d.attr[:0], t&^typeArray, item)
		d.xml = appendEscaped(d.xml, d.attr, false)
	})
}

// appendEscaped appends text escaped for XML content or a double-quoted
// attribute. Carriage returns (and, in attributes, tabs and newlines) are
// written as character references so that XML parsers keep them.
func appendEscaped(dst, text []byte, attr bool) []byte {
	start := 0
	for i, c := range text {
		var rep string
		switch c {
		case '&':
			rep = "&amp;"
		case '<':
			rep = "&lt;"
		case '>':
			rep = "&gt;"
		case '"':
			if !attr {
				continue
			}
			rep = "&quot;"
		case '\r':
			rep = "&#13;"
		case '\n':
			if !attr {
				continue
			}
			rep = "&#10;"
		case '\t':
			if !attr {
				continue
			}
			rep = "&#9;"
		default:
			continue
		}
		dst = append(dst, text[start:i]...)
		dst = append(dst, rep...)
		start = i + 1
	}
	return append(dst, text[start:]...)
}

// appendCDATA appends a CDATA section; a "]]>" inside the text splits it.
func appendCDATA(dst, text []byte) []byte {
	dst = append(dst, "<![CDATA["...)
	for {
		i := indexCDATAEnd(text)
		if i < 0 {
			break
		}
		dst = append(dst, text[:i+2]...)
		dst = append(dst, "]]><![CDATA["...)
		text = text[i+2:]
	}
	dst = append(dst, text...)
	return append(dst, "]]>"...)
}

func indexCDATAEnd(b []byte) int {
	for i := 0; i+2 < len(b); i++ {
		if b[i] == ']' && b[i+1] == ']' && b[i+2] == '>' {
			return i
		}
	}
	return -1
}
