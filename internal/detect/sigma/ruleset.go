package sigma

import (
	"slices"
	"strings"
	"sync"

	"github.com/vigilsiem/vigil/internal/event"
)

// RuleSet is an immutable, indexed set of compiled rules. Match is safe for
// concurrent use; a reload builds a new RuleSet and swaps it in whole.
type RuleSet struct {
	fields fieldTable
	accs   []accessor
	rules  []*Compiled
	// byRule finds a rule's compilation, for Explain.
	byRule map[*Rule]*Compiled

	// Windows variants by lower-cased channel, then event id.
	win map[string]*chanIndex
	// Windows variants that take any channel.
	winAny *chanIndex
	// Variants of other products, grouped by logsource.
	groups []*lsGroup
	// groups by the logsource values they name (lsindex.go)
	lsIdx lsIndex

	cls      classAccessors
	buckets  int
	all      []*bucket // while building: every bucket, for kw
	kw       *kwIndex  // keyword grams of every bucket (kwindex.go)
	keywords bool      // Compiler.keywords
	pool     sync.Pool
}

type chanIndex struct {
	byEID map[int64]*bucket // each also holds the any-id variants
	any   *bucket
}

type lsGroup struct {
	ls Logsource
	b  *bucket
}

// classAccessors are the fields that say where an event comes from.
type classAccessors struct {
	channel, eventID, eventCode                           int32
	osType, osPlatform, osFamily, module, dataset, path   int32
	obsProduct, obsVendor, cloudProvider, eventSource     int32
	eventVersion, category, typ, processName, dnsQuestion int32
	httpMethod                                            int32
}

// NewRuleSet indexes compiled rules. The rules must come from this
// compiler; the compiler may go on compiling for another rule set.
func (c *Compiler) NewRuleSet(rules []*Compiled) *RuleSet {
	one := func(name string) int32 { return c.accessorID([]string{name}) }
	cls := classAccessors{
		channel: one("winlog.channel"), eventID: one("winlog.event_id"), eventCode: one("event.code"),
		osType: one("host.os.type"), osPlatform: one("host.os.platform"), osFamily: one("host.os.family"),
		module: one("event.module"), dataset: one("event.dataset"), path: one("_path"),
		obsProduct: one("observer.product"), obsVendor: one("observer.vendor"), cloudProvider: one("cloud.provider"),
		eventSource: one("eventSource"), eventVersion: one("eventVersion"), category: one("event.category"),
		typ: one("event.type"), processName: one("process.name"), dnsQuestion: one("dns.question.name"),
		httpMethod: one("http.request.method"),
	}
	rs := &RuleSet{
		fields:   fieldTable{ids: make(map[string]int32, len(c.fields.ids)), names: append([]string(nil), c.fields.names...)},
		accs:     append([]accessor(nil), c.accs...),
		rules:    rules,
		byRule:   make(map[*Rule]*Compiled, len(rules)),
		win:      map[string]*chanIndex{},
		cls:      cls,
		keywords: c.keywords,
	}
	for k, v := range c.fields.ids {
		rs.fields.ids[k] = v
	}
	type chanRules struct {
		byEID map[int64][]*variant
		any   []*variant
	}
	winByChan := map[string]*chanRules{}
	winAny := &chanRules{byEID: map[int64][]*variant{}}
	groups := map[Logsource][]*variant{}
	var groupOrder []Logsource
	for _, r := range rules {
		rs.byRule[r.Rule] = r
		for _, v := range r.variants {
			if !v.windows {
				if _, ok := groups[v.ls]; !ok {
					groupOrder = append(groupOrder, v.ls)
				}
				groups[v.ls] = append(groups[v.ls], v)
				continue
			}
			targets := []*chanRules{winAny}
			if len(v.channels) > 0 {
				targets = targets[:0]
				for _, ch := range v.channels {
					key := strings.ToLower(ch)
					cr := winByChan[key]
					if cr == nil {
						cr = &chanRules{byEID: map[int64][]*variant{}}
						winByChan[key] = cr
					}
					targets = append(targets, cr)
				}
			}
			for _, t := range targets {
				if len(v.eventIDs) == 0 {
					t.any = append(t.any, v)
					continue
				}
				for _, id := range v.eventIDs {
					t.byEID[id] = append(t.byEID[id], v)
				}
			}
		}
	}
	build := func(cr *chanRules) *chanIndex {
		ci := &chanIndex{byEID: map[int64]*bucket{}, any: rs.newBucket(cr.any)}
		for id, vs := range cr.byEID {
			merged := append(append([]*variant(nil), vs...), cr.any...)
			ci.byEID[id] = rs.newBucket(merged)
		}
		return ci
	}
	for ch, cr := range winByChan {
		rs.win[ch] = build(cr)
	}
	rs.winAny = build(winAny)
	for _, ls := range groupOrder {
		rs.groups = append(rs.groups, &lsGroup{ls: ls, b: rs.newBucket(groups[ls])})
	}
	rs.lsIdx = newLsIndex(rs.groups)
	rs.kw, rs.all = newKwIndex(rs.all), nil
	rs.pool.New = func() any { return newView(rs) }
	return rs
}

// Fields returns the names of the event fields the rule set reads, those
// that say where an event comes from included; all is true when a rule
// has a keyword search, which reads any field.
func (rs *RuleSet) Fields() (names []string, all bool) {
	return append([]string(nil), rs.fields.names...), rs.keywords
}

// Rules returns the compiled rules of the set.
func (rs *RuleSet) Rules() []*Compiled { return rs.rules }

// Len is the number of rules in the set.
func (rs *RuleSet) Len() int { return len(rs.rules) }

// Match appends to dst the rules that match e and returns dst.
func (rs *RuleSet) Match(e *event.Event, dst []*Rule) []*Rule {
	v := rs.pool.Get().(*view)
	dst = v.match(e, dst)
	v.e = nil
	rs.pool.Put(v)
	return dst
}

// Matcher matches events against a rule set from one goroutine, keeping
// its scratch state between events. It is not safe for concurrent use.
type Matcher struct{ v *view }

// NewMatcher returns a matcher over rs.
func (rs *RuleSet) NewMatcher() *Matcher { return &Matcher{v: newView(rs)} }

// Match appends to dst the rules that match e and returns dst.
func (m *Matcher) Match(e *event.Event, dst []*Rule) []*Rule {
	dst = m.v.match(e, dst)
	m.v.e = nil
	return dst
}

func (v *view) match(e *event.Event, dst []*Rule) []*Rule {
	rs := v.rs
	v.reset(e)
	ch := v.get(rs.cls.channel)
	if ch.present {
		if ci := rs.win[ch.lowerOf()]; ci != nil {
			dst = v.matchWindows(ci, dst)
		}
		dst = v.matchWindows(rs.winAny, dst)
	}
	if len(rs.groups) > 0 {
		c := v.classify(ch.present)
		for _, gi := range v.fitGroups(&c) {
			dst = v.evalBucket(rs.groups[gi].b, dst)
		}
	}
	return dst
}

func (v *view) matchWindows(ci *chanIndex, dst []*Rule) []*Rule {
	if id, ok := v.eventID(); ok {
		if b := ci.byEID[id]; b != nil {
			return v.evalBucket(b, dst)
		}
	}
	return v.evalBucket(ci.any, dst)
}

func (v *view) eventID() (int64, bool) {
	a := v.get(v.rs.cls.eventID)
	if !a.present {
		a = v.get(v.rs.cls.eventCode)
		if !a.present {
			return 0, false
		}
	}
	if a.v.Kind() == event.KindInt {
		return a.v.Int(), true
	}
	f, ok := parseNumber(a.textOf())
	return int64(f), ok
}

func (v *view) evalBucket(b *bucket, dst []*Rule) []*Rule {
	if b == nil || len(b.vs) == 0 {
		return dst
	}
	for _, i := range v.candidates(b) {
		vr := b.vs[i]
		if vr.root.eval(v) {
			dst = append(dst, vr.c.Rule)
		}
	}
	return dst
}

// eventClass is what an event says about its logsource.
type eventClass struct {
	windows                        bool
	products, services, categories []string
}

// classify reads the event's logsource. The lists it returns are the
// view's scratch, valid until the next call, and their strings may be over
// the view's lower-casing buffer, valid while the event is matched.
func (v *view) classify(windows bool) eventClass {
	c := eventClass{windows: windows, products: v.class.products[:0], services: v.class.services[:0], categories: v.class.categories[:0]}
	defer func() { v.class = c }()
	cl := &v.rs.cls
	add := func(list *[]string, s string) {
		s = v.lower(strings.TrimSpace(s))
		if s == "" {
			return
		}
		for _, x := range *list {
			if x == s {
				return
			}
		}
		*list = append(*list, s)
	}
	addProduct := func(s string) {
		s = v.lower(s)
		if a, ok := productAliases[s]; ok {
			add(&c.products, a)
		}
		add(&c.products, s)
	}
	text := func(a int32) (string, bool) {
		av := v.get(a)
		if !av.present {
			return "", false
		}
		return av.textOf(), true
	}
	if windows {
		add(&c.products, "windows")
	}
	for _, a := range []int32{cl.osType, cl.osPlatform, cl.osFamily, cl.obsProduct, cl.obsVendor, cl.cloudProvider} {
		if s, ok := text(a); ok {
			addProduct(s)
		}
	}
	if s, ok := text(cl.module); ok {
		addProduct(s)
		add(&c.services, s)
	}
	if s, ok := text(cl.dataset); ok {
		add(&c.services, s)
		if i := strings.IndexByte(s, '.'); i > 0 {
			addProduct(s[:i])
			add(&c.services, s[i+1:])
		}
	}
	if s, ok := text(cl.path); ok {
		add(&c.products, "zeek")
		add(&c.services, s)
		switch s {
		case "dns":
			add(&c.categories, "dns")
		case "http":
			add(&c.categories, "proxy")
			add(&c.categories, "webserver")
		case "conn":
			add(&c.categories, "firewall")
		}
	}
	if s, ok := text(cl.eventSource); ok && strings.HasSuffix(strings.ToLower(s), ".amazonaws.com") {
		if _, ok := text(cl.eventVersion); ok {
			add(&c.products, "aws")
			add(&c.services, "cloudtrail")
		}
	}
	if s, ok := text(cl.processName); ok && !windows {
		add(&c.services, s)
	}
	if v.get(cl.dnsQuestion).present {
		add(&c.categories, "dns")
		add(&c.categories, "dns_query")
	}
	if v.get(cl.httpMethod).present {
		add(&c.categories, "webserver")
		add(&c.categories, "proxy")
	}
	cats, types := v.listOf(cl.category), v.listOf(cl.typ)
	for _, ev := range categoryEvidence {
		if !containsFold(cats, ev.category) {
			continue
		}
		if ev.typ != "" && !containsFold(types, ev.typ) {
			continue
		}
		for _, s := range ev.sigma {
			add(&c.categories, s)
		}
	}
	return c
}

func (v *view) listOf(a int32) []string {
	av := v.get(a)
	if !av.present {
		return nil
	}
	if av.v.Kind() == event.KindList {
		return av.v.List()
	}
	return []string{av.textOf()}
}

func containsFold(list []string, s string) bool {
	for _, x := range list {
		if strings.EqualFold(x, s) {
			return true
		}
	}
	return false
}

// fits reports whether a non-Windows logsource applies to the event: no
// part of it is contradicted by what the event says and at least one part
// is confirmed.
func (c eventClass) fits(ls Logsource) bool {
	confirmed := false
	check := func(want string, have []string) bool {
		if want == "" {
			return true
		}
		if len(have) == 0 {
			return true
		}
		for _, h := range have {
			if h == want {
				confirmed = true
				return true
			}
		}
		return false
	}
	if !check(ls.Product, c.products) || !check(ls.Service, c.services) || !check(ls.Category, c.categories) {
		return false
	}
	return confirmed
}

// Stats describes a rule set's index.
type Stats struct {
	Rules          int
	WindowsBuckets int
	OtherGroups    int
	// Unfiltered is how many variants have no prefilter literal and are
	// evaluated for every event of their bucket.
	Unfiltered int
	Variants   int
}

// Stats returns figures about the index.
func (rs *RuleSet) Stats() Stats {
	s := Stats{Rules: len(rs.rules), OtherGroups: len(rs.groups)}
	for _, ci := range rs.win {
		s.WindowsBuckets += len(ci.byEID) + 1
	}
	for _, r := range rs.rules {
		for _, v := range r.variants {
			s.Variants++
			if v.req == nil {
				s.Unfiltered++
			}
		}
	}
	return s
}

func sortedInts(xs []int32) { slices.Sort(xs) }

func sortedGrams(xs []uint32) { slices.Sort(xs) }
