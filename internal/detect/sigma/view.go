package sigma

import (
	"strings"
	"unicode/utf8"
	"unsafe"

	"github.com/vigilsiem/vigil/internal/event"
)

// fieldTable interns the event field names a rule set reads, so an event's
// fields are located once per event and every matcher then reads its field
// by index.
type fieldTable struct {
	ids   map[string]int32
	names []string
}

func (t *fieldTable) id(name string) int32 {
	if id, ok := t.ids[name]; ok {
		return id
	}
	if t.ids == nil {
		t.ids = map[string]int32{}
	}
	id := int32(len(t.names))
	t.ids[name] = id
	t.names = append(t.names, name)
	return id
}

// accessor reads one rule field: the first of its candidate event fields
// that is present (taxonomy.go gives the candidates).
type accessor struct {
	cands []int32
	names []string
}

// fieldPos locates a field of the current event; gen tells whether it is
// current.
type fieldPos struct {
	gen uint32
	idx int32
}

// accVal is the value an accessor found in the current event, with its text
// and lower-cased text computed on first use.
type accVal struct {
	vw        *view
	gen       uint32
	present   bool
	v         event.Value
	text      string
	lower     string
	haveText  bool
	haveLower bool
}

// view is the per-event state of matching. It is reused from event to event
// and is not safe for concurrent use.
type view struct {
	rs  *RuleSet
	e   *event.Event
	gen uint32
	pos []fieldPos
	acc []accVal
	// names remembers the ids of recent event field names (fieldID)
	names *[nameCacheSize]nameSlot
	kw    []string // lower-cased text of every field, for keyword searches
	kwOK  bool

	// lowerBuf holds the lower-cased text of this event's values (see lower)
	lowerBuf []byte
	numBuf   []byte

	// the shared keyword index's hits for this event (kwindex.go)
	kwHit    []int32
	kwHitsOK bool
	kwStamps []uint32
	kwMark   uint32

	// classify's lists and fitGroups' scratch (lsindex.go)
	class   eventClass
	gstamps []uint32
	gmark   uint32
	gcands  []int32

	// prefilter scratch: per bucket, the mark of the last event that made
	// each variant a candidate
	stamps [][]uint32
	mark   uint32
	cands  []int32
}

func newView(rs *RuleSet) *view {
	return &view{rs: rs, pos: make([]fieldPos, len(rs.fields.names)), acc: make([]accVal, len(rs.accs)), names: new([nameCacheSize]nameSlot)}
}

func (v *view) reset(e *event.Event) {
	v.e = e
	v.gen++
	if v.gen == 0 { // wrapped: clear stale stamps
		clear(v.pos)
		clear(v.acc)
		v.gen = 1
	}
	v.kw, v.kwOK = v.kw[:0], false
	v.kwHitsOK = false
	if cap(v.lowerBuf) > maxLowerBuf {
		v.lowerBuf = nil
	}
	v.lowerBuf = v.lowerBuf[:0]
	for i := range e.Fields {
		if id := v.fieldID(e.Fields[i].Name); id >= 0 {
			v.pos[id] = fieldPos{gen: v.gen, idx: int32(i)}
		}
	}
}

// nameCacheSize is the number of event field names a view remembers the
// id of: more than the distinct names of the events of a typical source
// mix, and 8 KiB per view.
const (
	nameCacheBits = 9
	nameCacheSize = 1 << nameCacheBits
)

// nameSlot is a remembered field name: its id in the rule set's field
// table, -1 when no rule reads it.
type nameSlot struct {
	name string
	id   int32
}

// fieldID returns the id of event field name in the rule set's field
// table, or -1. The same few dozen names come in event after event, and
// most are read by no rule: a small cache, two slots per hash of the
// name's ends, middle byte and length, checked by comparing the name,
// answers most of them without hashing the whole name into the table of
// every field the rule set reads.
func (v *view) fieldID(name string) int32 {
	n := len(name)
	if n < 4 {
		return v.lookupField(name)
	}
	h := (gram4(name, 0) ^ gram4(name, n-4)*0x85EBCA6B ^ uint32(n)<<5 ^ uint32(name[n/2])<<13) * 0x9E3779B1
	set := v.names[h>>(32-nameCacheBits)&^1:][:2]
	if set[0].name == name {
		return set[0].id
	}
	if set[1].name == name {
		return set[1].id
	}
	id := v.lookupField(name)
	set[1] = set[0] // the set keeps the two names seen last
	set[0] = nameSlot{name: strings.Clone(name), id: id}
	return id
}

func (v *view) lookupField(name string) int32 {
	if id, ok := v.rs.fields.ids[name]; ok {
		return id
	}
	return -1
}

// get returns the value of accessor a in the current event.
func (v *view) get(a int32) *accVal {
	av := &v.acc[a]
	if av.gen == v.gen {
		return av
	}
	*av = accVal{vw: v, gen: v.gen}
	for i, c := range v.rs.accs[a].cands {
		if p := v.pos[c]; p.gen == v.gen {
			av.present, av.v = true, v.e.Fields[p.idx].Value
			return av
		}
		if name := v.rs.accs[a].names[i]; isEnvelopeName(name) {
			if val, ok := v.e.Get(name); ok {
				av.present, av.v = true, val
				return av
			}
		}
	}
	return av
}

func isEnvelopeName(n string) bool {
	return len(n) > 0 && (n[0] == '@' || n[0] == 'e' || n[0] == 'v') && event.IsEnvelope(n)
}

// textOf returns the text of a present value.
func (a *accVal) textOf() string {
	if !a.haveText {
		if k := a.v.Kind(); k == event.KindString || k == event.KindIP {
			a.text = a.v.Str()
		} else {
			a.text = a.v.Text()
		}
		a.haveText = true
	}
	return a.text
}

// lowerOf returns the lower-cased text of a present value.
func (a *accVal) lowerOf() string {
	if !a.haveLower {
		a.lower = a.vw.lower(a.textOf())
		a.haveLower = true
	}
	return a.lower
}

// isEmpty reports whether the value is null or empty text.
func (a *accVal) isEmpty() bool {
	switch a.v.Kind() {
	case event.KindNull:
		return true
	case event.KindString, event.KindIP:
		return a.v.Str() == ""
	case event.KindList:
		return len(a.v.List()) == 0
	}
	return false
}

// maxLowerBuf bounds the lower-casing buffer kept between events; one huge
// event should not pin its size forever.
const maxLowerBuf = 1 << 20

// lower lower-cases s for the current event. ASCII text is written to a
// buffer reused from event to event and returned as a string over it
// without a copy: the strings are only used while the event is matched
// (accVal and kw are reset with it), and a buffer that grows leaves the
// strings of the old one valid, since they keep it alive.
func (v *view) lower(s string) string {
	i := 0
	for ; i < len(s); i++ {
		c := s[i]
		if c >= utf8.RuneSelf {
			return strings.ToLower(s)
		}
		if 'A' <= c && c <= 'Z' {
			break
		}
	}
	if i == len(s) {
		return s
	}
	start := len(v.lowerBuf)
	v.lowerBuf = append(v.lowerBuf, s...)
	b := v.lowerBuf[start:]
	for ; i < len(b); i++ {
		c := b[i]
		if c >= utf8.RuneSelf {
			v.lowerBuf = v.lowerBuf[:start]
			return strings.ToLower(s)
		}
		if 'A' <= c && c <= 'Z' {
			b[i] = c + 'a' - 'A'
		}
	}
	return unsafe.String(&b[0], len(b))
}

// keywordTexts returns the lower-cased text of every field of the event,
// message and event.original included.
func (v *view) keywordTexts() []string {
	if v.kwOK {
		return v.kw
	}
	v.kwOK = true
	if v.e.Original != "" {
		v.kw = append(v.kw, v.lower(v.e.Original))
	}
	for _, f := range v.e.Fields {
		switch f.Value.Kind() {
		case event.KindString, event.KindIP:
			if s := f.Value.Str(); s != "" {
				v.kw = append(v.kw, v.lower(s))
			}
		case event.KindList:
			for _, s := range f.Value.List() {
				v.kw = append(v.kw, v.lower(s))
			}
		case event.KindInt, event.KindFloat, event.KindBool:
			v.kw = append(v.kw, f.Value.Text())
		}
	}
	return v.kw
}

// rangeTexts calls fn with the raw text of every field of the event, as
// keyword searches see them; numbers are rendered into a scratch buffer.
func (v *view) rangeTexts(fn func(string)) {
	if v.e.Original != "" {
		fn(v.e.Original)
	}
	for _, f := range v.e.Fields {
		switch f.Value.Kind() {
		case event.KindString, event.KindIP:
			if s := f.Value.Str(); s != "" {
				fn(s)
			}
		case event.KindList:
			for _, s := range f.Value.List() {
				fn(s)
			}
		case event.KindInt, event.KindFloat, event.KindBool:
			v.numBuf = f.Value.AppendText(v.numBuf[:0])
			fn(unsafe.String(unsafe.SliceData(v.numBuf), len(v.numBuf)))
		}
	}
}
