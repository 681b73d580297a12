package sigma

import (
	"fmt"
	"strconv"
	"strings"
	"time"

	"gopkg.in/yaml.v3"

	"github.com/vigilsiem/vigil/internal/event"
)

// Watch-lists are Vigil's extension of Sigma (docs/watchlists.md): named
// tables of keys a rule reads with the `watchlist` modifier
//
//	IpAddress|watchlist: bad_ips              # the field's value is a key of bad_ips
//	TargetUserName|watchlist: 'failed[count>=5]'
//	IpAddress|watchlist: 'intel[value=high]'
//
// and writes from a top-level `watchlist:` section when it matches:
//
//	watchlist:
//	  alert: false            # only maintain the lists (default true)
//	  actions:
//	    - add: failed         # add or refresh the entry of the key
//	      key: TargetUserName
//	      value_from: IpAddress
//	      ttl: 1h
//	    - increment: failed   # add `by` (default 1) to the entry's count
//	      key: TargetUserName
//	    - remove: failed
//	      key: TargetUserName
//
// A modifier, not a custom condition keyword, so that pySigma fails loudly
// on a rule that reads a list (it cannot honour the read, and a converted
// query that silently dropped it would match far more); the write section
// is a custom top-level attribute pySigma keeps and ignores, which is
// right: another backend that does not maintain the list still runs the
// rule's detection unchanged.

// WatchlistLookup reads watch-lists while rules match. It must be safe for
// concurrent use; package watchlist's Store implements it.
type WatchlistLookup interface {
	Lookup(tenant, list, key string) (WatchlistEntry, bool)
}

// WatchlistEntry is what a rule can test of a list entry.
type WatchlistEntry struct {
	Value string
	Count int64
}

// WatchlistSpec is a rule's `watchlist:` section.
type WatchlistSpec struct {
	// Alert is false when the rule only maintains lists.
	Alert   bool
	Actions []WatchlistAction
}

// Watch-list action operations.
const (
	WatchlistAdd       = "add"
	WatchlistRemove    = "remove"
	WatchlistIncrement = "increment"
)

// WatchlistAction is one write a matching rule makes.
type WatchlistAction struct {
	// Op is WatchlistAdd, WatchlistRemove or WatchlistIncrement.
	Op   string
	List string
	// Key names the field whose value is the entry's key.
	Key string
	// Value is a literal value; ValueFrom names a field to take it from.
	Value, ValueFrom string
	// By is what increment adds (default 1).
	By int64
	// TTL overrides the list's entry TTL when not zero.
	TTL time.Duration

	keyFields, valueFields []string
}

// KeyOf returns the entry key the action reads from e.
func (a *WatchlistAction) KeyOf(e *event.Event) (string, bool) {
	return firstText(e, a.keyFields, a.Key)
}

// ValueOf returns the entry value the action writes for e.
func (a *WatchlistAction) ValueOf(e *event.Event) string {
	if a.ValueFrom == "" {
		return a.Value
	}
	v, _ := firstText(e, a.valueFields, a.ValueFrom)
	return v
}

func firstText(e *event.Event, cands []string, name string) (string, bool) {
	if cands == nil {
		cands = []string{name}
	}
	for _, c := range cands {
		if v, ok := e.Get(c); ok {
			if s := v.Text(); s != "" {
				return s, true
			}
		}
	}
	return "", false
}

// maxWatchlistName bounds a list name.
const maxWatchlistName = 128

// ValidWatchlistName reports whether s can name a watch-list: 1 to 128
// letters, digits, '_', '-' and '.'.
func ValidWatchlistName(s string) bool {
	if s == "" || len(s) > maxWatchlistName {
		return false
	}
	for i := 0; i < len(s); i++ {
		c := s[i]
		if !(c >= 'a' && c <= 'z' || c >= 'A' && c <= 'Z' || c >= '0' && c <= '9' || c == '_' || c == '-' || c == '.') {
			return false
		}
	}
	return true
}

// ParseTTL parses a watch-list TTL: a Sigma timespan (`30m`, `7d`) or a Go
// duration (`1h30m`); zero means no expiry.
func ParseTTL(s string) (time.Duration, error) {
	s = strings.TrimSpace(s)
	if s == "" || s == "0" {
		return 0, nil
	}
	if d, err := ParseTimespan(s); err == nil {
		return d, nil
	}
	d, err := time.ParseDuration(s)
	if err != nil || d < 0 {
		return 0, fmt.Errorf("ttl %q: want a duration such as 30m, 12h or 7d", s)
	}
	return d, nil
}

func parseWatchlistSpec(n *yaml.Node) (*WatchlistSpec, error) {
	spec := &WatchlistSpec{Alert: true}
	var actions *yaml.Node
	switch n.Kind {
	case yaml.SequenceNode:
		actions = n
	case yaml.MappingNode:
		for i := 0; i+1 < len(n.Content); i += 2 {
			k, v := n.Content[i].Value, n.Content[i+1]
			switch k {
			case "alert":
				if v.Kind != yaml.ScalarNode || v.ShortTag() != "!!bool" {
					return nil, invalid(ReasonWatchlist, "watchlist.alert must be true or false")
				}
				if err := v.Decode(&spec.Alert); err != nil {
					return nil, invalid(ReasonWatchlist, "watchlist.alert: %v", err)
				}
			case "actions":
				actions = v
			default:
				return nil, invalid(ReasonWatchlist, "watchlist.%s: want alert or actions", k)
			}
		}
	default:
		return nil, invalid(ReasonWatchlist, "watchlist must be a list of actions or a mapping with actions, got %s", kindName(n))
	}
	if actions == nil {
		return nil, invalid(ReasonWatchlist, "watchlist has no actions")
	}
	if actions.Kind == yaml.MappingNode {
		actions = &yaml.Node{Kind: yaml.SequenceNode, Content: []*yaml.Node{actions}}
	}
	if actions.Kind != yaml.SequenceNode || len(actions.Content) == 0 {
		return nil, invalid(ReasonWatchlist, "watchlist.actions must be a non-empty list")
	}
	for i, an := range actions.Content {
		a, err := parseWatchlistAction(an)
		if err != nil {
			return nil, fmt.Errorf("watchlist action %d: %w", i+1, err)
		}
		spec.Actions = append(spec.Actions, a)
	}
	return spec, nil
}

func parseWatchlistAction(n *yaml.Node) (WatchlistAction, error) {
	var a WatchlistAction
	if n.Kind != yaml.MappingNode {
		return a, invalid(ReasonWatchlist, "an action must be a mapping, got %s", kindName(n))
	}
	for i := 0; i+1 < len(n.Content); i += 2 {
		k, v := n.Content[i].Value, n.Content[i+1]
		if v.Kind != yaml.ScalarNode {
			return a, invalid(ReasonWatchlist, "%s must be a scalar", k)
		}
		switch k {
		case WatchlistAdd, WatchlistRemove, WatchlistIncrement:
			if a.Op != "" {
				return a, invalid(ReasonWatchlist, "an action has one of add, remove, increment; got %s and %s", a.Op, k)
			}
			a.Op, a.List = k, v.Value
		case "key":
			a.Key = v.Value
		case "value":
			a.Value = v.Value
		case "value_from":
			a.ValueFrom = v.Value
		case "by":
			by, err := strconv.ParseInt(v.Value, 10, 64)
			if err != nil {
				return a, invalid(ReasonWatchlist, "by %q: want a whole number", v.Value)
			}
			a.By = by
		case "ttl":
			ttl, err := ParseTTL(v.Value)
			if err != nil {
				return a, invalid(ReasonWatchlist, "%v", err)
			}
			a.TTL = ttl
		default:
			return a, invalid(ReasonWatchlist, "unknown action key %q (want add, remove or increment, key, value, value_from, by, ttl)", k)
		}
	}
	switch {
	case a.Op == "":
		return a, invalid(ReasonWatchlist, "an action needs add, remove or increment naming a list")
	case !ValidWatchlistName(a.List):
		return a, invalid(ReasonWatchlist, "list name %q: use 1-128 letters, digits, '_', '-' or '.'", a.List)
	case a.Key == "":
		return a, invalid(ReasonWatchlist, "%s %s: key names the field holding the entry key", a.Op, a.List)
	case a.Value != "" && a.ValueFrom != "":
		return a, invalid(ReasonWatchlist, "%s %s: value and value_from exclude each other", a.Op, a.List)
	case a.Op == WatchlistRemove && (a.Value != "" || a.ValueFrom != "" || a.TTL != 0 || a.By != 0):
		return a, invalid(ReasonWatchlist, "remove takes only a key")
	case a.Op != WatchlistIncrement && a.By != 0:
		return a, invalid(ReasonWatchlist, "by belongs to increment")
	}
	if a.Op == WatchlistIncrement && a.By == 0 {
		a.By = 1
	}
	return a, nil
}

// resolveWatchlist resolves the fields of the rule's actions for its
// logsource, as its detection's fields are.
func (r *Rule) resolveWatchlist() {
	if r.Watchlist == nil {
		return
	}
	for i := range r.Watchlist.Actions {
		a := &r.Watchlist.Actions[i]
		a.keyFields = r.FieldNames(a.Key)
		if a.ValueFrom != "" {
			a.valueFields = r.FieldNames(a.ValueFrom)
		}
	}
}

// wlRef is one list a `watchlist` item tests, with its entry condition.
type wlRef struct {
	list string
	// test: 0 membership only, 'c' the count, 'v' the value
	test byte
	op   cmpOp
	num  float64
	sm   strMatcher
}

// parseWatchlistRef parses `name`, `name[count>=5]` or `name[value=x]`.
func parseWatchlistRef(s string) (wlRef, error) {
	var r wlRef
	name, cond, hasCond := strings.Cut(s, "[")
	r.list = strings.TrimSpace(name)
	if !ValidWatchlistName(r.list) {
		return r, invalid(ReasonWatchlist, "watchlist %q: a list name is 1-128 letters, digits, '_', '-' or '.'", s)
	}
	if !hasCond {
		return r, nil
	}
	if !strings.HasSuffix(cond, "]") {
		return r, invalid(ReasonWatchlist, "watchlist %q: the entry condition must end with ]", s)
	}
	cond = strings.TrimSuffix(cond, "]")
	i := strings.IndexAny(cond, "=!<>")
	if i <= 0 {
		return r, invalid(ReasonWatchlist, "watchlist %q: want count or value, an operator and an operand", s)
	}
	what := strings.TrimSpace(cond[:i])
	rest := cond[i:]
	opLen := 1
	if len(rest) > 1 && rest[1] == '=' {
		opLen = 2
	}
	opText, operand := rest[:opLen], strings.TrimSpace(rest[opLen:])
	ops := map[string]cmpOp{"=": cmpEq, "==": cmpEq, "!=": cmpNeq, "<": cmpLt, "<=": cmpLte, ">": cmpGt, ">=": cmpGte}
	op, ok := ops[opText]
	if !ok {
		return r, invalid(ReasonWatchlist, "watchlist %q: unknown operator %q", s, opText)
	}
	r.op = op
	switch what {
	case "count":
		f, err := strconv.ParseFloat(operand, 64)
		if err != nil {
			return r, invalid(ReasonWatchlist, "watchlist %q: count compares with a number", s)
		}
		r.test, r.num = 'c', f
	case "value":
		if op != cmpEq && op != cmpNeq {
			return r, invalid(ReasonWatchlist, "watchlist %q: value takes = or !=", s)
		}
		r.test = 'v'
		r.sm = compilePattern(parsePattern(strings.Trim(operand, `'"`)), false)
	default:
		return r, invalid(ReasonWatchlist, "watchlist %q: an entry condition tests count or value, not %q", s, what)
	}
	return r, nil
}

func (r *wlRef) holds(ent WatchlistEntry, v *view) bool {
	switch r.test {
	case 'c':
		return r.op.apply(float64(ent.Count), r.num)
	case 'v':
		m := r.sm.match(v.lower(ent.Value))
		if r.op == cmpNeq {
			return !m
		}
		return m
	}
	return true
}

// watchlistNode is `field|watchlist: list`: the field's value (any item of
// a list value) is a live key of one of the lists, whose entry meets the
// condition. Lists belong to the event's tenant.
type watchlistNode struct {
	acc    int32
	lookup WatchlistLookup
	refs   []wlRef
}

func (n *watchlistNode) eval(v *view) bool {
	a := v.get(n.acc)
	if !a.present || a.isEmpty() {
		return false
	}
	tenant := v.e.Tenant
	if tenant == "" {
		tenant = event.DefaultTenant
	}
	if a.v.Kind() == event.KindList {
		for _, s := range a.v.List() {
			if n.test(v, tenant, s) {
				return true
			}
		}
		return false
	}
	return n.test(v, tenant, a.textOf())
}

func (n *watchlistNode) test(v *view, tenant, key string) bool {
	for i := range n.refs {
		if ent, ok := n.lookup.Lookup(tenant, n.refs[i].list, key); ok && n.refs[i].holds(ent, v) {
			return true
		}
	}
	return false
}

func (c *compileCtx) watchlistItem(field string, vals []sval) (node, error) {
	if c.cfg.Watchlists == nil {
		return nil, unsupported(ReasonWatchlist, "field %q reads a watch-list, and this engine has no watch-list store", field)
	}
	n := &watchlistNode{acc: c.accessorID(c.resolve(field)), lookup: c.cfg.Watchlists}
	for _, v := range vals {
		if v.kind != vStr {
			return nil, invalid(ReasonWatchlist, "watchlist takes list names, got %q", v.raw)
		}
		r, err := parseWatchlistRef(v.raw)
		if err != nil {
			return nil, err
		}
		n.refs = append(n.refs, r)
	}
	return n, nil
}
