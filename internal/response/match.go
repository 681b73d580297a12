package response

import (
	"strings"
	"unicode/utf8"

	"github.com/vigilsiem/vigil/internal/alert"
	"github.com/vigilsiem/vigil/internal/config"
	"github.com/vigilsiem/vigil/internal/incident"
)

// matcher is a compiled config.ResponseMatch.
type matcher struct {
	rules, tags []string // lowered glob patterns
	tenants     map[string]bool
	minRank     int // -1: any level
}

func newMatcher(m config.ResponseMatch) matcher {
	mt := matcher{minRank: -1}
	for _, p := range m.Rules {
		mt.rules = append(mt.rules, strings.ToLower(strings.TrimSpace(p)))
	}
	for _, p := range m.Tags {
		mt.tags = append(mt.tags, strings.ToLower(strings.TrimSpace(p)))
	}
	if len(m.Tenants) > 0 {
		mt.tenants = map[string]bool{}
		for _, t := range m.Tenants {
			mt.tenants[strings.TrimSpace(t)] = true
		}
	}
	if m.MinLevel != "" {
		mt.minRank = alert.LevelRank(m.MinLevel)
	}
	return mt
}

// matchAlert reports whether an alert matches.
func (m *matcher) matchAlert(a *alert.Alert) bool {
	return m.match(a.Tenant, a.Level, a.Tags, func(yield func(string) bool) {
		_ = yield(a.RuleID) && yield(a.Title)
	})
}

// matchIncident reports whether an incident matches: its tenant, its
// severity, any of its tags, and the id or title of any of its rules.
func (m *matcher) matchIncident(inc *incident.Incident) bool {
	return m.match(inc.Tenant, inc.Severity, inc.Tags, func(yield func(string) bool) {
		for _, r := range inc.Rules {
			if !yield(r.ID) || !yield(r.Title) {
				return
			}
		}
	})
}

func (m *matcher) match(tenant, level string, tags []string, rules func(func(string) bool)) bool {
	if m.tenants != nil && !m.tenants[tenant] {
		return false
	}
	if m.minRank >= 0 && alert.LevelRank(level) < m.minRank {
		return false
	}
	if len(m.tags) > 0 && !anyGlob(m.tags, func(yield func(string) bool) {
		for _, t := range tags {
			if !yield(t) {
				return
			}
		}
	}) {
		return false
	}
	if len(m.rules) > 0 && !anyGlob(m.rules, rules) {
		return false
	}
	return true
}

// anyGlob reports whether any value matches any pattern.
func anyGlob(patterns []string, values func(func(string) bool)) bool {
	found := false
	values(func(v string) bool {
		v = strings.ToLower(v)
		for _, p := range patterns {
			if globMatch(p, v) {
				found = true
				return false
			}
		}
		return true
	})
	return found
}

// globMatch reports whether s matches pattern, where * matches any run of
// characters (none included) and ? exactly one; both are compared as they
// are (callers lower them). The classic two-pointer walk with one
// backtrack point: linear for patterns with one *, O(len(p)·len(s)) at
// worst, never exponential.
func globMatch(p, s string) bool {
	pi, si := 0, 0
	starP, starS := -1, 0
	for si < len(s) {
		if pi < len(p) {
			switch c := p[pi]; c {
			case '*':
				starP, starS = pi, si
				pi++
				continue
			case '?':
				_, n := utf8.DecodeRuneInString(s[si:])
				pi++
				si += n
				continue
			default:
				pr, pn := utf8.DecodeRuneInString(p[pi:])
				sr, sn := utf8.DecodeRuneInString(s[si:])
				if pr == sr && (pr != utf8.RuneError || (pn == sn && p[pi:pi+pn] == s[si:si+sn])) {
					pi += pn
					si += sn
					continue
				}
			}
		}
		if starP < 0 {
			return false
		}
		// Let the last * take one more character and try again.
		_, n := utf8.DecodeRuneInString(s[starS:])
		starS += n
		pi, si = starP+1, starS
	}
	for pi < len(p) && p[pi] == '*' {
		pi++
	}
	return pi == len(p)
}
