package patterns

import (
	"encoding/csv"
	"fmt"
	"os"
	"path/filepath"
	"testing"
)

// loghubSystems are the loghub 2k samples in ../shared/data/loghub.
var loghubSystems = []string{"Apache", "HDFS", "Hadoop", "Linux", "Mac", "OpenSSH", "Windows", "Zookeeper"}

// loghubDir is the loghub data beside the repository.
const loghubDir = "../../../shared/data/loghub"

// loghubSample is one labelled 2k sample: the Content column of
// <System>_2k.log_structured.csv (the message part of each line, as
// loghub's own header regexes split it) and its EventId.
type loghubSample struct {
	content, event []string
}

func readLoghub(tb testing.TB, system string) loghubSample {
	tb.Helper()
	f, err := os.Open(filepath.Join(loghubDir, system, system+"_2k.log_structured.csv"))
	if err != nil {
		tb.Skipf("loghub data: %v", err)
	}
	defer f.Close()
	rows, err := csv.NewReader(f).ReadAll()
	if err != nil {
		tb.Fatalf("read %s: %v", system, err)
	}
	ci, ei := -1, -1
	for i, h := range rows[0] {
		switch h {
		case "Content":
			ci = i
		case "EventId":
			ei = i
		}
	}
	var s loghubSample
	for _, r := range rows[1:] {
		s.content = append(s.content, r[ci])
		s.event = append(s.event, r[ei])
	}
	return s
}

// groupingAccuracy is the metric of the Drain paper (and of loghub's
// benchmark): a message is parsed correctly when the set of messages
// grouped with it is exactly the set of messages of its true event.
func groupingAccuracy(truth, got []string) float64 {
	truthSets := map[string][]int{}
	gotSets := map[string][]int{}
	for i := range truth {
		truthSets[truth[i]] = append(truthSets[truth[i]], i)
		gotSets[got[i]] = append(gotSets[got[i]], i)
	}
	correct := 0
	for _, idx := range gotSets {
		t := truth[idx[0]]
		same := len(truthSets[t]) == len(idx)
		for _, i := range idx {
			if truth[i] != t {
				same = false
				break
			}
		}
		if same {
			correct += len(idx)
		}
	}
	return float64(correct) / float64(len(truth))
}

func TestLoghubMinerOnly(t *testing.T) {
	sum := 0.0
	for _, sys := range loghubSystems {
		s := readLoghub(t, sys)
		m := NewMiner(MinerOptions{})
		ps := make([]*Pattern, len(s.content))
		online := make([]string, len(s.content))
		for i, c := range s.content {
			p, _ := m.Add(c)
			ps[i] = p
			online[i] = p.ID
		}
		final := make([]string, len(ps))
		for i, p := range ps {
			final[i] = p.Current().Template
		}
		ga := groupingAccuracy(s.event, final)
		sum += ga
		fmt.Printf("%-10s %.3f online %.3f patterns %d\n", sys, ga, groupingAccuracy(s.event, online), m.Len())
	}
	fmt.Printf("average %.3f\n", sum/float64(len(loghubSystems)))
}
