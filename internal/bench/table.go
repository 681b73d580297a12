package bench

import (
	"fmt"
	"io"
	"sort"
	"strings"
)

// spread returns the median, minimum and maximum of xs (zeros when empty);
// the median of an even count is the mean of the middle two.
func spread(xs []float64) (median, lo, hi float64) {
	if len(xs) == 0 {
		return 0, 0, 0
	}
	s := append([]float64(nil), xs...)
	sort.Float64s(s)
	n := len(s)
	median = s[n/2]
	if n%2 == 0 {
		median = (s[n/2-1] + s[n/2]) / 2
	}
	return median, s[0], s[n-1]
}

func median(xs []float64) float64 {
	m, _, _ := spread(xs)
	return m
}

// Row is one line of the comparison table: the medians over runs of each
// system, how Vigil compares, and a warning when the systems' answers to a
// query differ.
type Row struct {
	Label   string  `json:"label"`
	Peer    float64 `json:"peer"`
	Vigil   float64 `json:"vigil"`
	Unit    string  `json:"unit"`
	Ratio   string  `json:"ratio"`
	Warning string  `json:"warning,omitempty"`
}

// Table is the side-by-side comparison of issue 13.
type Table struct {
	Peer string `json:"peer"`
	Runs int    `json:"runs"`
	Rows []Row  `json:"rows"`
}

// better says which way a row is better.
type better bool

const (
	higherIsBetter better = true
	lowerIsBetter  better = false
)

// ratio words how Vigil compares with the peer: "1.28× better" or "0.44×"
// (worse) where higher is better, "10× slower" or "1.9× faster" for
// latencies, "2.4× more" or "2.0× less" for sizes.
func ratio(vigil, peer float64, b better, worse, good string) string {
	if vigil <= 0 || peer <= 0 {
		return "n/a"
	}
	if b == higherIsBetter {
		r := vigil / peer
		if r >= 1 {
			return fmt.Sprintf("%s× better", num(r))
		}
		return fmt.Sprintf("%s× (worse)", num(r))
	}
	if vigil <= peer {
		return fmt.Sprintf("%s× %s", num(peer/vigil), good)
	}
	return fmt.Sprintf("%s× %s", num(vigil/peer), worse)
}

// num prints a ratio with two significant digits at least.
func num(r float64) string {
	switch {
	case r >= 100:
		return fmt.Sprintf("%.0f", r)
	case r >= 10:
		return fmt.Sprintf("%.0f", r)
	default:
		return fmt.Sprintf("%.2f", r)
	}
}

// BuildTable makes the comparison table from runs of Vigil and of the peer:
// each figure is the median over that system's runs.
func BuildTable(peer string, vigil, peers []*Report) *Table {
	t := &Table{Peer: peer, Runs: min(len(vigil), len(peers))}
	med := func(rs []*Report, f func(*Report) float64) float64 {
		var xs []float64
		for _, r := range rs {
			xs = append(xs, f(r))
		}
		return median(xs)
	}
	add := func(label, unit string, b better, worse, good string, f func(*Report) float64) {
		v, p := med(vigil, f), med(peers, f)
		t.Rows = append(t.Rows, Row{Label: label, Peer: p, Vigil: v, Unit: unit, Ratio: ratio(v, p, b, worse, good)})
	}
	add("ingest until searchable, events per CPU-second", "events/CPU-s", higherIsBetter, "", "", func(r *Report) float64 { return r.EventsPerCPUSec })
	add("end to end, data in its final form, events per CPU-second", "events/CPU-s", higherIsBetter, "", "", func(r *Report) float64 { return r.EndToEndEventsPerCPUSec })
	add("bytes per event on disk, final form", "bytes", lowerIsBetter, "more", "less", func(r *Report) float64 { return r.ColdBytesPerEvent })
	add("peak RSS during ingest and settling", "MiB", lowerIsBetter, "more", "less", func(r *Report) float64 { return float64(r.PeakRSSSettledBytes) / (1 << 20) })
	for _, name := range queryNames(vigil, peers) {
		q := func(r *Report) *QueryResult {
			for i := range r.Queries {
				if r.Queries[i].Name == name {
					return &r.Queries[i]
				}
			}
			return nil
		}
		lat := func(r *Report) float64 {
			if qr := q(r); qr != nil {
				return qr.Median
			}
			return 0
		}
		add(name, "ms", lowerIsBetter, "slower", "faster", lat)
		var diffs []string
		for i := 0; i < t.Runs; i++ {
			vq, pq := q(vigil[i]), q(peers[i])
			switch {
			case vq == nil || pq == nil:
				diffs = append(diffs, fmt.Sprintf("run %d: not run by both", i+1))
			case vq.Answer != pq.Answer:
				diffs = append(diffs, fmt.Sprintf("run %d: vigil %d, %s %d", i+1, vq.Answer, peer, pq.Answer))
			}
		}
		if len(diffs) > 0 {
			t.Rows[len(t.Rows)-1].Warning = "answers differ: " + strings.Join(diffs, "; ")
		}
	}
	return t
}

// queryNames lists the queries of the runs, in the order first seen.
func queryNames(runs ...[]*Report) []string {
	var names []string
	seen := map[string]bool{}
	for _, rs := range runs {
		for _, r := range rs {
			for _, q := range r.Queries {
				if !seen[q.Name] {
					seen[q.Name] = true
					names = append(names, q.Name)
				}
			}
		}
	}
	return names
}

// Write prints the table as Markdown.
func (t *Table) Write(w io.Writer) error {
	var b strings.Builder
	fmt.Fprintf(&b, "| median of %d runs each | %s | Vigil | Vigil vs %s | answers |\n|---|---|---|---|---|\n", t.Runs, t.Peer, t.Peer)
	for _, r := range t.Rows {
		warn := "same"
		if r.Unit != "ms" {
			warn = ""
		}
		if r.Warning != "" {
			warn = "**" + r.Warning + "**"
		}
		fmt.Fprintf(&b, "| %s | %s | %s | %s | %s |\n", r.Label, figure(r.Peer, r.Unit), figure(r.Vigil, r.Unit), r.Ratio, warn)
	}
	_, err := io.WriteString(w, b.String())
	return err
}

// figure prints a value in its unit, with precision that suits its size.
func figure(v float64, unit string) string {
	switch unit {
	case "events/CPU-s":
		return fmt.Sprintf("%.1fk", v/1000)
	case "bytes":
		return fmt.Sprintf("%.1f", v)
	case "MiB":
		return fmt.Sprintf("%.0f MiB", v)
	case "ms":
		if v >= 100 {
			return fmt.Sprintf("%.0f ms", v)
		}
		return fmt.Sprintf("%.1f ms", v)
	}
	return fmt.Sprintf("%g %s", v, unit)
}
