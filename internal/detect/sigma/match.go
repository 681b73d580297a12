package sigma

import (
	"math"
	"net/netip"
	"regexp"
	"strconv"
	"strings"
	"time"
	"unicode/utf8"

	"github.com/vigilsiem/vigil/internal/event"
)

// node is a compiled piece of a rule's detection.
type node interface {
	eval(v *view) bool
}

type andNode []node

func (n andNode) eval(v *view) bool {
	for _, c := range n {
		if !c.eval(v) {
			return false
		}
	}
	return true
}

type orNode []node

func (n orNode) eval(v *view) bool {
	for _, c := range n {
		if c.eval(v) {
			return true
		}
	}
	return false
}

type notNode struct{ n node }

func (n notNode) eval(v *view) bool { return !n.n.eval(v) }

// atLeastNode is `N of x*` for N between 1 and all.
type atLeastNode struct {
	n        int
	children []node
}

func (n atLeastNode) eval(v *view) bool {
	hits := 0
	for i, c := range n.children {
		if c.eval(v) {
			hits++
			if hits >= n.n {
				return true
			}
		}
		if hits+len(n.children)-i-1 < n.n {
			return false
		}
	}
	return false
}

// strNode matches a field against string patterns: any of them (or all,
// with the `all` modifier). Patterns without wildcards that must equal the
// whole value are looked up in a set when there are many.
type strNode struct {
	acc   int32
	ms    []strMatcher
	eqSet map[string]struct{} // the strEqual matchers of ms, when OR-linked and many
	all   bool
	cased bool
	// absent is the result for an absent field: true when a value is ''
	// (OR) or every value is '' (AND).
	absent bool
}

func (n *strNode) eval(v *view) bool {
	a := v.get(n.acc)
	if !a.present {
		return n.absent
	}
	if a.v.Kind() == event.KindList {
		for _, s := range a.v.List() {
			if !n.cased {
				s = lower(s)
			}
			if n.matchText(s) {
				return true
			}
		}
		return false
	}
	if a.v.Kind() == event.KindNull {
		return n.absent
	}
	var s string
	if n.cased {
		s = a.textOf()
	} else {
		s = a.lowerOf()
	}
	return n.matchText(s)
}

func (n *strNode) matchText(s string) bool {
	if n.all {
		for i := range n.ms {
			if !n.ms[i].match(s) {
				return false
			}
		}
		return true
	}
	if n.eqSet != nil {
		if _, ok := n.eqSet[s]; ok {
			return true
		}
	}
	for i := range n.ms {
		if n.eqSet != nil && n.ms[i].kind == strEqual {
			continue
		}
		if n.ms[i].match(s) {
			return true
		}
	}
	return false
}

// valueMatcher tests one value of a present field.
type valueMatcher interface {
	match(a *accVal, v *view) bool
}

// fieldNode matches a field against typed values (numbers, regular
// expressions, CIDR ranges, null, booleans, field references…): any of them,
// or all with the `all` modifier.
type fieldNode struct {
	acc    int32
	ms     []valueMatcher
	all    bool
	absent bool // result for an absent field (null matches it)
}

func (n *fieldNode) eval(v *view) bool {
	a := v.get(n.acc)
	if !a.present {
		return n.absent
	}
	if n.all {
		for _, m := range n.ms {
			if !m.match(a, v) {
				return false
			}
		}
		return true
	}
	for _, m := range n.ms {
		if m.match(a, v) {
			return true
		}
	}
	return false
}

// existsNode is `field|exists: true/false`.
type existsNode struct {
	acc  int32
	want bool
}

func (n existsNode) eval(v *view) bool { return v.get(n.acc).present == n.want }

// nullMatcher matches a null or empty value (absence is handled by
// fieldNode.absent).
type nullMatcher struct{}

func (nullMatcher) match(a *accVal, _ *view) bool { return a.isEmpty() }

// boolMatcher matches a boolean value, or text that spells it.
type boolMatcher struct{ b bool }

func (m boolMatcher) match(a *accVal, _ *view) bool {
	if a.v.Kind() == event.KindBool {
		return a.v.Bool() == m.b
	}
	return strings.EqualFold(a.textOf(), strconv.FormatBool(m.b))
}

// cmpOp is a numeric comparison.
type cmpOp uint8

const (
	cmpEq cmpOp = iota
	cmpNeq
	cmpLt
	cmpLte
	cmpGt
	cmpGte
)

func (op cmpOp) apply(x, y float64) bool {
	switch op {
	case cmpEq:
		return x == y
	case cmpNeq:
		return x != y
	case cmpLt:
		return x < y
	case cmpLte:
		return x <= y
	case cmpGt:
		return x > y
	}
	return x >= y
}

// numMatcher compares a field with a number. Numeric fields and text that
// parses as a number compare numerically; other text equals the number only
// when it spells it (cmpEq) and never orders.
type numMatcher struct {
	op   cmpOp
	num  float64
	text string // the number as written in the rule
}

func (m numMatcher) match(a *accVal, _ *view) bool {
	if x, ok := numberOf(a); ok {
		return m.op.apply(x, m.num)
	}
	switch m.op {
	case cmpEq:
		return strings.EqualFold(a.textOf(), m.text)
	case cmpNeq:
		return !strings.EqualFold(a.textOf(), m.text)
	}
	return false
}

// numberOf returns the numeric value of a field: ints and floats as they
// are, text when it is a decimal number (or 0x hex, as Windows writes
// many ids and masks).
func numberOf(a *accVal) (float64, bool) {
	switch a.v.Kind() {
	case event.KindInt:
		return float64(a.v.Int()), true
	case event.KindFloat:
		return a.v.Float(), true
	case event.KindBool:
		return 0, false
	case event.KindString:
		return parseNumber(a.v.Str())
	}
	return 0, false
}

func parseNumber(s string) (float64, bool) {
	s = strings.TrimSpace(s)
	if s == "" {
		return 0, false
	}
	if len(s) > 2 && s[0] == '0' && (s[1] == 'x' || s[1] == 'X') {
		u, err := strconv.ParseUint(s[2:], 16, 64)
		if err != nil {
			return 0, false
		}
		return float64(u), true
	}
	c := s[0]
	if !(c >= '0' && c <= '9') && c != '-' && c != '+' && c != '.' {
		return 0, false
	}
	f, err := strconv.ParseFloat(s, 64)
	if err != nil || math.IsNaN(f) || math.IsInf(f, 0) {
		return 0, false
	}
	return f, true
}

// neqStrMatcher is `field|neq: text`: present and different.
type neqStrMatcher struct{ m strMatcher }

func (n neqStrMatcher) match(a *accVal, _ *view) bool {
	if n.m.cased {
		return !n.m.match(a.textOf())
	}
	return !n.m.match(a.lowerOf())
}

// reMatcher is `field|re`: the expression is searched anywhere in the text.
// lits, when set, are literals one of which any match contains (lower-cased):
// checking them first spares most runs of the expression.
type reMatcher struct {
	re   *regexp.Regexp
	lits []string
}

func (m reMatcher) match(a *accVal, _ *view) bool {
	if a.v.Kind() == event.KindList {
		for _, s := range a.v.List() {
			if m.re.MatchString(s) {
				return true
			}
		}
		return false
	}
	if len(m.lits) > 0 {
		s := a.lowerOf()
		found := false
		for _, l := range m.lits {
			if strings.Contains(s, l) {
				found = true
				break
			}
		}
		if !found {
			return false
		}
	}
	return m.re.MatchString(a.textOf())
}

// runMatcher is an expression that only asks for a run of n characters
// other than newline (`.{n,}`), or n characters at all with the s flag.
type runMatcher struct {
	n     int
	dotNL bool
}

func (m runMatcher) match(a *accVal, _ *view) bool {
	s := a.textOf()
	if m.dotNL {
		return utf8.RuneCountInString(s) >= m.n
	}
	for _, line := range strings.Split(s, "\n") {
		if utf8.RuneCountInString(line) >= m.n {
			return true
		}
	}
	return false
}

// cidrMatcher is `field|cidr`.
type cidrMatcher struct{ p netip.Prefix }

func (m cidrMatcher) match(a *accVal, _ *view) bool {
	if a.v.Kind() == event.KindList {
		for _, s := range a.v.List() {
			if ip, err := netip.ParseAddr(strings.TrimSpace(s)); err == nil && m.p.Contains(ip.Unmap()) {
				return true
			}
		}
		return false
	}
	if ip, ok := a.v.Addr(); ok {
		return m.p.Contains(ip)
	}
	ip, err := netip.ParseAddr(strings.TrimSpace(a.textOf()))
	return err == nil && m.p.Contains(ip.Unmap())
}

// fieldrefMatcher is `field|fieldref: other`: the field compared with
// another field of the same event.
type fieldrefMatcher struct {
	other int32
	kind  strKind // strEqual, strPrefix, strSuffix or strContains
	cased bool
	neq   bool
}

func (m fieldrefMatcher) match(a *accVal, v *view) bool {
	b := v.get(m.other)
	if !b.present {
		return false
	}
	var x, y string
	if m.cased {
		x, y = a.textOf(), b.textOf()
	} else {
		x, y = a.lowerOf(), b.lowerOf()
	}
	var ok bool
	switch m.kind {
	case strPrefix:
		ok = strings.HasPrefix(x, y)
	case strSuffix:
		ok = strings.HasSuffix(x, y)
	case strContains:
		ok = strings.Contains(x, y)
	default:
		ok = x == y
	}
	return ok != m.neq
}

// timePart is a time modifier: the part of a time field compared.
type timePart uint8

const (
	partMinute timePart = iota + 1
	partHour
	partDay
	partWeek
	partMonth
	partYear
)

// timeMatcher is `field|hour: 3` and the like, optionally with a
// comparison modifier.
type timeMatcher struct {
	part timePart
	op   cmpOp
	num  float64
}

func (m timeMatcher) match(a *accVal, _ *view) bool {
	var t time.Time
	switch a.v.Kind() {
	case event.KindTime:
		t = a.v.Time()
	default:
		var err error
		if t, err = event.ParseTime(a.textOf()); err != nil {
			return false
		}
	}
	var x int
	switch m.part {
	case partMinute:
		x = t.Minute()
	case partHour:
		x = t.Hour()
	case partDay:
		x = t.Day()
	case partWeek:
		_, x = t.ISOWeek()
	case partMonth:
		x = int(t.Month())
	default:
		x = t.Year()
	}
	return m.op.apply(float64(x), m.num)
}

// keywordNode is an unnamed search: the patterns are looked for in every
// field of the event (any of them, or all with `|all`).
type keywordNode struct {
	ms  []strMatcher // contains-shaped, lower-cased unless cased
	res []*regexp.Regexp
	all bool
}

func (n *keywordNode) eval(v *view) bool {
	texts := v.keywordTexts()
	one := func(i int) bool {
		if i < len(n.ms) {
			m := &n.ms[i]
			if m.cased {
				return keywordCased(v, m)
			}
			for _, s := range texts {
				if m.match(s) {
					return true
				}
			}
			return false
		}
		re := n.res[i-len(n.ms)]
		if v.e.Original != "" && re.MatchString(v.e.Original) {
			return true
		}
		for _, f := range v.e.Fields {
			if f.Value.Kind() == event.KindString && re.MatchString(f.Value.Str()) {
				return true
			}
		}
		return false
	}
	total := len(n.ms) + len(n.res)
	for i := 0; i < total; i++ {
		hit := one(i)
		if n.all && !hit {
			return false
		}
		if !n.all && hit {
			return true
		}
	}
	return n.all
}

func keywordCased(v *view, m *strMatcher) bool {
	if v.e.Original != "" && m.match(v.e.Original) {
		return true
	}
	for _, f := range v.e.Fields {
		if f.Value.Kind() == event.KindString && m.match(f.Value.Str()) {
			return true
		}
	}
	return false
}
