package pipelines

import (
	"fmt"
	"sort"
	"strings"
	"testing"
)

// TestBuiltinPipelinesConformToECS runs every built-in test file (the Go
// normalisers first, as serve does) and checks each output against ECS
// with ingest.CheckECS: categorisation values and their combinations,
// IPs, ports, byte counts, @timestamp, user names holding a domain, empty
// host names, event.code and pid types, and names under an ECS field set
// that ECS does not define. Vendor namespaces (fortinet.*, zeek.*) are free.
func TestBuiltinPipelinesConformToECS(t *testing.T) {
	set := builtinSet(t)
	byRule := map[string]int{}
	names := make([]string, 0)
	files := testFiles(t)
	for name := range files {
		names = append(names, name)
	}
	sort.Strings(names)
	for _, name := range names {
		for _, r := range files[name].Run(set, goNormalizers()) {
			for _, v := range r.ECS {
				byRule[v.Rule]++
				t.Errorf("%s: %s: %s", name, r.Name, v)
			}
		}
	}
	if len(byRule) > 0 {
		rules := make([]string, 0, len(byRule))
		for r, n := range byRule {
			rules = append(rules, fmt.Sprintf("%s=%d", r, n))
		}
		sort.Strings(rules)
		t.Logf("ECS violations by rule: %s", strings.Join(rules, " "))
	}
}
