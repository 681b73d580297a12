package patterns

import (
	"fmt"
	"os"
	"testing"
)

func TestDebugSystem(t *testing.T) {
	sys := os.Getenv("SYS")
	if sys == "" {
		t.Skip()
	}
	s := readLoghub(t, sys)
	m := NewMiner(MinerOptions{Similarity: 0.8})
	ps := make([]*Pattern, len(s.content))
	for i, c := range s.content {
		ps[i], _ = m.Add(c)
	}
	// for each predicted group, list truth events
	groups := map[string]map[string]int{}
	ex := map[string]string{}
	truthN := map[string]int{}
	for i, p := range ps {
		tp := p.Current().Template
		if groups[tp] == nil {
			groups[tp] = map[string]int{}
		}
		groups[tp][s.event[i]]++
		ex[s.event[i]] = s.content[i]
		truthN[s.event[i]]++
	}
	for tp, ev := range groups {
		bad := len(ev) > 1
		for e, n := range ev {
			if n != truthN[e] {
				bad = true
			}
		}
		if bad {
			fmt.Printf("GROUP %q\n", tp)
			for e, n := range ev {
				fmt.Printf("   %s %d/%d  %q\n", e, n, truthN[e], ex[e])
			}
		}
	}
}
