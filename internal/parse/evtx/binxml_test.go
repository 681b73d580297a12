package evtx

import (
	"encoding/binary"
	"errors"
	"strings"
	"testing"
	"unicode/utf16"

	"github.com/vigilsiem/vigil/internal/event"
)

// enc writes BinXML into a chunk buffer, for tests of constructs the shared
// files do not have. Names are written inline where they are used.
type enc struct {
	c []byte
	p int
}

func newEnc() *enc { return &enc{c: make([]byte, chunkSize), p: chunkHeaderSize} }

func (w *enc) b(bs ...byte) { w.p += copy(w.c[w.p:], bs) }
func (w *enc) u16(v int)    { binary.LittleEndian.PutUint16(w.c[w.p:], uint16(v)); w.p += 2 }
func (w *enc) u32(v int)    { binary.LittleEndian.PutUint32(w.c[w.p:], uint32(v)); w.p += 4 }

func (w *enc) utf16(s string, withLen bool) {
	units := utf16.Encode([]rune(s))
	if withLen {
		w.u16(len(units))
	}
	for _, u := range units {
		w.u16(int(u))
	}
}

func (w *enc) name(s string) {
	w.u32(w.p + 4)
	w.u32(0) // next name in the hash chain
	w.u16(0) // hash
	w.utf16(s, true)
	w.u16(0)
}

// open writes an element start; dep says whether a dependency id is
// written (template definitions have one).
func (w *enc) open(name string, attrs, dep bool) {
	tok := byte(tokOpenStart)
	if attrs {
		tok |= tokMore
	}
	w.b(tok)
	if dep {
		w.u16(0xffff)
	}
	w.u32(0) // element size: not used by the decoder
	w.name(name)
	if attrs {
		w.u32(0) // attribute list size
	}
}

func (w *enc) attr(name string)        { w.b(tokAttr); w.name(name) }
func (w *enc) closeStart()             { w.b(tokCloseStart) }
func (w *enc) closeEmpty()             { w.b(tokCloseEmpty) }
func (w *enc) end()                    { w.b(tokEnd) }
func (w *enc) text(s string)           { w.b(tokValue, typeString); w.utf16(s, true) }
func (w *enc) subst(id int, t byte)    { w.b(tokSubst); w.u16(id); w.b(t) }
func (w *enc) optSubst(id int, t byte) { w.b(tokOptSubst); w.u16(id); w.b(t) }
func (w *enc) charRef(r rune)          { w.b(tokCharRef); w.u16(int(r)) }
func (w *enc) entity(name string)      { w.b(tokEntityRef); w.name(name) }
func (w *enc) cdata(s string)          { w.b(tokCDATA); w.utf16(s, true) }
func (w *enc) pi(target, data string) {
	w.b(tokPITarget)
	w.name(target)
	w.b(tokPIData)
	w.utf16(data, true)
}
func (w *enc) fragmentHeader() { w.b(tokFragmentHeader, 1, 1, 0) }
func (w *enc) leaf(name string, id int, t byte) {
	w.open(name, false, true)
	w.closeStart()
	w.subst(id, t)
	w.end()
}

type value struct {
	t    byte
	data []byte
}

// instance writes a template instance. With body set the definition is
// written inline and its chunk offset returned; otherwise def is the offset
// of a definition written earlier.
func (w *enc) instance(def int, body func(), vals ...value) int {
	w.b(tokTemplate, 1)
	w.u32(0x1234) // template id
	if body != nil {
		def = w.p + 4
		w.u32(def)
		w.u32(0)                 // next template
		w.b(make([]byte, 16)...) // GUID
		sizeAt := w.p
		w.u32(0)
		start := w.p
		body()
		w.b(tokEOF)
		binary.LittleEndian.PutUint32(w.c[sizeAt:], uint32(w.p-start))
	} else {
		w.u32(def)
	}
	w.u32(len(vals))
	for _, v := range vals {
		w.u16(len(v.data))
		w.b(v.t, 0)
	}
	for _, v := range vals {
		w.b(v.data...)
	}
	return def
}

// record runs fn to write a record's BinXML and returns its range.
func (w *enc) record(fn func()) (int, int) {
	start := w.p
	fn()
	w.b(tokEOF)
	return start, w.p
}

func str(s string) value      { return value{typeString, utf16le(s)} }
func u32v(v int) value        { return value{typeUint32, le(uint64(v), 4)} }
func hex64(v uint64) value    { return value{typeHexInt64, le(v, 8)} }
func null() value             { return value{typeNull, nil} }
func strArray(s string) value { return value{typeArray | typeString, utf16le(s)} }

// decodeBoth decodes chunk[start:end] into fields and XML.
func decodeBoth(t *testing.T, w *enc, d *decoder, start, end int) (*event.Event, string) {
	t.Helper()
	d.setChunkKeep(w.c)
	e := &event.Event{}
	if err := d.fields(start, end, e); err != nil {
		t.Fatalf("fields: %v", err)
	}
	x, err := d.appendXML(nil, start, end)
	if err != nil {
		t.Fatalf("xml: %v", err)
	}
	return e, string(x)
}

// setChunkKeep is setChunk without dropping templates: the tests write
// several records into one buffer.
func (d *decoder) setChunkKeep(c []byte) { d.chunk = c }

func checkFields(t *testing.T, e *event.Event, want map[string]string) {
	t.Helper()
	for name, w := range want {
		if got := e.GetString(name); got != w {
			t.Errorf("%s = %q, want %q", name, got, w)
		}
	}
	e.Range(func(name string, v event.Value) bool {
		if _, ok := want[name]; !ok && name != event.FieldTimestamp {
			t.Errorf("unexpected field %s = %q", name, v.Text())
		}
		return true
	})
}

// systemTemplate writes an Event with a System part whose values are
// substitutions 0–5, and an EventData part written by data.
func systemTemplate(w *enc, data func()) func() {
	return func() {
		w.open("Event", true, true)
		w.attr("xmlns")
		w.text("http://schemas.microsoft.com/win/2004/08/events/event")
		w.closeStart()
		w.open("System", false, true)
		w.closeStart()
		w.open("Provider", true, true)
		w.attr("Name")
		w.text("Test-Provider")
		w.attr("Guid")
		w.subst(0, typeGUID)
		w.closeEmpty()
		w.leaf("EventID", 1, typeUint16)
		w.leaf("Keywords", 2, typeHexInt64)
		w.open("TimeCreated", true, true)
		w.attr("SystemTime")
		w.subst(3, typeFileTime)
		w.closeEmpty()
		w.open("Correlation", true, true)
		w.attr("ActivityID")
		w.optSubst(4, typeGUID)
		w.closeEmpty()
		w.open("Security", true, true)
		w.attr("UserID")
		w.subst(5, typeSID)
		w.closeEmpty()
		w.end()
		data()
		w.end()
	}
}

var (
	guidBytes = []byte{0x25, 0x96, 0x84, 0x54, 0x78, 0x54, 0x94, 0x49, 0xa5, 0xba, 0x3e, 0x3b, 0x03, 0x28, 0xc3, 0x0d}
	sidBytes  = []byte{1, 1, 0, 0, 0, 0, 0, 5, 18, 0, 0, 0}
	ftBytes   = le(133426644606015590, 8) // 2023-10-24T23:41:00.6015590Z
)

func systemValues() []value {
	return []value{{typeGUID, guidBytes}, {typeUint16, le(4624, 2)}, hex64(0x8020000000000000),
		{typeFileTime, ftBytes}, null(), {typeSID, sidBytes}}
}

var systemFields = map[string]string{
	FieldProviderName:   "Test-Provider",
	FieldProviderGUID:   "{54849625-5478-4994-A5BA-3E3B0328C30D}",
	FieldEventID:        "4624",
	FieldEventCode:      "4624",
	FieldKeywords:       "0x8020000000000000",
	FieldUserIdentifier: "S-1-5-18",
}

func withSystem(m map[string]string) map[string]string {
	out := map[string]string{}
	for k, v := range systemFields {
		out[k] = v
	}
	for k, v := range m {
		out[k] = v
	}
	return out
}

const systemXML = `<Event xmlns="http://schemas.microsoft.com/win/2004/08/events/event"><System>` +
	`<Provider Name="Test-Provider" Guid="{54849625-5478-4994-A5BA-3E3B0328C30D}"/><EventID>4624</EventID>` +
	`<Keywords>0x8020000000000000</Keywords><TimeCreated SystemTime="2023-10-24T23:41:00.6015590Z"/>` +
	`<Correlation/><Security UserID="S-1-5-18"/></System>`

func TestTemplates(t *testing.T) {
	f := func(name string, data func(w *enc), vals []value, want map[string]string, wantXML string) {
		t.Run(name, func(t *testing.T) {
			w := newEnc()
			d := newDecoder()
			var def int
			start, end := w.record(func() {
				w.fragmentHeader()
				def = w.instance(0, systemTemplate(w, func() { data(w) }), append(systemValues(), vals...)...)
			})
			e, x := decodeBoth(t, w, d, start, end)
			checkFields(t, e, withSystem(want))
			if got := e.Timestamp.Format("2006-01-02T15:04:05.9999999Z"); got != "2023-10-24T23:41:00.601559Z" {
				t.Errorf("@timestamp = %s", got)
			}
			if wantXML != "" && x != systemXML+wantXML+"</Event>" {
				t.Errorf("xml:\n got %s\nwant %s", x, systemXML+wantXML+"</Event>")
			}
			// A second record refers to the template by offset.
			start, end = w.record(func() {
				w.fragmentHeader()
				w.instance(def, nil, append(systemValues(), vals...)...)
			})
			e2, x2 := decodeBoth(t, w, d, start, end)
			checkFields(t, e2, withSystem(want))
			if x2 != x {
				t.Errorf("second record renders differently:\n%s\n%s", x2, x)
			}
			if len(d.templates) != 1 {
				t.Errorf("%d templates compiled, want 1", len(d.templates))
			}
		})
	}
	named := func(w *enc, names ...string) {
		w.open("EventData", false, true)
		w.closeStart()
		for i, n := range names {
			if n == "" {
				w.open("Data", false, true)
			} else {
				w.open("Data", true, true)
				w.attr("Name")
				w.text(n)
			}
			w.closeStart()
			w.subst(6+i, typeString)
			w.end()
		}
		w.end()
	}
	f("named data", func(w *enc) { named(w, "TargetUserName", "LogonType", "Status") },
		[]value{str("alice"), u32v(3), {typeHexInt32, le(0xc000006d, 4)}},
		map[string]string{"winlog.event_data.TargetUserName": "alice", "winlog.event_data.LogonType": "3",
			"winlog.event_data.Status": "0xc000006d"},
		`<EventData><Data Name="TargetUserName">alice</Data><Data Name="LogonType">3</Data><Data Name="Status">0xc000006d</Data></EventData>`)
	f("unnamed data and empty values", func(w *enc) { named(w, "", "", "") },
		[]value{str("first"), null(), str("third")},
		map[string]string{"winlog.event_data.param1": "first", "winlog.event_data.param3": "third", FieldData: "first, third"},
		`<EventData><Data>first</Data><Data></Data><Data>third</Data></EventData>`)
	f("array", func(w *enc) { named(w, "Names") },
		[]value{strArray("a\x00b&c\x00")},
		map[string]string{"winlog.event_data.Names": "a, b&c"},
		`<EventData><Data Name="Names">a</Data><Data Name="Names">b&amp;c</Data></EventData>`)
	f("unnamed array", func(w *enc) { named(w, "", "") },
		[]value{strArray("a\x00b\x00"), str("c")},
		map[string]string{"winlog.event_data.param1": "a", "winlog.event_data.param2": "b", "winlog.event_data.param3": "c", FieldData: "a, b, c"},
		`<EventData><Data>a</Data><Data>b</Data><Data>c</Data></EventData>`)
	f("duplicate names", func(w *enc) { named(w, "X", "X") },
		[]value{str("1"), str("2")},
		map[string]string{"winlog.event_data.X": "1, 2"}, "")
	f("references, CDATA and PI", func(w *enc) {
		w.open("EventData", false, true)
		w.closeStart()
		w.open("Data", true, true)
		w.attr("Name")
		w.text("Q")
		w.charRef('"')
		w.closeStart()
		w.text("a")
		w.entity("amp")
		w.charRef('é')
		w.cdata("<x>")
		w.entity("custom")
		w.end()
		w.pi("target", "data")
		w.end()
	}, nil, map[string]string{`winlog.event_data.Q"`: "a&é<x>&custom;"},
		`<EventData><Data Name="Q&#34;">a&amp;&#233;<![CDATA[<x>]]>&custom;</Data><?target data?></EventData>`)
	f("user data", func(w *enc) {
		w.open("UserData", false, true)
		w.closeStart()
		w.open("LogFileCleared", true, true)
		w.attr("xmlns")
		w.text("urn:x")
		w.closeStart()
		w.leaf("SubjectUserName", 6, typeString)
		w.open("Certificate", true, true)
		w.attr("fileRef")
		w.subst(7, typeString)
		w.closeEmpty()
		w.open("Flags", true, true)
		w.attr("value")
		w.text("1")
		w.closeStart()
		w.open("Inner", false, true)
		w.closeStart()
		w.text("deep")
		w.end()
		w.end()
		w.end()
		w.end()
	}, []value{str("bob"), str("c.cer")},
		map[string]string{"winlog.user_data.SubjectUserName": "bob", "winlog.user_data.Certificate.fileRef": "c.cer",
			"winlog.user_data.Flags.value": "1", "winlog.user_data.Flags.Inner": "deep"},
		`<UserData><LogFileCleared xmlns="urn:x"><SubjectUserName>bob</SubjectUserName><Certificate fileRef="c.cer"/><Flags value="1"><Inner>deep</Inner></Flags></LogFileCleared></UserData>`)
}

// TestNestedBinXML: classic events carry EventData as a BinXML value
// (type 0x21) holding a template instance of its own.
func TestNestedBinXML(t *testing.T) {
	w := newEnc()
	d := newDecoder()
	// The nested value's bytes are written first, at their final place, by
	// writing the outer record around them: build the inner fragment in a
	// second encoder sharing the buffer.
	start, end := w.record(func() {
		w.fragmentHeader()
		w.b(tokTemplate, 1)
		w.u32(1)
		def := w.p + 4
		w.u32(def)
		w.u32(0)
		w.b(make([]byte, 16)...)
		sizeAt := w.p
		w.u32(0)
		bodyStart := w.p
		systemTemplate(w, func() { w.subst(6, typeBinXML) })()
		w.b(tokEOF)
		binary.LittleEndian.PutUint32(w.c[sizeAt:], uint32(w.p-bodyStart))
		vals := systemValues()
		w.u32(len(vals) + 1)
		descAt := w.p
		for _, v := range vals {
			w.u16(len(v.data))
			w.b(v.t, 0)
		}
		w.u16(0) // patched below
		w.b(typeBinXML, 0)
		for _, v := range vals {
			w.b(v.data...)
		}
		nested := w.p
		w.fragmentHeader()
		w.instance(0, func() {
			w.open("EventData", false, false)
			w.closeStart()
			w.open("Data", false, false)
			w.closeStart()
			w.subst(0, typeString)
			w.end()
			w.end()
		}, str("inner"))
		w.b(tokEOF)
		binary.LittleEndian.PutUint16(w.c[descAt+4*len(vals):], uint16(w.p-nested))
	})
	e, x := decodeBoth(t, w, d, start, end)
	checkFields(t, e, withSystem(map[string]string{"winlog.event_data.param1": "inner", FieldData: "inner"}))
	if want := systemXML + "<EventData><Data>inner</Data></EventData></Event>"; x != want {
		t.Errorf("xml:\n got %s\nwant %s", x, want)
	}
}

// TestRawElements: a record may hold elements outside any template, with
// their values inline.
func TestRawElements(t *testing.T) {
	w := newEnc()
	d := newDecoder()
	start, end := w.record(func() {
		w.fragmentHeader()
		w.open("Event", false, false)
		w.closeStart()
		w.open("System", false, false)
		w.closeStart()
		w.open("EventID", true, false)
		w.attr("Qualifiers")
		w.text("16384")
		w.closeStart()
		w.text("7045")
		w.end()
		w.open("Channel", false, false)
		w.closeStart()
		w.text("System")
		w.end()
		w.end()
		w.end()
	})
	e, x := decodeBoth(t, w, d, start, end)
	checkFields(t, e, map[string]string{FieldEventID: "7045", FieldEventCode: "7045", FieldChannel: "System"})
	if want := `<Event><System><EventID Qualifiers="16384">7045</EventID><Channel>System</Channel></System></Event>`; x != want {
		t.Errorf("xml:\n got %s\nwant %s", x, want)
	}
}

func TestMalformedBinXML(t *testing.T) {
	f := func(name string, write func(w *enc), want string) {
		t.Run(name, func(t *testing.T) {
			w := newEnc()
			d := newDecoder()
			start, end := w.record(func() { write(w) })
			d.setChunk(w.c)
			err := d.fields(start, end, &event.Event{})
			if !errors.Is(err, ErrBinXML) || !strings.Contains(err.Error(), want) {
				t.Errorf("err = %v, want ErrBinXML naming %q", err, want)
			}
		})
	}
	f("unclosed element", func(w *enc) { w.open("Event", false, false); w.closeStart() }, "inside an element")
	f("end without open", func(w *enc) { w.end() }, "end tag without")
	f("attribute outside tag", func(w *enc) { w.attr("x") }, "attribute outside")
	f("substitution outside template", func(w *enc) {
		w.open("E", false, false)
		w.closeStart()
		w.subst(0, typeString)
		w.end()
	}, "substitution outside")
	f("unknown token", func(w *enc) { w.b(0x1f) }, "unknown token")
	f("name out of chunk", func(w *enc) { w.b(tokOpenStart); w.u32(0); w.u32(chunkSize - 2) }, "name")
	f("template definition out of chunk", func(w *enc) { w.b(tokTemplate, 1); w.u32(1); w.u32(chunkSize - 4); w.u32(0) }, "template definition")
	f("values past the record", func(w *enc) {
		w.instance(0, func() { w.open("E", false, true); w.closeEmpty() }, value{typeString, make([]byte, 40)})
		w.p -= 30
	}, "run past")
	t.Run("nesting", func(t *testing.T) {
		// BinXML in a value holding BinXML … is bounded, whatever the data.
		d := newDecoder()
		d.setChunk(newEnc().c)
		err := d.fragment(chunkHeaderSize, chunkHeaderSize+8, maxNesting, false)
		if !errors.Is(err, ErrBinXML) || !strings.Contains(err.Error(), "nested") {
			t.Errorf("err = %v", err)
		}
	})
}
