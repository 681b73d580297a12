package sigma

import (
	"encoding/base64"
	"strings"
	"unicode/utf16"
	"unicode/utf8"

	"gopkg.in/yaml.v3"
)

// maxAlternatives bounds the values one field item may expand to (windash
// makes 5^n permutations, placeholders multiply): beyond it the rule is
// rejected rather than compiled into something huge.
const maxAlternatives = 4096

// maxValues bounds all the values of one field item after expansion; plain
// lists of IoCs (hash lists of thousands) stay well below it.
const maxValues = 1 << 16

// svalKind is the YAML type of a rule value.
type svalKind uint8

const (
	vStr svalKind = iota
	vNum
	vBool
	vNull
)

// sval is one rule value on its way through the modifiers.
type sval struct {
	kind svalKind
	raw  string  // the scalar as written
	pat  pattern // vStr
	num  float64 // vNum
	b    bool    // vBool
}

func scalarValue(n *yaml.Node) (sval, error) {
	if n.Kind == yaml.AliasNode && n.Alias != nil {
		n = n.Alias
	}
	if n.Kind != yaml.ScalarNode {
		return sval{}, invalid(ReasonSearch, "line %d: a value must be a scalar, got %s", n.Line, kindName(n))
	}
	switch n.ShortTag() {
	case "!!null":
		return sval{kind: vNull, raw: n.Value}, nil
	case "!!bool":
		var b bool
		if err := n.Decode(&b); err == nil {
			return sval{kind: vBool, raw: n.Value, b: b}, nil
		}
	case "!!int", "!!float":
		if f, ok := parseNumber(n.Value); ok {
			return sval{kind: vNum, raw: n.Value, num: f}, nil
		}
		var f float64
		if err := n.Decode(&f); err == nil {
			return sval{kind: vNum, raw: n.Value, num: f}, nil
		}
	}
	return sval{kind: vStr, raw: n.Value, pat: parsePattern(n.Value)}, nil
}

// asString turns numbers and booleans into string values for modifiers
// that work on text.
func (v sval) asString() sval {
	if v.kind == vStr {
		return v
	}
	return sval{kind: vStr, raw: v.raw, pat: literalPattern(v.raw)}
}

// modifiers are the parsed modifiers of one field item.
type modifiers struct {
	all, cased, exists, re, cidr, fieldref, expand, watchlist bool
	reFlags                                                   string
	cmp                                                       cmpOp
	hasCmp                                                    bool
	part                                                      timePart
	// fieldref with contains/startswith/endswith
	refBefore, refAfter bool
	// string transformations, in order
	transforms []string
}

var timeParts = map[string]timePart{
	"minute": partMinute, "hour": partHour, "day": partDay,
	"week": partWeek, "month": partMonth, "year": partYear,
}

func parseModifiers(mods []string) (modifiers, error) {
	var m modifiers
	for _, mod := range mods {
		switch mod {
		case "contains", "startswith", "endswith", "base64", "base64offset",
			"wide", "utf16le", "utf16be", "utf16", "windash":
			m.transforms = append(m.transforms, mod)
		case "expand":
			m.expand = true
			m.transforms = append(m.transforms, mod)
		case "all":
			m.all = true
		case "cased":
			m.cased = true
		case "exists":
			m.exists = true
		case "re":
			m.re = true
		case "i", "ignorecase", "m", "multiline", "s", "dotall":
			if !m.re {
				return m, invalid(ReasonModifier, "regular expression flag %q without re", mod)
			}
			m.reFlags += mod[:1]
		case "cidr":
			m.cidr = true
		case "watchlist":
			m.watchlist = true
		case "fieldref":
			m.fieldref = true
		case "gt", "gte", "lt", "lte", "neq":
			if m.hasCmp {
				return m, invalid(ReasonModifier, "two comparison modifiers")
			}
			m.hasCmp = true
			m.cmp = map[string]cmpOp{"gt": cmpGt, "gte": cmpGte, "lt": cmpLt, "lte": cmpLte, "neq": cmpNeq}[mod]
		case "minute", "hour", "day", "week", "month", "year":
			m.part = timeParts[mod]
		default:
			return m, invalid(ReasonModifier, "unknown modifier %q", mod)
		}
	}
	if m.re && len(m.transforms) > 0 {
		return m, invalid(ReasonModifier, "re cannot be combined with %s", m.transforms[0])
	}
	if m.fieldref {
		var rest []string
		for _, t := range m.transforms {
			switch t {
			case "contains":
				m.refBefore, m.refAfter = true, true
			case "startswith":
				m.refAfter = true
			case "endswith":
				m.refBefore = true
			default:
				rest = append(rest, t)
			}
		}
		if len(rest) > 0 {
			return m, invalid(ReasonModifier, "fieldref cannot be combined with %s", rest[0])
		}
		m.transforms = nil
	}
	if m.watchlist && len(mods) > 1 {
		return m, invalid(ReasonModifier, "watchlist is used alone, not with %s", strings.Join(mods, "|"))
	}
	special := 0
	for _, b := range []bool{m.exists, m.re, m.cidr, m.fieldref, m.part != 0} {
		if b {
			special++
		}
	}
	if special > 1 {
		return m, invalid(ReasonModifier, "incompatible modifiers %s", strings.Join(mods, "|"))
	}
	if m.hasCmp && (m.exists || m.re || m.cidr) {
		return m, invalid(ReasonModifier, "comparison cannot be combined with %s", strings.Join(mods, "|"))
	}
	return m, nil
}

// transform applies the string transformations to every value; each value
// becomes a group of alternatives (OR-linked).
func (c *compileCtx) transform(vals []sval, m modifiers) ([][]sval, error) {
	groups := make([][]sval, len(vals))
	total := 0
	for i, v := range vals {
		alts := []sval{v}
		for _, t := range m.transforms {
			var next []sval
			for _, a := range alts {
				if a.kind == vNull {
					return nil, invalid(ReasonValue, "modifier %s on a null value", t)
				}
				a = a.asString()
				out, err := c.apply(t, a)
				if err != nil {
					return nil, err
				}
				next = append(next, out...)
				if len(next) > maxAlternatives {
					return nil, unsupported(ReasonExpansionSize, "%s expands to more than %d values", t, maxAlternatives)
				}
			}
			alts = next
		}
		total += len(alts)
		if total > maxValues {
			return nil, unsupported(ReasonExpansionSize, "the values expand to more than %d alternatives", maxValues)
		}
		groups[i] = alts
	}
	return groups, nil
}

func (c *compileCtx) apply(t string, v sval) ([]sval, error) {
	str := func(p pattern) sval { return sval{kind: vStr, raw: v.raw, pat: p} }
	switch t {
	case "contains":
		return []sval{str(v.pat.wrap(true, true))}, nil
	case "startswith":
		return []sval{str(v.pat.wrap(false, true))}, nil
	case "endswith":
		return []sval{str(v.pat.wrap(true, false))}, nil
	case "base64", "base64offset":
		if v.pat.hasWildcards() {
			return nil, invalid(ReasonValue, "%s of a value with wildcards (%q)", t, v.raw)
		}
		b := []byte(v.pat.plain())
		if t == "base64" {
			return []sval{str(literalPattern(base64.StdEncoding.EncodeToString(b)))}, nil
		}
		return base64Offsets(b, str), nil
	case "wide", "utf16le":
		return []sval{str(v.pat.mapLiterals(func(s string) string { return encodeUTF16(s, false, false) }))}, nil
	case "utf16be":
		return []sval{str(v.pat.mapLiterals(func(s string) string { return encodeUTF16(s, true, false) }))}, nil
	case "utf16":
		p := v.pat.mapLiterals(func(s string) string { return encodeUTF16(s, false, false) })
		return []sval{str(append(pattern{{lit: "\xff\xfe"}}, p...))}, nil
	case "windash":
		ps := windash(v.pat)
		if len(ps) > maxAlternatives {
			return nil, unsupported(ReasonExpansionSize, "windash of %q has %d permutations", v.raw, len(ps))
		}
		out := make([]sval, len(ps))
		for i, p := range ps {
			out[i] = str(p)
		}
		return out, nil
	case "expand":
		return c.expand(v, str)
	}
	return nil, invalid(ReasonModifier, "unknown modifier %q", t)
}

// base64Offsets encodes b at the three offsets it can start at inside a
// longer base64 string and keeps the characters that do not depend on the
// neighbouring bytes (pySigma's base64offset).
func base64Offsets(b []byte, str func(pattern) sval) []sval {
	starts := [3]int{0, 2, 3}
	ends := [3]int{0, 3, 2} // characters dropped at the end; 0: none
	var out []sval
	for i := 0; i < 3; i++ {
		// i leading bytes shift b; the characters they touch are cut off
		enc := base64.StdEncoding.EncodeToString(append([]byte(strings.Repeat(" ", i)), b...))
		end := len(enc) - ends[(len(b)+i)%3]
		start := starts[i]
		if start > end {
			start = end
		}
		out = append(out, str(literalPattern(enc[start:end])))
	}
	return out
}

// encodeUTF16 encodes s as UTF-16 (little endian unless be) in a Go string
// of bytes.
func encodeUTF16(s string, be, bom bool) string {
	var b strings.Builder
	if bom {
		b.WriteString("\xff\xfe")
	}
	for _, u := range utf16.Encode([]rune(s)) {
		if be {
			b.WriteByte(byte(u >> 8))
			b.WriteByte(byte(u))
		} else {
			b.WriteByte(byte(u))
			b.WriteByte(byte(u >> 8))
		}
	}
	return b.String()
}

// windashChars are the characters windash makes interchangeable.
var windashChars = []string{"-", "/", "\u2013", "\u2014", "\u2015"}

// windash returns every permutation of dashes and slashes that start an
// option (pySigma's `\B[-/]\b`: after a non-word character or at the start,
// before a word character) replaced by each of windashChars.
func windash(p pattern) []pattern {
	out := []pattern{nil}
	for _, t := range p {
		if t.wild != 0 {
			for i := range out {
				out[i] = append(out[i], t)
			}
			continue
		}
		// split the literal at option dashes
		var pieces []string
		var cur strings.Builder
		s := t.lit
		for i := 0; i < len(s); i++ {
			c := s[i]
			if (c == '-' || c == '/') && (i == 0 || !isWordByte(s[i-1])) && i+1 < len(s) && isWordByte(s[i+1]) {
				pieces = append(pieces, cur.String())
				cur.Reset()
				continue
			}
			cur.WriteByte(c)
		}
		pieces = append(pieces, cur.String())
		lits := []string{pieces[0]}
		for _, piece := range pieces[1:] {
			next := make([]string, 0, len(lits)*len(windashChars))
			for _, l := range lits {
				for _, d := range windashChars {
					next = append(next, l+d+piece)
				}
			}
			lits = next
			if len(lits)*len(out) > maxAlternatives*len(windashChars) {
				break
			}
		}
		var grown []pattern
		for _, o := range out {
			for _, l := range lits {
				np := append(append(pattern(nil), o...), ptok{lit: l})
				grown = append(grown, np)
			}
		}
		out = grown
	}
	return out
}

func isWordByte(c byte) bool {
	return c == '_' || (c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z') || (c >= '0' && c <= '9') || c >= utf8.RuneSelf
}

// expand replaces %name% placeholders with the values configured for them;
// each combination becomes an alternative. `\%` is a literal percent sign.
func (c *compileCtx) expand(v sval, str func(pattern) sval) ([]sval, error) {
	alts := []pattern{nil}
	for _, t := range v.pat {
		if t.wild != 0 {
			for i := range alts {
				alts[i] = append(alts[i], t)
			}
			continue
		}
		s := t.lit
		for len(s) > 0 {
			i := strings.IndexByte(s, '%')
			if i < 0 {
				alts = appendLit(alts, s)
				break
			}
			if i > 0 && s[i-1] == '\\' {
				alts = appendLit(alts, s[:i-1]+"%")
				s = s[i+1:]
				continue
			}
			j := strings.IndexByte(s[i+1:], '%')
			if j < 0 {
				alts = appendLit(alts, s)
				break
			}
			name := s[i+1 : i+1+j]
			vals, ok := c.cfg.Placeholders[name]
			if !ok {
				return nil, unsupported(ReasonPlaceholder, "placeholder %%%s%% has no configured values", name)
			}
			if len(vals) == 0 {
				return nil, unsupported(ReasonPlaceholder, "placeholder %%%s%% is configured with no values", name)
			}
			alts = appendLit(alts, s[:i])
			var next []pattern
			for _, a := range alts {
				for _, pv := range vals {
					next = append(next, append(append(pattern(nil), a...), parsePattern(pv)...))
				}
			}
			if len(next) > maxAlternatives {
				return nil, unsupported(ReasonExpansionSize, "placeholders of %q expand to more than %d values", v.raw, maxAlternatives)
			}
			alts = next
			s = s[i+2+j:]
		}
	}
	out := make([]sval, len(alts))
	for i, a := range alts {
		out[i] = str(a)
	}
	return out, nil
}

func appendLit(alts []pattern, s string) []pattern {
	if s == "" {
		return alts
	}
	for i := range alts {
		alts[i] = append(alts[i], ptok{lit: s})
	}
	return alts
}
