package detect

import (
	"path/filepath"
	"testing"

	"github.com/vigilsiem/vigil/internal/detect/sigma"
)

func TestKeepFunc(t *testing.T) {
	keep, err := KeepFunc([]Selector{{ID: "keep-me"}}, []Selector{{Level: "LOW"}, {Tag: "attack.t1110*"}, {Path: "sigma/windows/**"}})
	if err != nil {
		t.Fatal(err)
	}
	cases := []struct {
		r    sigma.Rule
		want bool
	}{
		{sigma.Rule{ID: "a", Level: "high", Path: "/d/sigma/linux/x.yml"}, true},
		{sigma.Rule{ID: "b", Level: "low", Path: "/d/x.yml"}, false},
		{sigma.Rule{ID: "keep-me", Level: "low"}, true},
		{sigma.Rule{ID: "c", Level: "high", Tags: []string{"attack.T1110.001"}}, false},
		{sigma.Rule{ID: "d", Level: "high", Path: "/data/rules/sigma/windows/builtin/y.yml"}, false},
		{sigma.Rule{ID: "e", Level: "high", Path: "/data/rules/mysigma/windows/y.yml"}, true},
	}
	for _, c := range cases {
		if got := keep(&c.r); got != c.want {
			t.Errorf("keep(%+v) = %v, want %v", c.r, got, c.want)
		}
	}
	if k, err := KeepFunc([]Selector{{ID: "x"}}, nil); k != nil || err != nil {
		t.Errorf("enable alone: keep %v, err %v; want no filter", k != nil, err)
	}
	if _, err := KeepFunc(nil, []Selector{{}}); err == nil {
		t.Error("an empty selector was accepted")
	}
}

// Disabling a base rule a kept correlation needs keeps it loaded, silent;
// disabling the correlation drops what only it needed.
func TestDisabledRules(t *testing.T) {
	dir := t.TempDir()
	write(t, filepath.Join(dir, "mr_bruteforce.yml"), bruteForce)
	keep, _ := KeepFunc(nil, []Selector{{Level: "low"}, {Level: "informational"}})
	rs, err := LoadRules(sigma.Config{Keep: keep}, dir)
	if err != nil {
		t.Fatal(err)
	}
	if rs.Set.Len() != 2 || rs.Correlations.Len() != 2 || len(rs.Silent) != 2 || rs.Active() != 2 || len(rs.Rejected) != 0 {
		t.Fatalf("rules %d, correlations %d, silent %d, active %d, rejected %v", rs.Set.Len(), rs.Correlations.Len(), len(rs.Silent), rs.Active(), rs.Rejected)
	}
	for r := range rs.Silent {
		if rs.Emits(r) {
			t.Errorf("silent rule %s emits", r.Title)
		}
	}
	keep, _ = KeepFunc(nil, []Selector{{ID: "5b8e1f2a-8c1d-4d0e-9a41-1f6f0c1d2e3f"}, {Level: "low"}, {Level: "informational"}})
	rs, err = LoadRules(sigma.Config{Keep: keep}, dir)
	if err != nil {
		t.Fatal(err)
	}
	// the inner correlation (no level) stays, with the failed logons it
	// counts, silent
	if rs.Len() != 2 || rs.Disabled != 2 || len(rs.Silent) != 1 || len(rs.Rejected) != 0 {
		t.Errorf("rules %d, disabled %d, silent %d, rejected %v", rs.Len(), rs.Disabled, len(rs.Silent), rs.Rejected)
	}
}
