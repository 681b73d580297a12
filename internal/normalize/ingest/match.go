package ingest

import (
	"fmt"
	"regexp"
	"strings"
	"sync"
	"sync/atomic"

	"github.com/vigilsiem/vigil/internal/event"
	"github.com/vigilsiem/vigil/internal/query/filter"
)

// matchSpec is one way a pipeline recognises its records. Every key given
// must hold; a pipeline takes a record when any of its match entries does.
type matchSpec struct {
	// CEF (and LEEF) header vendor and product, compared case-insensitively;
	// the parsers keep them in observer.vendor and observer.product. With
	// neither, any CEF or LEEF record.
	CEF *struct {
		Vendor  string `yaml:"vendor"`
		Product string `yaml:"product"`
	} `yaml:"cef"`
	// App lists syslog program names (APP-NAME, the RFC 3164 tag), in
	// process.name.
	App stringList `yaml:"app"`
	// Keys must all be present (JSON keys after flattening, key=value keys).
	Keys []string `yaml:"keys"`
	// Contains is a literal the field holds (default _raw: the record
	// after its syslog header).
	Contains string `yaml:"contains"`
	// Regex must match the field.
	Regex string `yaml:"regex"`
	// Field is the field of contains and regex.
	Field string `yaml:"field"`
	// If is a search-language filter.
	If string `yaml:"if"`
}

// stringList accepts one string or a list.
type stringList []string

func (l *stringList) UnmarshalYAML(unmarshal func(any) error) error {
	var one string
	if err := unmarshal(&one); err == nil {
		*l = []string{one}
		return nil
	}
	var many []string
	if err := unmarshal(&many); err != nil {
		return err
	}
	*l = many
	return nil
}

// selector is a compiled matchSpec: its tests, cheap ones first, and its
// gate, the cheap necessary condition the set indexes it by.
type selector struct {
	tests []func(e *event.Event, c *selCache) bool
	gate  gate
}

func (s *selector) matches(e *event.Event, c *selCache) bool {
	for _, t := range s.tests {
		if !t(e, c) {
			return false
		}
	}
	return true
}

// gateKind says which index of the set finds a selector.
type gateKind uint8

const (
	gateNone    gateKind = iota // tried for every event
	gateVendor                  // CEF/LEEF vendor (lower case)
	gateProduct                 // CEF/LEEF product, when no vendor is given
	gateAnyCEF                  // any CEF or LEEF record
	gateApp                     // one of names, the program (lower case)
	gateKey                     // the field key is present
	gateFirst                   // the text of field starts with bytes of prefix
	gateLiteral                 // the text of field contains literal
)

// gate is what a record must have for a selector to be worth trying: the
// most selective of its tests that an index can answer for all selectors
// at once.
type gate struct {
	kind    gateKind
	names   []string // vendor, product or apps, lower case
	key     string
	field   string // of first and literal: "" is the record body (_raw)
	prefix  bytePrefix
	literal string
}

// selCache holds what selection computes once per event for all
// pipelines: the record text after its syslog header, the program name,
// which of the keys that selectors name are present (one pass over the
// fields, instead of a scan per key per pipeline), and the candidate
// selectors.
type selCache struct {
	rec      string // recordText, set with raw
	raw      string
	rawOK    bool
	rawDone  bool
	prog     string
	progOK   bool
	progDone bool
	keys     [maxKeyBits / 64]uint64
	keysDone bool
	// special holds where the fields selection reads for every event are
	// in e.Fields (index+1; 0: absent), found in the pass over the keys.
	special [numSpecial]int32
	cefDone bool
	cef     bool
	// cand is a bit set over the set's selectors; litDone and litFound
	// over its literals: looked for, and found.
	cand, litDone, litFound []uint64
}

// reset empties c for a new event, keeping the bit sets' storage.
func (c *selCache) reset(selectors, literals int) {
	cand, done, found := c.cand, c.litDone, c.litFound
	*c = selCache{cand: bitSet(cand, selectors), litDone: bitSet(done, literals), litFound: bitSet(found, literals)}
}

// bitSet returns an empty bit set of n bits, in b's storage when it fits.
func bitSet(b []uint64, n int) []uint64 {
	w := (n + 63) / 64
	if cap(b) < w {
		return make([]uint64, w)
	}
	b = b[:w]
	clear(b)
	return b
}

// The fields selection reads for every event: found in the pass that
// fills the key bits (they take bits 0 to numSpecial-1), not by a scan of
// the fields each.
const (
	specProgram    = iota // process.name
	specVendor            // observer.vendor
	specProduct           // observer.product
	specCEF               // cef.version
	specLEEF              // leef.version
	specSyslog5424        // log.syslog.version
	specHost              // host.hostname
	specKind              // event.kind
	specMessage           // message, the field of many regex selectors
	numSpecial
)

var specialNames = [numSpecial]string{"process.name", "observer.vendor", "observer.product", "cef.version", "leef.version", "log.syslog.version", "host.hostname", "event.kind", "message"}

func init() {
	for i, n := range specialNames {
		if keyBit(n) != i {
			panic("ingest: selection's special fields must take the first key bits")
		}
	}
}

// maxKeyBits bounds the keys selection tracks in the per-event bit set;
// keys beyond it are looked up in the event.
const maxKeyBits = 512

// keyIndex interns the key names of keys selectors. keys is what the
// selection of each event reads, without a lock: a snapshot of the names
// in a nameTable, and a Bloom-like filter over (length, first and last
// byte) of the names, so that filling an event's bits looks up only the
// few fields whose names could be one. keyBit, at compile time, publishes
// a new snapshot.
var (
	keyMu    sync.Mutex
	keyIndex = map[string]int{}
	keys     atomic.Pointer[keySnapshot]
)

type keySnapshot struct {
	filter [16]uint64
	table  *nameTable[int]
}

func keyHash(n string) uint {
	return (uint(len(n))*131 ^ uint(n[0])*31 ^ uint(n[len(n)-1])) & 1023
}

// keyBit interns a key name of a keys selector; -1 when the set is full or
// the name is an envelope field (not in Fields).
func keyBit(name string) int {
	if event.IsEnvelope(name) || name == "" {
		return -1
	}
	keyMu.Lock()
	defer keyMu.Unlock()
	if i, ok := keyIndex[name]; ok {
		return i
	}
	if len(keyIndex) >= maxKeyBits {
		return -1
	}
	keyIndex[name] = len(keyIndex)
	next := &keySnapshot{table: newNameTable(keyIndex)}
	if old := keys.Load(); old != nil {
		next.filter = old.filter
	}
	h := keyHash(name)
	next.filter[h>>6] |= 1 << (h & 63)
	keys.Store(next)
	return len(keyIndex) - 1
}

func (c *selCache) has(e *event.Event, bit int, name string) bool {
	if bit < 0 {
		return e.Has(name)
	}
	c.fillKeys(e)
	return c.keys[bit>>6]&(1<<(bit&63)) != 0
}

// fillKeys sets the bits of the selector keys e has, once.
func (c *selCache) fillKeys(e *event.Event) {
	if c.keysDone {
		return
	}
	snap := keys.Load()
	if snap == nil {
		c.keysDone = true
		return
	}
	for i := range e.Fields {
		n := e.Fields[i].Name
		if n == "" {
			continue
		}
		if h := keyHash(n); snap.filter[h>>6]&(1<<(h&63)) == 0 {
			continue
		}
		if p := snap.table.get(n); p != nil {
			b := *p
			c.keys[b>>6] |= 1 << (b & 63)
			if b < numSpecial && c.special[b] == 0 { // the first, as Get finds
				c.special[b] = int32(i + 1)
			}
		}
	}
	c.keysDone = true
}

// field returns the value of a special field.
func (c *selCache) field(e *event.Event, spec int) (event.Value, bool) {
	c.fillKeys(e)
	if i := c.special[spec]; i > 0 {
		return e.Fields[i-1].Value, true
	}
	return event.Value{}, false
}

// str returns the text of a special field ("" when absent).
func (c *selCache) str(e *event.Event, spec int) string {
	v, ok := c.field(e, spec)
	if !ok {
		return ""
	}
	if k := v.Kind(); k == event.KindString || k == event.KindIP {
		return v.Str()
	}
	return v.Text()
}

func (c *selCache) program(e *event.Event) (string, bool) {
	if !c.progDone {
		if _, ok := c.field(e, specProgram); ok {
			c.prog, c.progOK = c.str(e, specProgram), true
		}
		c.progDone = true
	}
	return c.prog, c.progOK
}

func (c *selCache) body(e *event.Event) (string, bool) {
	if !c.rawDone {
		c.rawDone = true
		s := recordText(e)
		c.rec = s
		c.rawOK = s != ""
		if s == "" || (s[0] != '<' && !mayBeHeader(s)) {
			c.raw = s
		} else {
			_, rfc5424 := c.field(e, specSyslog5424)
			c.raw = bodyOf(s, rfc5424, c.str(e, specProgram), c.str(e, specHost))
		}
	}
	return c.raw, c.rawOK
}

// record is recordText of e, found once per event.
func (c *selCache) record(e *event.Event) string {
	c.body(e)
	return c.rec
}

// text is the text of a gate's or selector's field: "" and _raw are the
// body.
func (c *selCache) text(e *event.Event, field string) (string, bool) {
	if field == "" || field == FieldRaw {
		return c.body(e)
	}
	if field == event.FieldOriginal {
		s := c.record(e)
		return s, s != ""
	}
	// message and process.name, found in the pass over the keys: text()
	// would look each up again.
	if field == event.FieldMessage || field == specialNames[specProgram] {
		spec := specMessage
		if field != event.FieldMessage {
			spec = specProgram
		}
		v, ok := c.field(e, spec)
		switch {
		case !ok && spec == specMessage:
			return body(e) // as text() does
		case !ok:
			return "", false
		}
		if k := v.Kind(); k == event.KindString || k == event.KindIP {
			return v.Str(), true
		}
		return v.Text(), true
	}
	return text(e, field)
}

// isCEF reports whether e is a CEF or LEEF record. The CEF parser sets
// cef.version. The LEEF parser keeps the header's vendor and product in
// observer.*, as CEF does, but no version: a record is LEEF when its
// original holds a LEEF header ("LEEF:1.0|VENDOR|…", after a syslog header
// or not) whose vendor is observer.vendor.
func (c *selCache) isCEF(e *event.Event) bool {
	if !c.cefDone {
		c.cefDone = true
		_, cef := c.field(e, specCEF)
		_, leef := c.field(e, specLEEF)
		c.cef = cef || leef || isLEEF(c.record(e), c.str(e, specVendor))
	}
	return c.cef
}

// isLEEF reports whether s holds a LEEF header naming vendor.
func isLEEF(s, vendor string) bool {
	if vendor == "" {
		return false
	}
	for {
		i := strings.Index(s, "LEEF:")
		if i < 0 {
			return false
		}
		s = s[i+len("LEEF:"):]
		v, rest, ok := strings.Cut(s, "|")
		if ok && len(v) <= 3 && strings.HasPrefix(rest, vendor) && strings.HasPrefix(rest[len(vendor):], "|") {
			return true
		}
	}
}

func compileSelector(m matchSpec) (selector, error) {
	var s selector
	var gates []gate // candidates, most selective first
	if m.CEF != nil {
		// Neither vendor nor product: any CEF or LEEF record.
		vendor, product := m.CEF.Vendor, m.CEF.Product
		s.tests = append(s.tests, func(e *event.Event, c *selCache) bool {
			return c.isCEF(e) &&
				(vendor == "" || strings.EqualFold(c.str(e, specVendor), vendor)) &&
				(product == "" || strings.EqualFold(c.str(e, specProduct), product))
		})
		switch {
		case vendor != "":
			gates = append(gates, gate{kind: gateVendor, names: []string{strings.ToLower(vendor)}})
		case product != "":
			gates = append(gates, gate{kind: gateProduct, names: []string{strings.ToLower(product)}})
		default:
			gates = append(gates, gate{kind: gateAnyCEF})
		}
	}
	if len(m.App) > 0 {
		apps := m.App
		s.tests = append(s.tests, func(e *event.Event, c *selCache) bool {
			name, ok := c.program(e)
			if !ok {
				return false
			}
			for _, a := range apps {
				if strings.EqualFold(name, a) {
					return true
				}
			}
			return false
		})
		g := gate{kind: gateApp}
		for _, a := range apps {
			g.names = append(g.names, strings.ToLower(a))
		}
		gates = append(gates, g)
	}
	// The key gate is the longest name: short ones (id, type) are in
	// many records.
	keyName := ""
	for _, k := range m.Keys {
		bit := keyBit(k)
		s.tests = append(s.tests, func(e *event.Event, c *selCache) bool { return c.has(e, bit, k) })
		if bit >= 0 && len(k) > len(keyName) {
			keyName = k
		}
	}
	if keyName != "" {
		gates = append(gates, gate{kind: gateKey, key: keyName})
	}
	if m.Field != "" && m.Contains == "" && m.Regex == "" {
		return s, fmt.Errorf("field is for contains and regex")
	}
	field := m.Field
	if field == FieldRaw {
		field = ""
	}
	// gateLits are the literals every record the selector takes holds:
	// the gate is the one cheapest to look for (gateLiteral).
	var gateLits []string
	if m.Contains != "" {
		lit := m.Contains
		plan := planFor(lit)
		s.tests = append(s.tests, func(e *event.Event, c *selCache) bool {
			t, ok := c.text(e, field)
			return ok && containsPlan(t, lit, &plan)
		})
		gateLits = append(gateLits, lit)
	}
	if m.Regex != "" {
		re, err := regexp.Compile(m.Regex)
		if err != nil {
			return s, fmt.Errorf("regex: %w", err)
		}
		var matcher interface{ MatchString(string) bool } = re
		if bt := compileBacktracker(re); bt != nil {
			matcher = bt
		}
		// What every match holds, tested before the engine starts: the
		// byte classes of an anchored start (selectPrefix), a literal of two bytes or
		// more (one byte says little, and the engine looks for it fast).
		prefix, anchored := selectPrefix(m.Regex)
		lit := requiredLiteral(m.Regex)
		if len(lit) < 2 {
			lit = ""
		}
		var plan searchPlan
		if lit != "" {
			plan = planFor(lit)
		}
		s.tests = append(s.tests, func(e *event.Event, c *selCache) bool {
			t, ok := c.text(e, field)
			return ok && (!anchored || prefix.accepts(t)) && (lit == "" || containsPlan(t, lit, &plan)) && matcher.MatchString(t)
		})
		if anchored {
			gates = append(gates, gate{kind: gateFirst, field: field, prefix: prefix})
		} else {
			gateLits = append(gateLits, requiredLiterals(m.Regex)...)
		}
	}
	if literal := pickGateLiteral(gateLits); literal != "" {
		gates = append(gates, gate{kind: gateLiteral, field: field, literal: literal})
	}
	if m.If != "" {
		p, err := filter.Parse(m.If)
		if err != nil {
			return s, fmt.Errorf("if: %w", err)
		}
		s.tests = append(s.tests, func(e *event.Event, _ *selCache) bool { return p(e) })
	}
	if len(s.tests) == 0 {
		return s, fmt.Errorf("empty: give cef, app, keys, contains, regex or if")
	}
	if len(gates) > 0 {
		s.gate = gates[0]
	}
	return s, nil
}

// pickGateLiteral picks the literal gate of a selector among literals its
// records hold: the cheapest to look for (bestLiteral). A single byte is
// a gate only when it is a rare one (an upper-case letter, most
// punctuation: the % of a Cisco message id), which the CPU's byte search
// finds or rules out in one pass; a common one would pass most records.
func pickGateLiteral(lits []string) string {
	var keep []string
	for _, l := range lits {
		if len(l) >= 2 || len(l) == 1 && byteScore(l[0]) <= 2 {
			keep = append(keep, l)
		}
	}
	return bestLiteral(keep, 1)
}
