package patterns

import (
	"fmt"
	"os"
	"testing"
)

func TestSweep(t *testing.T) {
	if os.Getenv("SWEEP") == "" {
		t.Skip()
	}
	for _, st := range []float64{0.4, 0.5, 0.6, 0.65, 0.7, 0.75, 0.8} {
		for _, d := range []int{3, 4, 5} {
			sum := 0.0
			line := ""
			for _, sys := range loghubSystems {
				s := readLoghub(t, sys)
				m := NewMiner(MinerOptions{Similarity: st, Depth: d})
				ps := make([]*Pattern, len(s.content))
				for i, c := range s.content {
					ps[i], _ = m.Add(c)
				}
				final := make([]string, len(ps))
				for i, p := range ps {
					final[i] = p.Current().Template
				}
				ga := groupingAccuracy(s.event, final)
				sum += ga
				line += fmt.Sprintf(" %.3f", ga)
			}
			fmt.Printf("st=%.2f d=%d avg=%.3f %s\n", st, d, sum/8, line)
		}
	}
}
