package api

import (
	"testing"

	"github.com/vigilsiem/vigil/internal/query"
)

// A tail's batch query keeps the user's filter whole and names each id as
// a literal, whatever a sender put in event.id (quotes, backslashes,
// spaces, wildcards, query syntax).
func TestBatchQuery(t *testing.T) {
	ids := []string{`plain`, `x"y`, `a\b`, `c d`, `w*`, `) OR *`, `user.name:root`}
	for _, filter := range []string{"", "*", "a OR b", "NOT user.name:root", `message:"x y" host.name:web*`} {
		plan := query.MustParse(filter)
		q := batchQuery(plan.Filter, ids)
		got, err := query.Parse(q)
		if err != nil {
			t.Fatalf("filter %q: %q does not parse: %v", filter, q, err)
		}
		var matches []string
		query.Walk(got.Filter, func(e query.Expr) {
			if m, ok := e.(*query.Match); ok && m.Field == "event.id" {
				if m.Wild {
					t.Errorf("filter %q: id %q became a pattern", filter, m.Value)
				}
				matches = append(matches, m.Value)
			}
		})
		if len(matches) != len(ids) {
			t.Fatalf("filter %q: ids %v, want %v (query %q)", filter, matches, ids, q)
		}
		for i := range ids {
			if matches[i] != ids[i] {
				t.Errorf("filter %q: id %q read back as %q", filter, ids[i], matches[i])
			}
		}
		if plan.Filter != nil {
			and, ok := got.Filter.(*query.And)
			if !ok {
				t.Fatalf("filter %q: %q is not an AND", filter, q)
			}
			if _, ok := and.Args[len(and.Args)-1].(*query.Or); !ok {
				t.Errorf("filter %q: %q does not end with the OR of the ids", filter, q)
			}
			rest := &query.And{Args: and.Args[:len(and.Args)-1]}
			var restExpr query.Expr = rest
			if len(rest.Args) == 1 {
				restExpr = rest.Args[0]
			}
			if query.ExprString(restExpr) != query.ExprString(plan.Filter) {
				t.Errorf("filter %q: kept as %q", filter, query.ExprString(restExpr))
			}
		}
	}
}
