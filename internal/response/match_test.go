package response

import (
	"regexp"
	"strings"
	"testing"
	"unicode/utf8"

	"github.com/vigilsiem/vigil/internal/config"
	"github.com/vigilsiem/vigil/internal/incident"
)

func TestGlob(t *testing.T) {
	f := func(p, s string, want bool) {
		t.Helper()
		if got := globMatch(p, s); got != want {
			t.Errorf("globMatch(%q, %q) = %v, want %v", p, s, got, want)
		}
	}
	f("", "", true)
	f("", "a", false)
	f("*", "", true)
	f("*", "anything", true)
	f("attack.t1110*", "attack.t1110.001", true)
	f("attack.t1110*", "attack.t1111", false)
	f("a?c", "abc", true)
	f("a?c", "ac", false)
	f("a?c", "aéc", true)
	f("*brute*", "win brute force", true)
	f("*a*b*c", "xaxbxbxc", true)
	f("*a*b*c", "xaxbxbxcx", false)
	f("a**b", "ab", true)
	f("exact", "exact", true)
	f("exact", "exactly", false)
	f(strings.Repeat("*a", 30)+"b", strings.Repeat("a", 5000), false) // no exponential blow-up
}

// FuzzGlob checks the glob matcher against the regular expression it
// stands for.
func FuzzGlob(f *testing.F) {
	for _, s := range [][2]string{{"a*b?c", "axxbyc"}, {"*", ""}, {"?", "é"}, {"**a", "ba"}, {"a.b", "a.b"}, {"(x)", "(x)"}} {
		f.Add(s[0], s[1])
	}
	f.Fuzz(func(t *testing.T, p, s string) {
		if !utf8.ValidString(p) || !utf8.ValidString(s) {
			return
		}
		var re strings.Builder
		re.WriteString(`(?s)^`)
		for _, r := range p {
			switch r {
			case '*':
				re.WriteString(".*")
			case '?':
				re.WriteString(".")
			default:
				re.WriteString(regexp.QuoteMeta(string(r)))
			}
		}
		re.WriteString("$")
		want := regexp.MustCompile(re.String()).MatchString(s)
		if got := globMatch(p, s); got != want {
			t.Fatalf("globMatch(%q, %q) = %v, regexp %s says %v", p, s, got, re.String(), want)
		}
	})
}

func TestMatch(t *testing.T) {
	a := mkAlert("a1", "high") // rule-a1, "Brute force a1", tags t1110.001 and credential_access, tenant acme
	f := func(m config.ResponseMatch, want bool) {
		t.Helper()
		mt := newMatcher(m)
		if got := mt.matchAlert(&a); got != want {
			t.Errorf("match %+v on the alert = %v, want %v", m, got, want)
		}
	}
	f(config.ResponseMatch{}, true)
	f(config.ResponseMatch{MinLevel: "high"}, true)
	f(config.ResponseMatch{MinLevel: "critical"}, false)
	f(config.ResponseMatch{MinLevel: "informational"}, true)
	f(config.ResponseMatch{Rules: []string{"rule-a1"}}, true)
	f(config.ResponseMatch{Rules: []string{"RULE-A*"}}, true)
	f(config.ResponseMatch{Rules: []string{"brute force*"}}, true)
	f(config.ResponseMatch{Rules: []string{"other", "*force a1"}}, true)
	f(config.ResponseMatch{Rules: []string{"rule-a"}}, false)
	f(config.ResponseMatch{Tags: []string{"attack.t1110*"}}, true)
	f(config.ResponseMatch{Tags: []string{"attack.T1110.001"}}, true)
	f(config.ResponseMatch{Tags: []string{"attack.t1059*"}}, false)
	f(config.ResponseMatch{Tenants: []string{"acme", "globex"}}, true)
	f(config.ResponseMatch{Tenants: []string{"globex"}}, false)
	f(config.ResponseMatch{Rules: []string{"rule-a1"}, MinLevel: "high", Tags: []string{"attack.credential_access"}, Tenants: []string{"acme"}}, true)
	f(config.ResponseMatch{Rules: []string{"rule-a1"}, MinLevel: "high", Tags: []string{"attack.lateral_movement"}}, false)

	inc := incident.Incident{Tenant: "acme", Severity: "medium", Tags: []string{"attack.t1046"},
		Rules: []incident.Rule{{ID: "scan", Title: "Port scan"}, {ID: "trav", Title: "Path traversal"}}}
	g := func(m config.ResponseMatch, want bool) {
		t.Helper()
		mt := newMatcher(m)
		if got := mt.matchIncident(&inc); got != want {
			t.Errorf("match %+v on the incident = %v, want %v", m, got, want)
		}
	}
	g(config.ResponseMatch{}, true)
	g(config.ResponseMatch{Rules: []string{"path traversal"}}, true)
	g(config.ResponseMatch{Rules: []string{"scan"}}, true)
	g(config.ResponseMatch{Rules: []string{"brute*"}}, false)
	g(config.ResponseMatch{MinLevel: "medium"}, true)
	g(config.ResponseMatch{MinLevel: "high"}, false)
	g(config.ResponseMatch{Tags: []string{"attack.t1046"}}, true)
}
