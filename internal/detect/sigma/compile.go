package sigma

import (
	"fmt"
	"math"
	"net/netip"
	"regexp"
	"strconv"
	"strings"

	"gopkg.in/yaml.v3"
)

// Config configures compilation.
type Config struct {
	// Placeholders gives the values of `expand` placeholders, by name
	// without the percent signs ("Administrators": {"admin", "root"}).
	// A rule whose placeholder is missing is rejected.
	Placeholders map[string][]string
	// Watchlists serves the `watchlist` modifier; a rule that reads a
	// watch-list is rejected when it is nil.
	Watchlists WatchlistLookup
	// Keep, when set, chooses the rules Load reads (detection and
	// correlation rules); the others are counted in Result.Disabled.
	Keep func(*Rule) bool
}

// Compiler compiles rules into one field namespace; the rule set built from
// its rules reads every field of an event once.
// It is not safe for concurrent use.
type Compiler struct {
	cfg    Config
	fields fieldTable
	accs   []accessor
	accIDs map[string]int32
	// keywords: a rule compiled has an unnamed search, which reads any
	// field of an event.
	keywords bool
}

// NewCompiler returns a compiler.
func NewCompiler(cfg Config) *Compiler {
	return &Compiler{cfg: cfg, accIDs: map[string]int32{}}
}

// Compiled is a rule ready to run: one variant per way its logsource is
// delivered (process_creation: Sysmon 1 and Security 4688).
type Compiled struct {
	Rule     *Rule
	variants []*variant
}

// variant is a rule compiled for one source of its logsource.
type variant struct {
	c       *Compiled
	windows bool
	// Windows: the channels and event ids it lives under (none: any).
	channels []string
	eventIDs []int64
	// other products: the logsource the event must fit
	ls   Logsource
	root node
	// req is the prefilter requirement (prefilter.go); nil: always evaluate.
	req []litReq
	// searches are the compiled searches the condition names, for
	// explanations (explain.go); never read while matching.
	searches []explSearch
}

// compileCtx compiles one variant.
type compileCtx struct {
	*Compiler
	rule     *Rule
	resolve  func(field string) []string
	searches map[string]node
	// order and items record the searches for explanations (explain.go):
	// cur is the search being compiled.
	order []explSearch
	cur   string
	items map[string][]explItem
}

// Compile compiles a rule, or rejects it with a *RuleError.
func (c *Compiler) Compile(r *Rule) (*Compiled, error) {
	if r.Correlation != nil {
		return nil, invalid(ReasonCorrelation, "a correlation rule is compiled with the rules it references (package correlate), not on its own")
	}
	r.resolveWatchlist()
	if len(r.Detection.Conditions) == 0 || len(r.Detection.Names) == 0 {
		return nil, invalid(ReasonMissing, "detection has no condition or no search")
	}
	var conds []*condNode
	for _, s := range r.Detection.Conditions {
		n, err := parseCondition(s)
		if err != nil {
			return nil, err
		}
		n, err = n.resolve(r.Detection.Names)
		if err != nil {
			return nil, err
		}
		conds = append(conds, n)
	}
	out := &Compiled{Rule: r}
	if r.Logsource.Product == "windows" {
		srcs, err := windowsSources(r.Logsource)
		if err != nil {
			return nil, err
		}
		if srcs == nil {
			srcs = []windowsSource{{}}
		}
		for _, src := range srcs {
			renames := src.renames
			ctx := &compileCtx{Compiler: c, rule: r, searches: map[string]node{},
				resolve: func(f string) []string { return windowsFieldNames(f, renames) }}
			root, err := ctx.conditions(conds)
			if err != nil {
				return nil, err
			}
			v := &variant{c: out, windows: true, channels: src.channels, eventIDs: src.eventIDs, root: root, searches: ctx.explSearches()}
			eid := c.accessorID(windowsSystemFields["EventID"])
			if ids, ok := eventIDsOf(root, eid); ok {
				v.eventIDs = narrowIDs(v.eventIDs, ids)
				if len(v.eventIDs) == 0 {
					// this source never has the event ids the detection wants
					continue
				}
			}
			out.variants = append(out.variants, v)
		}
		if len(out.variants) == 0 {
			return nil, invalid(ReasonCondition, "the detection requires event ids that logsource %s never has", r.Logsource)
		}
		return out, nil
	}
	ls := r.Logsource
	ctx := &compileCtx{Compiler: c, rule: r, searches: map[string]node{},
		resolve: func(f string) []string { return ecsFieldNames(ls, f) }}
	root, err := ctx.conditions(conds)
	if err != nil {
		return nil, err
	}
	out.variants = append(out.variants, &variant{c: out, ls: routeLogsource(ls), root: root, searches: ctx.explSearches()})
	return out, nil
}

func narrowIDs(scope, want []int64) []int64 {
	if len(scope) == 0 {
		return want
	}
	var out []int64
	for _, w := range want {
		for _, s := range scope {
			if s == w {
				out = append(out, w)
				break
			}
		}
	}
	return out
}

// accessorID interns an accessor over candidate field names.
func (c *Compiler) accessorID(cands []string) int32 {
	key := fieldKey(cands)
	if id, ok := c.accIDs[key]; ok {
		return id
	}
	a := accessor{names: cands}
	for _, n := range cands {
		a.cands = append(a.cands, c.fields.id(n))
	}
	id := int32(len(c.accs))
	c.accs = append(c.accs, a)
	c.accIDs[key] = id
	return id
}

func (c *compileCtx) conditions(conds []*condNode) (node, error) {
	var roots []node
	for _, cn := range conds {
		n, err := c.cond(cn)
		if err != nil {
			return nil, err
		}
		roots = append(roots, n)
	}
	if len(roots) == 1 {
		return roots[0], nil
	}
	return orNode(roots), nil
}

func (c *compileCtx) cond(n *condNode) (node, error) {
	switch n.op {
	case condIdent:
		if s, ok := c.searches[n.name]; ok {
			return s, nil
		}
		c.cur = n.name
		s, err := c.search(n.name, c.rule.Detection.Searches[n.name])
		c.cur = ""
		if err != nil {
			return nil, err
		}
		c.searches[n.name] = s
		c.order = append(c.order, explSearch{name: n.name, n: s})
		return s, nil
	case condNot:
		x, err := c.cond(n.children[0])
		if err != nil {
			return nil, err
		}
		return notNode{x}, nil
	}
	kids := make([]node, len(n.children))
	for i, ch := range n.children {
		x, err := c.cond(ch)
		if err != nil {
			return nil, err
		}
		kids[i] = x
	}
	switch n.op {
	case condAnd:
		return andNode(kids), nil
	case condOr:
		return orNode(kids), nil
	case condOf:
		return atLeastNode{n: n.count, children: kids}, nil
	}
	return nil, fmt.Errorf("compile condition: bug: unknown operator %d", n.op)
}

// search compiles one search identifier.
func (c *compileCtx) search(name string, n *yaml.Node) (node, error) {
	if n == nil {
		return nil, invalid(ReasonSearch, "search %q is empty", name)
	}
	if n.Kind == yaml.AliasNode && n.Alias != nil {
		n = n.Alias
	}
	switch n.Kind {
	case yaml.MappingNode:
		return c.mapping(name, n)
	case yaml.SequenceNode:
		if len(n.Content) == 0 {
			return nil, invalid(ReasonSearch, "search %q is an empty list", name)
		}
		var kw []sval
		var alts []node
		for _, item := range n.Content {
			if item.Kind == yaml.AliasNode && item.Alias != nil {
				item = item.Alias
			}
			switch item.Kind {
			case yaml.MappingNode:
				m, err := c.mapping(name, item)
				if err != nil {
					return nil, err
				}
				alts = append(alts, m)
			case yaml.ScalarNode:
				v, err := scalarValue(item)
				if err != nil {
					return nil, err
				}
				kw = append(kw, v)
			default:
				return nil, invalid(ReasonSearch, "search %q: a list item must be a value or a mapping, got %s", name, kindName(item))
			}
		}
		if len(kw) > 0 {
			k, err := c.keywords(kw, nil)
			if err != nil {
				return nil, err
			}
			c.record(explItem{acc: -1, n: k})
			alts = append(alts, k)
		}
		if len(alts) == 1 {
			return alts[0], nil
		}
		return orNode(alts), nil
	case yaml.ScalarNode:
		if n.ShortTag() == "!!null" {
			return nil, invalid(ReasonSearch, "search %q is empty", name)
		}
		v, err := scalarValue(n)
		if err != nil {
			return nil, err
		}
		k, err := c.keywords([]sval{v}, nil)
		if err == nil {
			c.record(explItem{acc: -1, n: k})
		}
		return k, err
	}
	return nil, invalid(ReasonSearch, "search %q has an invalid shape (%s)", name, kindName(n))
}

// mapping compiles a map of field items: all of them must match.
func (c *compileCtx) mapping(name string, n *yaml.Node) (node, error) {
	if len(n.Content) == 0 {
		return nil, invalid(ReasonSearch, "search %q is an empty mapping", name)
	}
	var items []node
	for i := 0; i+1 < len(n.Content); i += 2 {
		key, val := n.Content[i], n.Content[i+1]
		if key.Kind != yaml.ScalarNode {
			return nil, invalid(ReasonSearch, "search %q: a field name must be a string", name)
		}
		it, err := c.item(key.Value, val)
		if err != nil {
			return nil, err
		}
		items = append(items, it)
	}
	if len(items) == 1 {
		return items[0], nil
	}
	return andNode(orderByCost(items)), nil
}

// item compiles one `field|modifiers: value(s)` pair.
func (c *compileCtx) item(key string, val *yaml.Node) (node, error) {
	parts := strings.Split(key, "|")
	field, mods := parts[0], parts[1:]
	m, err := parseModifiers(mods)
	if err != nil {
		return nil, fmt.Errorf("field %q: %w", key, err)
	}
	if val.Kind == yaml.AliasNode && val.Alias != nil {
		val = val.Alias
	}
	var vals []sval
	switch val.Kind {
	case yaml.SequenceNode:
		if len(val.Content) == 0 {
			return nil, invalid(ReasonValue, "field %q has an empty list of values", key)
		}
		for _, it := range val.Content {
			v, err := scalarValue(it)
			if err != nil {
				return nil, fmt.Errorf("field %q: %w", key, err)
			}
			vals = append(vals, v)
		}
	case yaml.ScalarNode:
		v, err := scalarValue(val)
		if err != nil {
			return nil, err
		}
		vals = []sval{v}
	default:
		return nil, invalid(ReasonValue, "field %q: a value must be a scalar or a list, got %s", key, kindName(val))
	}
	if field == "" {
		if m.watchlist {
			return nil, invalid(ReasonWatchlist, "watchlist needs a field: `field|watchlist: list`")
		}
		n, err := c.keywords(vals, &m)
		if err == nil {
			c.record(explItem{mods: strings.Join(mods, "|"), acc: -1, n: n})
		}
		return n, err
	}
	var n node
	if m.watchlist {
		n, err = c.watchlistItem(field, vals)
	} else {
		n, err = c.fieldItem(field, vals, m)
	}
	if err != nil {
		return nil, fmt.Errorf("field %q: %w", key, err)
	}
	c.record(explItem{field: field, mods: strings.Join(mods, "|"), acc: c.accessorID(c.resolve(field)), n: n})
	return n, nil
}

func (c *compileCtx) fieldItem(field string, vals []sval, m modifiers) (node, error) {
	acc := c.accessorID(c.resolve(field))
	switch {
	case m.exists:
		if len(vals) != 1 {
			return nil, invalid(ReasonValue, "exists takes one boolean")
		}
		want, ok := boolOf(vals[0])
		if !ok {
			return nil, invalid(ReasonValue, "exists takes true or false, got %q", vals[0].raw)
		}
		return existsNode{acc: acc, want: want}, nil
	case m.re:
		var ms []valueMatcher
		for _, v := range vals {
			if v.kind == vNull {
				return nil, invalid(ReasonValue, "re of a null value")
			}
			re, err := compileRegex(v.raw, m.reFlags)
			if err != nil {
				return nil, err
			}
			if n, dotNL, ok := longRun(v.raw, m.reFlags); ok {
				ms = append(ms, runMatcher{n: n, dotNL: dotNL})
				continue
			}
			ms = append(ms, reMatcher{re: re, lits: regexLiterals(v.raw)})
		}
		return &fieldNode{acc: acc, ms: ms, all: m.all}, nil
	case m.cidr:
		var ms []valueMatcher
		for _, v := range vals {
			p, err := netip.ParsePrefix(strings.TrimSpace(v.raw))
			if err != nil {
				return nil, invalid(ReasonValue, "cidr %q: %v", v.raw, err)
			}
			ms = append(ms, cidrMatcher{p.Masked()})
		}
		return &fieldNode{acc: acc, ms: ms, all: m.all}, nil
	case m.fieldref:
		var ms []valueMatcher
		for _, v := range vals {
			if v.kind != vStr || v.raw == "" {
				return nil, invalid(ReasonValue, "fieldref takes a field name, got %q", v.raw)
			}
			kind := strEqual
			switch {
			case m.refBefore && m.refAfter:
				kind = strContains
			case m.refBefore:
				kind = strSuffix
			case m.refAfter:
				kind = strPrefix
			}
			ms = append(ms, fieldrefMatcher{other: c.accessorID(c.resolve(v.raw)), kind: kind, cased: m.cased,
				neq: m.hasCmp && m.cmp == cmpNeq})
		}
		return &fieldNode{acc: acc, ms: ms, all: m.all}, nil
	case m.part != 0:
		op := cmpEq
		if m.hasCmp {
			op = m.cmp
		}
		var ms []valueMatcher
		for _, v := range vals {
			f, ok := numOf(v)
			if !ok {
				return nil, invalid(ReasonValue, "time modifier takes a number, got %q", v.raw)
			}
			ms = append(ms, timeMatcher{part: m.part, op: op, num: f})
		}
		return &fieldNode{acc: acc, ms: ms, all: m.all}, nil
	case m.hasCmp:
		var ms []valueMatcher
		for _, v := range vals {
			if f, ok := numOf(v); ok && len(m.transforms) == 0 {
				ms = append(ms, numMatcher{op: m.cmp, num: f, text: v.raw})
				continue
			}
			if m.cmp != cmpNeq {
				return nil, invalid(ReasonValue, "comparison takes a number, got %q", v.raw)
			}
			groups, err := c.transform([]sval{v}, m)
			if err != nil {
				return nil, err
			}
			for _, alt := range groups[0] {
				ms = append(ms, neqStrMatcher{compilePattern(alt.asString().pat, m.cased)})
			}
		}
		return &fieldNode{acc: acc, ms: ms, all: m.all || m.cmp == cmpNeq}, nil
	}
	groups, err := c.transform(vals, m)
	if err != nil {
		return nil, err
	}
	if !m.all {
		var flat []sval
		for _, g := range groups {
			flat = append(flat, g...)
		}
		return c.anyOf(acc, flat, m.cased), nil
	}
	// all: every group must match; inside a group any alternative
	simple := true
	for _, g := range groups {
		if len(g) != 1 || g[0].kind != vStr {
			simple = false
		}
	}
	if simple {
		n := &strNode{acc: acc, all: true, cased: m.cased, absent: true}
		for _, g := range groups {
			sm := compilePattern(g[0].pat, m.cased)
			if !(sm.kind == strEqual && sm.lit == "") {
				n.absent = false
			}
			n.ms = append(n.ms, sm)
		}
		return n, nil
	}
	var kids []node
	for _, g := range groups {
		kids = append(kids, c.anyOf(acc, g, m.cased))
	}
	return andNode(kids), nil
}

// anyOf matches a field against any of vals.
func (c *compileCtx) anyOf(acc int32, vals []sval, cased bool) node {
	sn := &strNode{acc: acc, cased: cased}
	fn := &fieldNode{acc: acc}
	for _, v := range vals {
		switch v.kind {
		case vStr:
			sm := compilePattern(v.pat, cased)
			if sm.kind == strEqual && sm.lit == "" {
				sn.absent = true
			}
			sn.ms = append(sn.ms, sm)
		case vNum:
			fn.ms = append(fn.ms, numMatcher{op: cmpEq, num: v.num, text: v.raw})
		case vBool:
			fn.ms = append(fn.ms, boolMatcher{v.b})
		case vNull:
			fn.ms = append(fn.ms, nullMatcher{})
			fn.absent = true
		}
	}
	eqs := 0
	for _, m := range sn.ms {
		if m.kind == strEqual {
			eqs++
		}
	}
	if eqs >= 4 {
		sn.eqSet = make(map[string]struct{}, eqs)
		for _, m := range sn.ms {
			if m.kind == strEqual {
				sn.eqSet[m.lit] = struct{}{}
			}
		}
	}
	switch {
	case len(fn.ms) == 0:
		return sn
	case len(sn.ms) == 0:
		return fn
	}
	return orNode{sn, fn}
}

// keywords compiles an unnamed search: each value is looked for anywhere in
// the event.
func (c *compileCtx) keywords(vals []sval, m *modifiers) (node, error) {
	c.Compiler.keywords = true
	var mods modifiers
	if m != nil {
		mods = *m
	}
	if mods.exists || mods.cidr || mods.fieldref || mods.hasCmp || mods.part != 0 {
		return nil, invalid(ReasonModifier, "keyword searches take only string modifiers")
	}
	n := &keywordNode{all: mods.all}
	if mods.re {
		for _, v := range vals {
			re, err := compileRegex(v.raw, mods.reFlags)
			if err != nil {
				return nil, err
			}
			n.res = append(n.res, re)
		}
		return n, nil
	}
	for i := range vals {
		if vals[i].kind == vNull {
			return nil, invalid(ReasonValue, "a keyword cannot be null")
		}
		vals[i] = vals[i].asString()
	}
	groups, err := c.transform(vals, mods)
	if err != nil {
		return nil, err
	}
	if mods.all {
		var kids []node
		for _, g := range groups {
			k := &keywordNode{}
			for _, alt := range g {
				k.ms = append(k.ms, compilePattern(alt.pat.wrap(true, true), mods.cased))
			}
			kids = append(kids, k)
		}
		if len(kids) == 1 {
			return kids[0], nil
		}
		return andNode(kids), nil
	}
	for _, g := range groups {
		for _, alt := range g {
			n.ms = append(n.ms, compilePattern(alt.pat.wrap(true, true), mods.cased))
		}
	}
	return n, nil
}

func boolOf(v sval) (bool, bool) {
	switch v.kind {
	case vBool:
		return v.b, true
	case vStr:
		b, err := strconv.ParseBool(strings.ToLower(v.raw))
		return b, err == nil
	}
	return false, false
}

func numOf(v sval) (float64, bool) {
	switch v.kind {
	case vNum:
		return v.num, true
	case vStr:
		return parseNumber(v.raw)
	}
	return 0, false
}

// compileRegex compiles a Sigma regular expression with its flags. The
// specification's flavour is a PCRE subset that RE2 covers; what RE2 lacks
// (look-around, back-references) rejects the rule.
func compileRegex(expr, flags string) (*regexp.Regexp, error) {
	prefix := ""
	if flags != "" {
		prefix = "(?" + dedupFlags(flags) + ")"
	}
	re, err := regexp.Compile(prefix + expr)
	if err != nil {
		return nil, unsupported(ReasonRegex, "regular expression %q: %v", expr, err)
	}
	return re, nil
}

func dedupFlags(f string) string {
	var out []byte
	for i := 0; i < len(f); i++ {
		if strings.IndexByte(string(out), f[i]) < 0 {
			out = append(out, f[i])
		}
	}
	return string(out)
}

// orderByCost puts cheap tests first in an AND so most rules fail on them:
// exact and numeric tests before prefix/suffix, before contains and
// regular expressions.
func orderByCost(items []node) []node {
	cost := func(n node) int {
		switch x := n.(type) {
		case existsNode:
			return 0
		case *fieldNode:
			for _, m := range x.ms {
				if _, ok := m.(reMatcher); ok {
					return 50
				}
			}
			return 1
		case *strNode:
			c := 2
			for _, m := range x.ms {
				switch m.kind {
				case strContains:
					c = max(c, 10)
				case strGlob:
					c = max(c, 20)
				case strPrefix, strSuffix:
					c = max(c, 3)
				}
			}
			return c
		case *keywordNode:
			return 100
		}
		return 30
	}
	out := append([]node(nil), items...)
	// insertion sort: items are few, and equal costs keep rule order
	for i := 1; i < len(out); i++ {
		for j := i; j > 0 && cost(out[j]) < cost(out[j-1]); j-- {
			out[j], out[j-1] = out[j-1], out[j]
		}
	}
	return out
}

// eventIDsOf returns the event ids a detection requires on accessor eid,
// when it requires any.
func eventIDsOf(n node, eid int32) ([]int64, bool) {
	switch x := n.(type) {
	case *fieldNode:
		if x.acc != eid || x.all || x.absent {
			return nil, false
		}
		var ids []int64
		for _, m := range x.ms {
			nm, ok := m.(numMatcher)
			if !ok || nm.op != cmpEq || nm.num != math.Trunc(nm.num) {
				return nil, false
			}
			ids = append(ids, int64(nm.num))
		}
		return ids, len(ids) > 0
	case *strNode:
		if x.acc != eid || x.all || x.absent {
			return nil, false
		}
		var ids []int64
		for _, m := range x.ms {
			if m.kind != strEqual {
				return nil, false
			}
			i, err := strconv.ParseInt(m.lit, 10, 64)
			if err != nil {
				return nil, false
			}
			ids = append(ids, i)
		}
		return ids, len(ids) > 0
	case andNode:
		var out []int64
		found := false
		for _, c := range x {
			ids, ok := eventIDsOf(c, eid)
			if !ok {
				continue
			}
			if !found {
				out, found = ids, true
				continue
			}
			out = narrowIDs(out, ids)
		}
		return out, found
	case orNode:
		var out []int64
		for _, c := range x {
			ids, ok := eventIDsOf(c, eid)
			if !ok {
				return nil, false
			}
			for _, id := range ids {
				if !containsID(out, id) {
					out = append(out, id)
				}
			}
		}
		return out, len(out) > 0
	}
	return nil, false
}

func containsID(ids []int64, id int64) bool {
	for _, x := range ids {
		if x == id {
			return true
		}
	}
	return false
}
