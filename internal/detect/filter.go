package detect

import (
	"fmt"
	"regexp"
	"strings"

	"github.com/vigilsiem/vigil/internal/detect/sigma"
)

// Selector picks rules by id (or name), tag, level or path glob; the
// parts that are set must all hold. Tag and path are globs: `*` matches
// within a path segment, `**` across segments, `?` one character. A path
// glob matches the rule file's path or any tail of it that starts at a
// segment ("windows/**" matches every file below a directory named
// windows; built-in rules are "builtin/…").
type Selector struct {
	ID, Tag, Level, Path string
}

func (s Selector) String() string {
	var parts []string
	for _, kv := range [][2]string{{"id", s.ID}, {"tag", s.Tag}, {"level", s.Level}, {"path", s.Path}} {
		if kv[1] != "" {
			parts = append(parts, kv[0]+"="+kv[1])
		}
	}
	return strings.Join(parts, " ")
}

type compiledSelector struct {
	id, level string
	tag, path *regexp.Regexp
}

func (c *compiledSelector) matches(r *sigma.Rule) bool {
	if c.id != "" && c.id != r.ID && c.id != r.Name {
		return false
	}
	if c.level != "" && !strings.EqualFold(c.level, r.Level) {
		return false
	}
	if c.tag != nil {
		ok := false
		for _, t := range r.Tags {
			if c.tag.MatchString(strings.ToLower(t)) {
				ok = true
				break
			}
		}
		if !ok {
			return false
		}
	}
	if c.path != nil {
		p := strings.ReplaceAll(r.Path, "\\", "/")
		ok := c.path.MatchString(p)
		for i := 0; !ok && i < len(p); i++ {
			if p[i] == '/' {
				ok = c.path.MatchString(p[i+1:])
			}
		}
		if !ok {
			return false
		}
	}
	return true
}

// globRegexp turns a glob into an anchored expression.
func globRegexp(glob string, fold bool) (*regexp.Regexp, error) {
	var b strings.Builder
	b.WriteString("^")
	if fold {
		b.WriteString("(?i)")
	}
	for i := 0; i < len(glob); i++ {
		switch c := glob[i]; {
		case c == '*' && i+1 < len(glob) && glob[i+1] == '*':
			b.WriteString(".*")
			i++
		case c == '*':
			b.WriteString("[^/]*")
		case c == '?':
			b.WriteString("[^/]")
		default:
			b.WriteString(regexp.QuoteMeta(string(c)))
		}
	}
	b.WriteString("$")
	return regexp.Compile(b.String())
}

// KeepFunc returns the sigma.Config.Keep of a configuration's enable and
// disable lists: a rule is left out when a disable selector matches it
// and no enable selector does. It returns nil when both are empty.
func KeepFunc(enable, disable []Selector) (func(*sigma.Rule) bool, error) {
	compile := func(list []Selector) ([]*compiledSelector, error) {
		var out []*compiledSelector
		for _, s := range list {
			if s == (Selector{}) {
				return nil, fmt.Errorf("rule selector: set id, tag, level or path")
			}
			c := &compiledSelector{id: s.ID, level: s.Level}
			var err error
			if s.Tag != "" {
				if c.tag, err = globRegexp(strings.ToLower(s.Tag), true); err != nil {
					return nil, fmt.Errorf("rule selector tag %q: %w", s.Tag, err)
				}
			}
			if s.Path != "" {
				if c.path, err = globRegexp(s.Path, false); err != nil {
					return nil, fmt.Errorf("rule selector path %q: %w", s.Path, err)
				}
			}
			out = append(out, c)
		}
		return out, nil
	}
	en, err := compile(enable)
	if err != nil {
		return nil, err
	}
	dis, err := compile(disable)
	if err != nil {
		return nil, err
	}
	if len(dis) == 0 {
		return nil, nil
	}
	any := func(list []*compiledSelector, r *sigma.Rule) bool {
		for _, c := range list {
			if c.matches(r) {
				return true
			}
		}
		return false
	}
	return func(r *sigma.Rule) bool { return !any(dis, r) || any(en, r) }, nil
}
