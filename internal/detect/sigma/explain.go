package sigma

import (
	"unicode/utf8"

	"github.com/vigilsiem/vigil/internal/event"
)

// Explanations say why a rule matched an event: which of its searches
// (selections) matched, and per field item the rule's field name, its
// modifiers and the event's value. They are computed after the fact, by
// evaluating the matched rule's searches again on that one event, so
// matching itself pays nothing for them: only events that matched a rule
// are explained.

// MaxExplainValue bounds the length of an explained value (bytes): a
// matched command line or URL is kept whole in the event; the explanation
// only needs enough of it to be read in an alert list.
const MaxExplainValue = 512

// MaxExplainFields bounds the field items explained per search: a search
// with a hundred items says enough with its first matching ones.
const MaxExplainFields = 32

// Explanation is why a rule matched an event.
type Explanation struct {
	// Selections are the searches of the rule that matched, in the order
	// the condition names them.
	Selections []SelectionMatch `json:"selections"`
}

// SelectionMatch is one search (selection) that matched.
type SelectionMatch struct {
	Name   string       `json:"name"`
	Fields []FieldMatch `json:"fields"`
}

// FieldMatch is one field item of a search that matched.
type FieldMatch struct {
	// Field is the field as the rule names it ("" for a keyword search).
	Field string `json:"field"`
	// Modifier is the item's modifiers joined with | ("contains|all").
	Modifier string `json:"modifier,omitempty"`
	// Value is the event's value (cut at MaxExplainValue bytes).
	Value string `json:"value"`
	// EventField is the event field the value was read from, when it
	// differs from Field (a Windows name mapped to its event field, or
	// the field a keyword was found in).
	EventField string `json:"event_field,omitempty"`
}

// explSearch is one compiled search of a variant.
type explSearch struct {
	name  string
	n     node
	items []explItem
}

// explItem is one `field|modifiers: values` item of a search.
type explItem struct {
	field, mods string
	acc         int32 // -1: a keyword search
	n           node
}

// record notes an item of the search being compiled.
func (c *compileCtx) record(it explItem) {
	if c.cur == "" {
		return
	}
	if c.items == nil {
		c.items = map[string][]explItem{}
	}
	c.items[c.cur] = append(c.items[c.cur], it)
}

// explSearches returns the searches compiled for the current variant.
func (c *compileCtx) explSearches() []explSearch {
	out := make([]explSearch, len(c.order))
	for i, s := range c.order {
		out[i] = explSearch{name: s.name, n: s.n, items: c.items[s.name]}
	}
	return out
}

// Explain says why rule r matched event e. It reports false when r is not
// in the set or does not match e. It is safe for concurrent use.
func (rs *RuleSet) Explain(r *Rule, e *event.Event) (Explanation, bool) {
	c := rs.byRule[r]
	if c == nil {
		return Explanation{}, false
	}
	v := rs.pool.Get().(*view)
	defer func() { v.e = nil; rs.pool.Put(v) }()
	v.reset(e)
	for _, vr := range c.variants {
		if v.applies(vr) && vr.root.eval(v) {
			return v.explain(vr), true
		}
	}
	return Explanation{}, false
}

// applies reports whether the event is one variant vr sees, as the rule
// set's index decides in match.
func (v *view) applies(vr *variant) bool {
	ch := v.get(v.rs.cls.channel)
	if !vr.windows {
		return v.classify(ch.present).fits(vr.ls)
	}
	if !ch.present || (len(vr.channels) > 0 && !containsFold(vr.channels, ch.textOf())) {
		return false
	}
	if len(vr.eventIDs) > 0 {
		id, ok := v.eventID()
		return ok && containsID(vr.eventIDs, id)
	}
	return true
}

func (v *view) explain(vr *variant) Explanation {
	ex := Explanation{Selections: []SelectionMatch{}}
	for _, s := range vr.searches {
		if !s.n.eval(v) {
			continue
		}
		sm := SelectionMatch{Name: s.name, Fields: []FieldMatch{}}
		for _, it := range s.items {
			if len(sm.Fields) >= MaxExplainFields {
				break
			}
			if !it.n.eval(v) {
				continue
			}
			if it.acc < 0 {
				sm.Fields = append(sm.Fields, v.keywordField(it))
				continue
			}
			fm := FieldMatch{Field: it.field, Modifier: it.mods}
			if name, val, ok := v.source(it.acc); ok {
				fm.Value = cut(val.Text())
				if name != it.field {
					fm.EventField = name
				}
			}
			sm.Fields = append(sm.Fields, fm)
		}
		ex.Selections = append(ex.Selections, sm)
	}
	return ex
}

// source returns the event field accessor a reads, and its value.
func (v *view) source(a int32) (string, event.Value, bool) {
	acc := &v.rs.accs[a]
	for i, c := range acc.cands {
		if p := v.pos[c]; p.gen == v.gen {
			return acc.names[i], v.e.Fields[p.idx].Value, true
		}
		if name := acc.names[i]; isEnvelopeName(name) {
			if val, ok := v.e.Get(name); ok {
				return name, val, true
			}
		}
	}
	return "", event.Value{}, false
}

// keywordField finds the field a keyword search matched in.
func (v *view) keywordField(it explItem) FieldMatch {
	fm := FieldMatch{Modifier: it.mods}
	kn, ok := it.n.(*keywordNode)
	if !ok {
		return fm
	}
	hit := func(s string) bool {
		for i := range kn.ms {
			m := &kn.ms[i]
			t := s
			if !m.cased {
				t = lower(s)
			}
			if m.match(t) {
				return true
			}
		}
		for _, re := range kn.res {
			if re.MatchString(s) {
				return true
			}
		}
		return false
	}
	for _, f := range v.e.Fields {
		if f.Value.Kind() == event.KindString && hit(f.Value.Str()) {
			fm.EventField, fm.Value = f.Name, cut(f.Value.Str())
			return fm
		}
	}
	if v.e.Original != "" {
		fm.EventField, fm.Value = "event.original", cut(v.e.Original)
	}
	return fm
}

// cut shortens s to MaxExplainValue bytes at a rune boundary.
func cut(s string) string {
	if len(s) <= MaxExplainValue {
		return s
	}
	i := MaxExplainValue
	for i > 0 && !utf8.RuneStart(s[i]) {
		i--
	}
	return s[:i] + "…"
}
