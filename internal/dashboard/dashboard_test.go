package dashboard

import (
	"strings"
	"testing"
)

func TestBuiltinsValidate(t *testing.T) {
	seen := map[string]bool{}
	for _, d := range Builtins() {
		if seen[d.ID] {
			t.Errorf("duplicate id %s", d.ID)
		}
		seen[d.ID] = true
		if err := Validate(&d); err != nil {
			t.Errorf("%s: %v", d.ID, err)
		}
		if !strings.HasPrefix(d.ID, BuiltinPrefix) || !d.Builtin {
			t.Errorf("%s: want the builtin prefix and flag", d.ID)
		}
	}
	if len(seen) != 5 {
		t.Errorf("want 5 built-in dashboards (Windows, Linux auth, firewall, web, cloud), got %d", len(seen))
	}
}

func TestValidateRefuses(t *testing.T) {
	ok := Panel{Title: "x", Query: "* | stats count()", Chart: Bar}
	for name, d := range map[string]Dashboard{
		"bad id":       {ID: "a/b", Title: "t"},
		"no title":     {ID: "a"},
		"events query": {ID: "a", Title: "t", Panels: []Panel{{Title: "x", Query: "user.name:root", Chart: Table}}},
		"parse error":  {ID: "a", Title: "t", Panels: []Panel{{Title: "x", Query: "a | bogus", Chart: Table}}},
		"chart":        {ID: "a", Title: "t", Panels: []Panel{{Title: "x", Query: ok.Query, Chart: "pie"}}},
		"width":        {ID: "a", Title: "t", Panels: []Panel{{Title: "x", Query: ok.Query, Chart: Bar, Width: 4}}},
		"too many":     {ID: "a", Title: "t", Panels: make([]Panel, MaxPanels+1)},
	} {
		if err := Validate(&d); err == nil {
			t.Errorf("%s: accepted", name)
		}
	}
	d := Dashboard{ID: "a", Title: " t ", Panels: []Panel{ok}}
	if err := Validate(&d); err != nil || d.Title != "t" {
		t.Errorf("valid dashboard: %v (title %q)", err, d.Title)
	}
}

func TestSavedSearchValidate(t *testing.T) {
	s := SavedSearch{ID: NewID(), Name: "root logins", Query: "user.name:root", Owner: "alice", Cols: []string{"host.name"}}
	if err := ValidateSearch(&s); err != nil {
		t.Fatal(err)
	}
	for name, bad := range map[string]SavedSearch{
		"no owner": {ID: "a", Name: "n", Query: "x"},
		"query":    {ID: "a", Name: "n", Query: "a | bogus", Owner: "o"},
		"col":      {ID: "a", Name: "n", Query: "x", Owner: "o", Cols: []string{"a b"}},
		"name":     {ID: "a", Query: "x", Owner: "o"},
	} {
		if err := ValidateSearch(&bad); err == nil {
			t.Errorf("%s: accepted", name)
		}
	}
}
