package correlate

import (
	"encoding/hex"
	"fmt"
	"math"
	"sort"
	"strconv"
	"strings"
	"time"

	"github.com/zeebo/xxh3"

	"github.com/vigilsiem/vigil/internal/alert"
	"github.com/vigilsiem/vigil/internal/detect/sigma"
	"github.com/vigilsiem/vigil/internal/event"
)

// Type is a correlation type.
type Type uint8

// Correlation types.
const (
	EventCount Type = iota + 1
	ValueCount
	Temporal
	TemporalOrdered
)

var typeNames = map[string]Type{sigma.EventCount: EventCount, sigma.ValueCount: ValueCount,
	sigma.Temporal: Temporal, sigma.TemporalOrdered: TemporalOrdered}

func (t Type) String() string {
	for n, v := range typeNames {
		if v == t {
			return n
		}
	}
	return "type(" + strconv.Itoa(int(t)) + ")"
}

// Corr is one compiled correlation rule.
type Corr struct {
	// Rule is the correlation rule as parsed.
	Rule *sigma.Rule
	// Key identifies the correlation's state: its reference and a hash of
	// its definition, so a changed rule starts afresh and an unchanged one
	// keeps its windows across reloads and restarts.
	Key string

	idx      int // in Set.corrs
	typ      Type
	ref      string
	timespan int64
	lo, hi   int64
	ne       []int64
	sliding  bool
	groupBy  []string
	// inputs: per referenced rule, the fields to read for each group-by
	// name and for the value_count field.
	refs  []refInfo
	kinds []entityKind
	// parents are the correlations that reference this one.
	parents []input
	emits   bool
	level   string
}

// Level is the correlation's level: its own, else the highest level of
// the rules it references.
func (c *Corr) Level() string { return c.level }

type refInfo struct {
	name   string   // as written in rules:
	fields []string // per group-by name: the field of the referenced rule's hits
	value  string   // value_count: the field of the distinct values
	// the referenced rule: a detection rule or a correlation
	base  *sigma.Rule
	inner *Corr
}

// input is one place a rule's hits go: reference idx of correlation c.
type input struct {
	c   *Corr
	idx int
}

// Type returns the correlation's type.
func (c *Corr) Type() Type { return c.typ }

// Ref names the correlation in alerts and chained references.
func (c *Corr) Ref() string { return c.ref }

// GroupBy returns the group-by names.
func (c *Corr) GroupBy() []string { return c.groupBy }

// Timespan is the correlation window.
func (c *Corr) Timespan() time.Duration { return time.Duration(c.timespan) }

// Emits reports whether the correlation raises its own alerts: not when
// a correlation that references it says `generate: false`.
func (c *Corr) Emits() bool { return c.emits }

// Sliding reports whether the condition only has a lower bound, so the
// correlation fires as soon as a window of its timespan reaches it;
// otherwise windows are anchored at their first hit and evaluated when
// they close.
func (c *Corr) Sliding() bool { return c.sliding }

// baseInfo is what the set needs of a detection rule it references.
type baseInfo struct {
	ref    string
	emits  bool
	fields []needField
}

// needField is a field the correlations read from a rule's events, with
// the event fields it resolves to.
type needField struct {
	name  string
	cands []string
}

// Set is the compiled correlation rules of one rule generation. It is
// immutable and safe for concurrent use.
type Set struct {
	corrs  []*Corr
	byKey  map[string]*Corr
	base   map[*sigma.Rule]*baseInfo
	inputs map[string][]input // by the Ref of the detection rule whose hits they take
}

// Len is the number of correlations.
func (s *Set) Len() int {
	if s == nil {
		return 0
	}
	return len(s.corrs)
}

// Correlations returns the compiled correlations, in load order.
func (s *Set) Correlations() []*Corr {
	if s == nil {
		return nil
	}
	return s.corrs
}

// Referenced reports whether correlations take r's hits.
func (s *Set) Referenced(r *sigma.Rule) bool {
	if s == nil {
		return false
	}
	_, ok := s.base[r]
	return ok
}

// Emits reports whether detection rule r raises its own alerts: not when
// a correlation referencing it leaves `generate` false (the
// specification's default; pySigma likewise disables a rule's output as
// soon as one referencing correlation does not generate it).
func (s *Set) Emits(r *sigma.Rule) bool {
	if s == nil {
		return true
	}
	b, ok := s.base[r]
	return !ok || b.emits
}

// Project returns the hit of r matching e at time t (the event time the
// caller decided on): the fields the correlations read, copied out of e.
func (s *Set) Project(r *sigma.Rule, e *event.Event, t time.Time) (Hit, bool) {
	if s == nil {
		return Hit{}, false
	}
	b, ok := s.base[r]
	if !ok {
		return Hit{}, false
	}
	tenant := e.Tenant
	if tenant == "" {
		tenant = event.DefaultTenant
	}
	h := Hit{Rule: b.ref, Tenant: tenant, Time: t.UnixNano(), ID: e.ID}
	if len(b.fields) > 0 {
		h.Fields = make([]Field, 0, len(b.fields))
	}
	for _, f := range b.fields {
		for _, c := range f.cands {
			if v, ok := e.Get(c); ok {
				if s := v.Text(); s != "" {
					h.Fields = append(h.Fields, Field{Name: f.name, Value: s})
					break
				}
			}
		}
	}
	return h, true
}

// ruleError makes the rejection of a correlation rule.
func ruleError(r *sigma.Rule, format string, args ...any) error {
	return &sigma.FileError{Path: r.Path, ID: r.ID, Title: r.Title,
		Err: &sigma.RuleError{Reason: sigma.ReasonCorrelation, Detail: fmt.Sprintf(format, args...), Err: sigma.ErrInvalid}}
}

// Compile resolves correlation rules against the detection rules they may
// reference and against each other (chains), and compiles them. A
// correlation that references a rule that is not loaded, is part of a
// reference cycle, or reads a field a chained correlation does not group
// by is rejected with a *sigma.FileError of reason invalid-correlation;
// the others compile.
func Compile(corrs []*sigma.Rule, base []*sigma.Rule) (*Set, []error) {
	s := &Set{byKey: map[string]*Corr{}, base: map[*sigma.Rule]*baseInfo{}, inputs: map[string][]input{}}
	var errs []error
	// references: id and name of every rule
	type target struct {
		base *sigma.Rule
		corr *sigma.Rule
	}
	refs := map[string][]target{}
	addRef := func(key string, t target) {
		if key != "" {
			refs[key] = append(refs[key], t)
		}
	}
	for _, r := range base {
		addRef(r.ID, target{base: r})
		if r.Name != r.ID {
			addRef(r.Name, target{base: r})
		}
	}
	for _, r := range corrs {
		addRef(r.ID, target{corr: r})
		if r.Name != r.ID {
			addRef(r.Name, target{corr: r})
		}
	}
	compiled := map[*sigma.Rule]*Corr{}
	failed := map[*sigma.Rule]bool{}
	pending := append([]*sigma.Rule(nil), corrs...)
	for len(pending) > 0 {
		progress := false
		var next []*sigma.Rule
	rules:
		for _, r := range pending {
			var targets []target
			for _, ref := range r.Correlation.Rules {
				ts := refs[ref]
				switch {
				case len(ts) == 0:
					errs = append(errs, ruleError(r, "rule %q is not loaded (a correlation references rules by id or name)", ref))
					failed[r], progress = true, true
					continue rules
				case len(ts) > 1:
					errs = append(errs, ruleError(r, "reference %q is ambiguous: %d rules have that id or name", ref, len(ts)))
					failed[r], progress = true, true
					continue rules
				}
				t := ts[0]
				if t.corr != nil {
					if t.corr == r {
						errs = append(errs, ruleError(r, "the correlation references itself"))
						failed[r], progress = true, true
						continue rules
					}
					if failed[t.corr] {
						errs = append(errs, ruleError(r, "referenced correlation %q was rejected", ref))
						failed[r], progress = true, true
						continue rules
					}
					if compiled[t.corr] == nil {
						next = append(next, r)
						continue rules
					}
				}
				targets = append(targets, t)
			}
			var inner []*Corr
			var bases []*sigma.Rule
			for _, t := range targets {
				if t.corr != nil {
					inner = append(inner, compiled[t.corr])
					bases = append(bases, nil)
				} else {
					inner = append(inner, nil)
					bases = append(bases, t.base)
				}
			}
			c, err := compileOne(r, bases, inner)
			if err != nil {
				errs = append(errs, err)
				failed[r], progress = true, true
				continue
			}
			compiled[r] = c
			progress = true
		}
		if !progress {
			for _, r := range next {
				errs = append(errs, ruleError(r, "the correlation is part of a reference cycle"))
			}
			break
		}
		pending = next
	}
	// register in load order
	for _, r := range corrs {
		c := compiled[r]
		if c == nil {
			continue
		}
		if other, dup := s.byKey[c.Key]; dup {
			errs = append(errs, ruleError(r, "another correlation (%q) has the same reference and definition", other.Rule.Title))
			continue
		}
		c.idx = len(s.corrs)
		s.corrs = append(s.corrs, c)
		s.byKey[c.Key] = c
	}
	s.link()
	return s, errs
}

// link records, for every referenced rule, where its hits go, which fields
// its hits carry and whether it still raises its own alerts.
func (s *Set) link() {
	for _, c := range s.corrs {
		generate := c.Rule.Correlation.Generate
		for i, ri := range c.refs {
			in := input{c: c, idx: i}
			if ri.inner != nil {
				ri.inner.parents = append(ri.inner.parents, in)
				if !generate {
					ri.inner.emits = false
				}
				continue
			}
			b := s.base[ri.base]
			if b == nil {
				b = &baseInfo{ref: ri.base.Ref(), emits: true}
				s.base[ri.base] = b
			}
			if !generate {
				b.emits = false
			}
			for _, f := range append(append([]string(nil), ri.fields...), ri.value) {
				if f != "" && !b.has(f) {
					b.fields = append(b.fields, needField{name: f, cands: ri.base.FieldNames(f)})
				}
			}
			s.inputs[b.ref] = append(s.inputs[b.ref], in)
		}
	}
}

func (b *baseInfo) has(name string) bool {
	for _, f := range b.fields {
		if f.name == name {
			return true
		}
	}
	return false
}

func compileOne(r *sigma.Rule, bases []*sigma.Rule, inner []*Corr) (*Corr, error) {
	cd := r.Correlation
	typ := typeNames[cd.Type]
	lo, hi, ne, err := cd.Condition.Bounds()
	if err != nil {
		return nil, ruleError(r, "condition: %v", err)
	}
	c := &Corr{Rule: r, typ: typ, ref: r.Ref(), timespan: int64(cd.Timespan), lo: max(lo, 1), hi: hi, ne: ne,
		sliding: hi == math.MaxInt64 && len(ne) == 0, groupBy: cd.GroupBy, emits: true}
	for i, name := range cd.Rules {
		ri := refInfo{name: name, base: bases[i], inner: inner[i]}
		for _, g := range cd.GroupBy {
			ri.fields = append(ri.fields, aliasField(cd, g, name))
		}
		if typ == ValueCount {
			ri.value = aliasField(cd, cd.Field, name)
		}
		if in := inner[i]; in != nil {
			// a chained correlation's hits carry only its group-by values
			for _, f := range append(append([]string(nil), ri.fields...), ri.value) {
				if f != "" && !contains(in.groupBy, f) {
					return nil, ruleError(r, "field %q is not a group-by field of referenced correlation %q (it groups by %s)",
						f, name, strings.Join(in.groupBy, ", "))
				}
			}
		}
		c.refs = append(c.refs, ri)
	}
	for j, g := range cd.GroupBy {
		names := []string{g}
		for _, ri := range c.refs {
			names = append(names, ri.fields[j])
		}
		c.kinds = append(c.kinds, classify(names))
	}
	c.level = r.Level
	if c.level == "" {
		for i := range bases {
			lv := ""
			if bases[i] != nil {
				lv = bases[i].Level
			} else {
				lv = inner[i].level
			}
			if alert.LevelRank(lv) > alert.LevelRank(c.level) {
				c.level = lv
			}
		}
	}
	c.Key = c.ref + "#" + definitionHash(cd, bases, inner)
	return c, nil
}

// aliasField is the field of rule ref's hits that name (a group-by name or
// the value field) reads: the alias's field for that rule, else the name.
func aliasField(cd *sigma.Correlation, name, ref string) string {
	for _, a := range cd.Aliases {
		if a.Name == name {
			if f, ok := a.Fields[ref]; ok {
				return f
			}
		}
	}
	return name
}

// definitionHash hashes what decides a correlation's state: everything
// but its title, level and other descriptions.
func definitionHash(cd *sigma.Correlation, bases []*sigma.Rule, inner []*Corr) string {
	var b strings.Builder
	b.WriteString(cd.Type)
	for i, r := range cd.Rules {
		b.WriteString("\x00r=" + r)
		switch {
		case bases[i] != nil:
			b.WriteString("=" + bases[i].Ref())
		case inner[i] != nil:
			b.WriteString("=" + inner[i].Key)
		}
	}
	for _, g := range cd.GroupBy {
		b.WriteString("\x00g=" + g)
	}
	b.WriteString("\x00t=" + strconv.FormatInt(int64(cd.Timespan), 10))
	b.WriteString("\x00c=" + cd.Condition.String())
	b.WriteString("\x00f=" + cd.Field)
	aliases := append([]sigma.Alias(nil), cd.Aliases...)
	sort.Slice(aliases, func(i, j int) bool { return aliases[i].Name < aliases[j].Name })
	for _, a := range aliases {
		keys := make([]string, 0, len(a.Fields))
		for k := range a.Fields {
			keys = append(keys, k)
		}
		sort.Strings(keys)
		for _, k := range keys {
			b.WriteString("\x00a=" + a.Name + "/" + k + "/" + a.Fields[k])
		}
	}
	sum := xxh3.HashString(b.String())
	var buf [8]byte
	for i := range buf {
		buf[i] = byte(sum >> (56 - 8*i))
	}
	return hex.EncodeToString(buf[:])
}

func contains(list []string, s string) bool {
	for _, x := range list {
		if x == s {
			return true
		}
	}
	return false
}
