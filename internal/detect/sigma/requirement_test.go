package sigma

import (
	"slices"
	"testing"
)

func ruleSetOf(t *testing.T, yml string) *RuleSet {
	t.Helper()
	r, err := ParseRule([]byte(yml))
	if err != nil {
		t.Fatal(err)
	}
	c := NewCompiler(Config{})
	cr, err := c.Compile(r)
	if err != nil {
		t.Fatal(err)
	}
	return c.NewRuleSet([]*Compiled{cr})
}

func TestRequirementAndFields(t *testing.T) {
	rs := ruleSetOf(t, "title: t\nlogsource: {product: linux, service: sshd}\ndetection:\n  sel:\n    message|contains: 'Failed Password'\n  condition: sel\n")
	lits, ok := rs.Requirement()
	if !ok || len(lits) != 1 || lits[0].Text != "failed password" || !slices.Contains(lits[0].Fields, "message") {
		t.Fatalf("requirement %+v %v", lits, ok)
	}
	names, all := rs.Fields()
	if all || !slices.Contains(names, "message") || !slices.Contains(names, "process.name") {
		t.Fatalf("fields %v all=%v: want the rule's and the logsource's", names, all)
	}
	// a keyword search reads any field, and requires nothing of one field
	kw := ruleSetOf(t, "title: k\nlogsource: {product: linux}\ndetection:\n  keywords: ['evil']\n  condition: keywords\n")
	if _, all := kw.Fields(); !all {
		t.Fatal("a keyword rule must read every field")
	}
	if lits, ok := kw.Requirement(); ok {
		t.Fatalf("keyword requirement %+v", lits)
	}
	// a rule that can match without a literal: no requirement
	num := ruleSetOf(t, "title: n\nlogsource: {product: linux}\ndetection:\n  sel:\n    port|gt: 1000\n  condition: sel\n")
	if lits, ok := num.Requirement(); ok {
		t.Fatalf("numeric requirement %+v", lits)
	}
}
