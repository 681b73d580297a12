package sigma

import (
	"sort"
	"strings"

	"gopkg.in/yaml.v3"
)

// DetectionFields returns the field names the rule's detection reads (the
// part before any |modifier), sorted, without duplicates; keyword searches
// are not fields and are left out.
func (r *Rule) DetectionFields() []string {
	seen := map[string]bool{}
	var walk func(n *yaml.Node)
	walk = func(n *yaml.Node) {
		if n == nil {
			return
		}
		switch n.Kind {
		case yaml.MappingNode:
			for i := 0; i+1 < len(n.Content); i += 2 {
				name, _, _ := strings.Cut(n.Content[i].Value, "|")
				if name != "" {
					seen[name] = true
				}
			}
		case yaml.SequenceNode:
			for _, c := range n.Content {
				if c.Kind == yaml.MappingNode {
					walk(c)
				}
			}
		case yaml.AliasNode:
			walk(n.Alias)
		}
	}
	for _, n := range r.Detection.Searches {
		walk(n)
	}
	out := make([]string, 0, len(seen))
	for f := range seen {
		out = append(out, f)
	}
	sort.Strings(out)
	return out
}

// ProductOf names the product a rule is reported under by `vigil rules
// check`: its logsource product, else its category, else "any".
func (r *Rule) ProductOf() string {
	switch {
	case r.Logsource.Product != "":
		return r.Logsource.Product
	case r.Logsource.Category != "":
		return r.Logsource.Category
	}
	return "any"
}

// UnmappedFields returns the detection fields of the rule that no
// normaliser or pipeline is known to fill (IsMapped): none for a fully
// mapped rule. Windows rules read the EVTX layout, which every Windows
// source produces, so they have none.
func (r *Rule) UnmappedFields() []string {
	if r.Logsource.Product == "windows" {
		return nil
	}
	var out []string
	for _, f := range r.DetectionFields() {
		if !IsMapped(r.Logsource, f) {
			out = append(out, f)
		}
	}
	return out
}
