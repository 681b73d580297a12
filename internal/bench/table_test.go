package bench

import (
	"os"
	"strings"
	"testing"
)

func writeFile(path string) error { return os.WriteFile(path, []byte("#!/bin/sh\n"), 0o755) }

func TestSpread(t *testing.T) {
	cases := []struct {
		in          []float64
		med, lo, hi float64
	}{
		{nil, 0, 0, 0},
		{[]float64{5}, 5, 5, 5},
		{[]float64{9, 1, 5}, 5, 1, 9},
		{[]float64{4, 1, 3, 2}, 2.5, 1, 4},
	}
	for _, c := range cases {
		in := append([]float64(nil), c.in...)
		m, lo, hi := spread(c.in)
		if m != c.med || lo != c.lo || hi != c.hi {
			t.Errorf("spread(%v) = %v %v %v, want %v %v %v", in, m, lo, hi, c.med, c.lo, c.hi)
		}
		for i := range in {
			if in[i] != c.in[i] {
				t.Errorf("spread reordered its input %v", c.in)
			}
		}
	}
}

func TestRatio(t *testing.T) {
	cases := []struct {
		v, p float64
		b    better
		want string
	}{
		{146, 114, higherIsBetter, "1.28× better"},
		{47, 107, higherIsBetter, "0.44× (worse)"},
		{87.6, 36, lowerIsBetter, "2.43× more"},
		{18, 36, lowerIsBetter, "2.00× less"},
		{835, 3.6, lowerIsBetter, "232× slower"},
		{37, 70, lowerIsBetter, "1.89× faster"},
		{0, 70, lowerIsBetter, "n/a"},
	}
	for _, c := range cases {
		worse, good := "more", "less"
		if strings.HasSuffix(c.want, "slower") || strings.HasSuffix(c.want, "faster") {
			worse, good = "slower", "faster"
		}
		if got := ratio(c.v, c.p, c.b, worse, good); got != c.want {
			t.Errorf("ratio(%v, %v) = %q, want %q", c.v, c.p, got, c.want)
		}
	}
}

func report(sys string, epc, rss float64, ms float64, ans int64) *Report {
	return &Report{System: sys, EventsPerCPUSec: epc, EndToEndEventsPerCPUSec: epc / 2, ColdBytesPerEvent: 40,
		PeakRSSSettledBytes: int64(rss) << 20, PeakRSSBytes: 1 << 40,
		Queries: []QueryResult{{Name: "count-by-field", Median: ms, Answer: 100}, {Name: "rare-term", Median: ms * 10, Answer: ans}}}
}

// TestBuildTable: each figure is the median over the system's runs, the
// ratio compares the medians, and a query whose answers differ in any run
// gets a warning.
func TestBuildTable(t *testing.T) {
	vigil := []*Report{report("vigil", 100e3, 500, 10, 10), report("vigil", 300e3, 700, 30, 10), report("vigil", 200e3, 600, 20, 10)}
	peer := []*Report{report("vl", 50e3, 100, 1, 10), report("vl", 100e3, 300, 3, 9), report("vl", 150e3, 200, 2, 10)}
	tab := BuildTable("victoria-logs", vigil, peer)
	if tab.Runs != 3 || len(tab.Rows) != 6 {
		t.Fatalf("runs %d, rows %d", tab.Runs, len(tab.Rows))
	}
	row := func(label string) Row {
		for _, r := range tab.Rows {
			if strings.HasPrefix(r.Label, label) {
				return r
			}
		}
		t.Fatalf("no row %q", label)
		return Row{}
	}
	if r := row("ingest until searchable"); r.Vigil != 200e3 || r.Peer != 100e3 || r.Ratio != "2.00× better" {
		t.Errorf("ingest row %+v", r)
	}
	if r := row("end to end"); r.Vigil != 100e3 || r.Peer != 50e3 {
		t.Errorf("end-to-end row %+v", r)
	}
	if r := row("peak RSS"); r.Vigil != 600 || r.Peer != 200 || r.Ratio != "3.00× more" {
		t.Errorf("rss row %+v", r)
	}
	if r := row("count-by-field"); r.Vigil != 20 || r.Peer != 2 || r.Ratio != "10× slower" || r.Warning != "" {
		t.Errorf("count row %+v", r)
	}
	if r := row("rare-term"); !strings.Contains(r.Warning, "run 2: vigil 10, victoria-logs 9") {
		t.Errorf("rare-term row has no warning: %+v", r)
	}
	var b strings.Builder
	if err := tab.Write(&b); err != nil {
		t.Fatal(err)
	}
	out := b.String()
	for _, want := range []string{
		"| median of 3 runs each | victoria-logs | Vigil | Vigil vs victoria-logs | answers |",
		"| ingest until searchable, events per CPU-second | 100.0k | 200.0k | 2.00× better |  |",
		"| count-by-field | 2.0 ms | 20.0 ms | 10× slower | same |",
		"**answers differ: run 2: vigil 10, victoria-logs 9**",
	} {
		if !strings.Contains(out, want) {
			t.Errorf("table lacks %q:\n%s", want, out)
		}
	}
}
