package sigma_test

import (
	"os"
	"path/filepath"
	"strings"
	"sync"
	"syscall"
	"testing"
	"time"

	"github.com/vigilsiem/vigil/internal/detect/sigma"
	"github.com/vigilsiem/vigil/internal/event"
	"github.com/vigilsiem/vigil/internal/hunt"
	"github.com/vigilsiem/vigil/internal/testutil"
)

var (
	benchOnce   sync.Once
	benchEvents []*event.Event
	benchBytes  int64
	benchErr    error
	sinkRules   []*sigma.Rule
)

// sampleEvents decodes every record of the EVTX samples once.
func sampleEvents(b *testing.B) ([]*event.Event, int64) {
	dir := testutil.SharedData(b, "evtx")
	benchOnce.Do(func() {
		benchErr = filepath.WalkDir(dir, func(p string, d os.DirEntry, err error) error {
			if err != nil || d.IsDir() || !strings.HasSuffix(strings.ToLower(p), ".evtx") {
				return err
			}
			f, err := os.Open(p)
			if err != nil {
				return err
			}
			defer f.Close()
			_ = hunt.ReadEVTX(f, p, func(e *event.Event) error {
				benchEvents = append(benchEvents, e)
				benchBytes += int64(len(e.AppendJSON(nil)))
				return nil
			})
			return nil
		})
	})
	if benchErr != nil {
		b.Fatal(benchErr)
	}
	if len(benchEvents) == 0 {
		b.Fatal("no events decoded from the EVTX samples")
	}
	return benchEvents, benchBytes
}

func loadCorpus(b *testing.B) *sigma.RuleSet {
	res, err := sigma.Load(sigma.Config{}, testutil.SharedData(b, "sigma"))
	if err != nil {
		b.Fatal(err)
	}
	return res.Set
}

// BenchmarkMatchCorpus evaluates the whole SigmaHQ corpus on the events of
// the EVTX samples, one event per op. SetBytes is the mean size of an
// event as flat JSON, so MB/s reads as JSON throughput.
func BenchmarkMatchCorpus(b *testing.B) {
	events, size := sampleEvents(b)
	rs := loadCorpus(b)
	m := rs.NewMatcher()
	b.SetBytes(size / int64(len(events)))
	b.ReportAllocs()
	b.ResetTimer()
	i := 0
	var dst []*sigma.Rule
	cpu0 := cpuTime()
	for b.Loop() {
		dst = m.Match(events[i], dst[:0])
		i++
		if i == len(events) {
			i = 0
		}
	}
	sinkRules = dst
	b.ReportMetric(float64(b.N)/b.Elapsed().Seconds(), "events/s")
	// On a shared machine wall time undercounts a core; CPU time does not.
	if cpu := (cpuTime() - cpu0).Seconds(); cpu > 0 {
		b.ReportMetric(float64(b.N)/cpu, "events/cpu-s")
	}
}

// cpuTime is the CPU time this process has used (user and system).
func cpuTime() time.Duration {
	var ru syscall.Rusage
	if err := syscall.Getrusage(syscall.RUSAGE_SELF, &ru); err != nil {
		return 0
	}
	return time.Duration(ru.Utime.Nano() + ru.Stime.Nano())
}

// BenchmarkCompileCorpus parses and compiles the whole corpus.
func BenchmarkCompileCorpus(b *testing.B) {
	dir := testutil.SharedData(b, "sigma")
	files, err := sigma.RuleFiles(dir)
	if err != nil {
		b.Fatal(err)
	}
	var total int64
	for _, f := range files {
		st, err := os.Stat(f)
		if err != nil {
			b.Fatal(err)
		}
		total += st.Size()
	}
	b.SetBytes(total)
	b.ReportAllocs()
	for b.Loop() {
		res, err := sigma.Load(sigma.Config{}, dir)
		if err != nil {
			b.Fatal(err)
		}
		if res.Set.Len() == 0 {
			b.Fatal("nothing compiled")
		}
	}
}

// BenchmarkExplainCorpus explains matches of the SigmaHQ corpus on the
// EVTX samples, one (rule, event) match per op: what an alert that opens
// costs on top of matching (non-matching events pay nothing).
func BenchmarkExplainCorpus(b *testing.B) {
	events, _ := sampleEvents(b)
	rs := loadCorpus(b)
	type pair struct {
		r *sigma.Rule
		e *event.Event
	}
	var pairs []pair
	m := rs.NewMatcher()
	for _, e := range events {
		for _, r := range m.Match(e, nil) {
			pairs = append(pairs, pair{r, e})
		}
	}
	if len(pairs) == 0 {
		b.Fatal("no rule matched the samples")
	}
	b.ReportAllocs()
	b.ResetTimer()
	i := 0
	for b.Loop() {
		p := pairs[i]
		if _, ok := rs.Explain(p.r, p.e); !ok {
			b.Fatalf("match of %q not explained", p.r.Title)
		}
		i++
		if i == len(pairs) {
			i = 0
		}
	}
}
