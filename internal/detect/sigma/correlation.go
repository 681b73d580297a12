package sigma

import (
	"fmt"
	"math"
	"strconv"
	"strings"
	"time"

	"gopkg.in/yaml.v3"
)

// Correlation types of the Sigma correlation specification (2.0).
const (
	EventCount      = "event_count"
	ValueCount      = "value_count"
	Temporal        = "temporal"
	TemporalOrdered = "temporal_ordered"
)

// Correlation is the `correlation` section of a Sigma correlation rule
// (sigma-correlation-rules-specification 2.0): which rules it correlates,
// how their events are grouped and within which time span, and when the
// group matches. Package correlate evaluates it.
type Correlation struct {
	// Type is EventCount, ValueCount, Temporal or TemporalOrdered.
	Type string
	// Rules reference the correlated rules by id or name, in order
	// (temporal_ordered needs their events in this order).
	Rules []string
	// GroupBy are field names or alias names; hits with equal values of
	// all of them are counted together.
	GroupBy []string
	// Timespan is the window the events must fall in; TimespanText is it
	// as written (`5m`).
	Timespan     time.Duration
	TimespanText string
	// Condition is the count test; Field is the field whose distinct
	// values value_count counts (condition.field).
	Condition Condition
	Field     string
	// Aliases name fields that differ per correlated rule.
	Aliases []Alias
	// Generate: the correlated rules also raise their own alerts.
	Generate bool
}

// Alias is one field name alias: the field to read in the events of each
// correlated rule, by rule reference (id or name).
type Alias struct {
	Name   string
	Fields map[string]string
}

// Condition is a correlation condition: each term must hold (the
// specification combines `gt: 100` and `lte: 200` into a range).
type Condition struct {
	Terms []CondTerm
	// Default marks the condition a temporal correlation gets when it
	// has none: every correlated rule must be seen.
	Default bool
}

// CondTerm is one comparison of the count with a number.
type CondTerm struct {
	Op    string // gt, gte, lt, lte, eq, neq
	Value float64
}

// condOps are the comparison operators of a condition, in a fixed order
// so a condition renders the same way every time.
var condOps = []string{"gt", "gte", "lt", "lte", "eq", "neq"}

// Bounds turns the condition into the integer counts that satisfy it:
// lo ≤ count ≤ hi, count ≠ each of ne. A condition no count can satisfy
// is an error.
func (c Condition) Bounds() (lo, hi int64, ne []int64, err error) {
	lo, hi = math.MinInt64, math.MaxInt64
	for _, t := range c.Terms {
		v := t.Value
		switch t.Op {
		case "gt":
			lo = max(lo, int64(math.Floor(v))+1)
		case "gte":
			lo = max(lo, int64(math.Ceil(v)))
		case "lt":
			hi = min(hi, int64(math.Ceil(v))-1)
		case "lte":
			hi = min(hi, int64(math.Floor(v)))
		case "eq":
			if v != math.Trunc(v) {
				return 0, 0, nil, fmt.Errorf("eq %v: a count is a whole number", v)
			}
			lo, hi = max(lo, int64(v)), min(hi, int64(v))
		case "neq":
			if v == math.Trunc(v) {
				ne = append(ne, int64(v))
			}
		default:
			return 0, 0, nil, fmt.Errorf("unknown operator %q", t.Op)
		}
	}
	if lo > hi {
		return 0, 0, nil, fmt.Errorf("no count satisfies %s", c)
	}
	return lo, hi, ne, nil
}

func (c Condition) String() string {
	var parts []string
	for _, t := range c.Terms {
		parts = append(parts, t.Op+" "+strconv.FormatFloat(t.Value, 'g', -1, 64))
	}
	return strings.Join(parts, " and ")
}

// maxCondValue bounds condition numbers: counts beyond it are not counts.
const maxCondValue = 1 << 53

// timespanUnits are the units pySigma accepts: the specification's s, m,
// h and d, plus w, M (30.436875 days) and y (365.2425 days).
var timespanUnits = map[byte]time.Duration{
	's': time.Second, 'm': time.Minute, 'h': time.Hour, 'd': 24 * time.Hour,
	'w': 7 * 24 * time.Hour, 'M': 2629746 * time.Second, 'y': 31556952 * time.Second,
}

// maxTimespan bounds a correlation window; state for longer windows is
// better kept in a watch-list.
const maxTimespan = 366 * 24 * time.Hour

// ParseTimespan parses a Sigma timespan: a positive whole number and one
// unit letter (`30s`, `5m`, `1h`, `7d`).
func ParseTimespan(s string) (time.Duration, error) {
	if len(s) < 2 {
		return 0, fmt.Errorf("timespan %q: want a number and a unit (s, m, h, d, w, M, y)", s)
	}
	unit, ok := timespanUnits[s[len(s)-1]]
	if !ok {
		return 0, fmt.Errorf("timespan %q: unknown unit %q (want s, m, h, d, w, M or y)", s, s[len(s)-1:])
	}
	digits := s[:len(s)-1]
	for i := 0; i < len(digits); i++ {
		if digits[i] < '0' || digits[i] > '9' {
			return 0, fmt.Errorf("timespan %q: want a whole number before the unit", s)
		}
	}
	n, err := strconv.ParseInt(digits, 10, 64)
	if err != nil || n <= 0 {
		return 0, fmt.Errorf("timespan %q: want a positive whole number before the unit", s)
	}
	if n > int64(maxTimespan/unit) {
		return 0, fmt.Errorf("timespan %q is longer than %s", s, maxTimespan)
	}
	return time.Duration(n) * unit, nil
}

// parseCorrelation parses a correlation section. It checks what can be
// checked within one rule; references are resolved by package correlate.
func parseCorrelation(n *yaml.Node) (*Correlation, error) {
	if n.Kind != yaml.MappingNode {
		return nil, invalid(ReasonCorrelation, "correlation must be a mapping, got %s", kindName(n))
	}
	c := &Correlation{}
	var cond *yaml.Node
	seen := map[string]bool{}
	for i := 0; i+1 < len(n.Content); i += 2 {
		k, v := n.Content[i].Value, n.Content[i+1]
		if seen[k] {
			return nil, invalid(ReasonCorrelation, "correlation.%s given twice", k)
		}
		seen[k] = true
		var err error
		switch k {
		case "type":
			c.Type = scalar(v)
		case "rules":
			c.Rules, err = stringList(v, "rules")
		case "group-by":
			c.GroupBy, err = stringList(v, "group-by")
		case "timespan":
			c.TimespanText = scalar(v)
			if c.Timespan, err = ParseTimespan(c.TimespanText); err != nil {
				err = invalid(ReasonCorrelation, "%v", err)
			}
		case "condition":
			cond = v
		case "aliases":
			c.Aliases, err = parseAliases(v)
		case "generate":
			if v.Kind != yaml.ScalarNode || v.ShortTag() != "!!bool" {
				return nil, invalid(ReasonCorrelation, "correlation.generate must be true or false")
			}
			if err := v.Decode(&c.Generate); err != nil {
				return nil, invalid(ReasonCorrelation, "correlation.generate: %v", err)
			}
		default:
			return nil, unsupported(ReasonCorrelation, "correlation.%s is not part of the correlation specification", k)
		}
		if err != nil {
			return nil, err
		}
	}
	switch c.Type {
	case EventCount, ValueCount, Temporal, TemporalOrdered:
	case "":
		return nil, invalid(ReasonCorrelation, "correlation has no type")
	case "value_sum", "value_avg", "value_percentile", "value_median", "temporal_extended", "temporal_ordered_extended":
		return nil, unsupported(ReasonCorrelation, "correlation type %q is a pySigma extension Vigil does not evaluate", c.Type)
	default:
		return nil, invalid(ReasonCorrelation, "unknown correlation type %q (want event_count, value_count, temporal or temporal_ordered)", c.Type)
	}
	if len(c.Rules) == 0 {
		return nil, invalid(ReasonCorrelation, "correlation has no rules")
	}
	if dup := firstDuplicate(c.Rules); dup != "" {
		return nil, invalid(ReasonCorrelation, "correlation.rules names %q twice", dup)
	}
	if dup := firstDuplicate(c.GroupBy); dup != "" {
		return nil, invalid(ReasonCorrelation, "correlation.group-by names %q twice", dup)
	}
	if c.Timespan == 0 {
		return nil, invalid(ReasonCorrelation, "correlation has no timespan")
	}
	if cond == nil {
		if c.Type == EventCount || c.Type == ValueCount {
			return nil, invalid(ReasonCorrelation, "a %s correlation needs a condition", c.Type)
		}
		c.Condition = Condition{Terms: []CondTerm{{Op: "gte", Value: float64(len(c.Rules))}}, Default: true}
	} else {
		var err error
		if c.Condition, c.Field, err = parseCondTerms(cond); err != nil {
			return nil, err
		}
	}
	if c.Type == ValueCount && c.Field == "" {
		return nil, invalid(ReasonCorrelation, "a value_count correlation needs condition.field")
	}
	if c.Type != ValueCount && c.Field != "" {
		return nil, invalid(ReasonCorrelation, "condition.field belongs to value_count, not %s", c.Type)
	}
	lo, hi, ne, err := c.Condition.Bounds()
	if err != nil {
		return nil, invalid(ReasonCorrelation, "condition: %v", err)
	}
	if hi < 1 {
		return nil, invalid(ReasonCorrelation, "condition %s can never hold: a window holds at least one event", c.Condition)
	}
	if c.Type == Temporal || c.Type == TemporalOrdered {
		if lo > int64(len(c.Rules)) {
			return nil, invalid(ReasonCorrelation, "condition %s can never hold with %d rules", c.Condition, len(c.Rules))
		}
	}
	if c.Type == TemporalOrdered && !(lo == int64(len(c.Rules)) && len(ne) == 0) {
		return nil, unsupported(ReasonCorrelation, "temporal_ordered is evaluated for all its rules in order; condition %s asks for a subset", c.Condition)
	}
	for _, a := range c.Aliases {
		for ref := range a.Fields {
			if !contains(c.Rules, ref) {
				return nil, invalid(ReasonCorrelation, "alias %q maps rule %q, which correlation.rules does not name", a.Name, ref)
			}
		}
	}
	return c, nil
}

func stringList(n *yaml.Node, what string) ([]string, error) {
	switch n.Kind {
	case yaml.ScalarNode:
		if n.ShortTag() == "!!null" || n.Value == "" {
			return nil, invalid(ReasonCorrelation, "correlation.%s is empty", what)
		}
		return []string{n.Value}, nil
	case yaml.SequenceNode:
		var out []string
		for _, c := range n.Content {
			if c.Kind != yaml.ScalarNode || c.Value == "" {
				return nil, invalid(ReasonCorrelation, "correlation.%s must list non-empty strings", what)
			}
			out = append(out, c.Value)
		}
		return out, nil
	}
	return nil, invalid(ReasonCorrelation, "correlation.%s must be a string or a list, got %s", what, kindName(n))
}

func parseAliases(n *yaml.Node) ([]Alias, error) {
	if n.Kind != yaml.MappingNode {
		return nil, invalid(ReasonCorrelation, "correlation.aliases must be a mapping, got %s", kindName(n))
	}
	var out []Alias
	for i := 0; i+1 < len(n.Content); i += 2 {
		name, m := n.Content[i].Value, n.Content[i+1]
		if m.Kind != yaml.MappingNode || len(m.Content) == 0 {
			return nil, invalid(ReasonCorrelation, "alias %q must map rule names to field names", name)
		}
		for _, a := range out {
			if a.Name == name {
				return nil, invalid(ReasonCorrelation, "alias %q defined twice", name)
			}
		}
		a := Alias{Name: name, Fields: map[string]string{}}
		for j := 0; j+1 < len(m.Content); j += 2 {
			ref, f := m.Content[j].Value, m.Content[j+1]
			if f.Kind != yaml.ScalarNode || f.Value == "" || ref == "" {
				return nil, invalid(ReasonCorrelation, "alias %q: rule %q must map to a field name", name, ref)
			}
			if _, dup := a.Fields[ref]; dup {
				return nil, invalid(ReasonCorrelation, "alias %q maps rule %q twice", name, ref)
			}
			a.Fields[ref] = f.Value
		}
		out = append(out, a)
	}
	return out, nil
}

func parseCondTerms(n *yaml.Node) (Condition, string, error) {
	var c Condition
	if n.Kind == yaml.ScalarNode && n.ShortTag() == "!!str" {
		return c, "", unsupported(ReasonCorrelation, "an expression condition (%q) is a pySigma extension Vigil does not evaluate", n.Value)
	}
	if n.Kind != yaml.MappingNode || len(n.Content) == 0 {
		return c, "", invalid(ReasonCorrelation, "correlation.condition must be a mapping such as {gte: 10}")
	}
	field := ""
	seen := map[string]bool{}
	for i := 0; i+1 < len(n.Content); i += 2 {
		k, v := n.Content[i].Value, n.Content[i+1]
		if seen[k] {
			return c, "", invalid(ReasonCorrelation, "condition.%s given twice", k)
		}
		seen[k] = true
		if k == "field" {
			if v.Kind != yaml.ScalarNode || v.Value == "" {
				return c, "", invalid(ReasonCorrelation, "condition.field must be a field name")
			}
			field = v.Value
			continue
		}
		if !contains(condOps, k) {
			return c, "", invalid(ReasonCorrelation, "condition.%s: want gt, gte, lt, lte, eq, neq or field", k)
		}
		if v.Kind != yaml.ScalarNode {
			return c, "", invalid(ReasonCorrelation, "condition.%s must be a number", k)
		}
		f, err := strconv.ParseFloat(strings.TrimSpace(v.Value), 64)
		if err != nil || math.IsNaN(f) || math.Abs(f) > maxCondValue {
			return c, "", invalid(ReasonCorrelation, "condition.%s: %q is not a count", k, v.Value)
		}
		c.Terms = append(c.Terms, CondTerm{Op: k, Value: f})
	}
	if len(c.Terms) == 0 {
		return c, "", invalid(ReasonCorrelation, "correlation.condition has no comparison")
	}
	// a fixed order, whatever the YAML order
	ordered := c.Terms[:0:0]
	for _, op := range condOps {
		for _, t := range c.Terms {
			if t.Op == op {
				ordered = append(ordered, t)
			}
		}
	}
	c.Terms = ordered
	return c, field, nil
}

func firstDuplicate(list []string) string {
	for i := range list {
		for j := i + 1; j < len(list); j++ {
			if list[i] == list[j] {
				return list[i]
			}
		}
	}
	return ""
}
