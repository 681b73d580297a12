package embedded

import (
	"context"
	"fmt"
	"math/rand/v2"
	"os"
	"slices"
	"testing"
	"time"

	"github.com/vigilsiem/vigil/internal/event"
	"github.com/vigilsiem/vigil/internal/store"
)

// TestPartsFindEveryMatch: terms planted in random rows (in the original,
// in a message that is not part of it, in a field no bare term searches)
// are found by searches over cold files, whose blocks and parts have token
// filters, exactly as by the same searches over the same events while hot,
// which no filter narrows; also after a restart, from the meta read back.
// And the parts narrow: a term in one row reads fewer rows than its block.
func TestPartsFindEveryMatch(t *testing.T) {
	ctx := context.Background()
	seed := uint64(time.Now().UnixNano())
	t.Logf("seed %d", seed)
	rng := rand.New(rand.NewPCG(seed, 7))
	blockRows, partRows := 150+rng.IntN(150), 10+rng.IntN(40)
	n := 1500 + rng.IntN(1000)
	base := time.Date(2026, 11, 23, 1, 0, 0, 0, time.UTC)
	const needles = 16
	words := []string{"alpha", "beta", "gamma", "delta", "accepted", "failed", "session", "opened"}
	var events []*event.Event
	planted := map[string]int{}
	for i := range n {
		orig := fmt.Sprintf("<13>host%d app%d: %s %s id%d", i%7, i%3, words[rng.IntN(len(words))], words[rng.IntN(len(words))], i)
		msg := ""
		other := ""
		// A few needles per row at most, in random places.
		for range rng.IntN(2) {
			if rng.IntN(6) != 0 {
				continue
			}
			nd := fmt.Sprintf("ndl%02d", rng.IntN(needles))
			planted[nd]++
			switch rng.IntN(4) {
			case 0, 1:
				orig += " " + nd
			case 2:
				msg = "msg " + nd
			default:
				other = nd
			}
		}
		e := &event.Event{Timestamp: base.Add(time.Duration(i) * time.Second), Tenant: "acme", Source: "tcp", Original: orig}
		e.ID = event.NewID("acme", "tcp", "", i, []byte(orig))
		e.SetString("host.name", fmt.Sprintf("host%d", i%7))
		e.SetString("process.name", fmt.Sprintf("app%d", i%3))
		if msg != "" {
			e.SetString("message", msg)
		}
		if other != "" {
			e.SetString("user.name", other)
		}
		events = append(events, e)
	}
	var reqs []store.Request
	for k := range needles {
		nd := fmt.Sprintf("ndl%02d", k)
		from := rng.IntN(n)
		reqs = append(reqs,
			store.Request{Query: nd},
			store.Request{Query: nd + " " + words[k%len(words)]},
			store.Request{Query: fmt.Sprintf("%s OR ndl%02d", nd, (k+1)%needles)},
			store.Request{Query: "message:" + nd},
			store.Request{Query: nd, From: base.Add(time.Duration(from) * time.Second), To: base.Add(time.Duration(from+1+rng.IntN(n)) * time.Second)})
	}
	reqs = append(reqs, store.Request{Query: "accepted"}, store.Request{Query: "nosuchterm"}, store.Request{Query: "ndl0*"})
	ids := func(s *Store, req store.Request) []string {
		t.Helper()
		req.Tenant, req.Limit = "acme", store.MaxLimit
		res, err := s.Search(ctx, req)
		if err != nil {
			t.Fatalf("%q: %v", req.Query, err)
		}
		var out []string
		for _, r := range res.Rows {
			for _, c := range r {
				if c.Name == event.FieldID {
					out = append(out, fmt.Sprint(c.Value))
				}
			}
		}
		slices.Sort(out)
		return append(out, fmt.Sprint("total ", res.Total))
	}

	dir := t.TempDir()
	opts := Options{Dir: dir, Interval: time.Hour, MemoryLimit: "512MB", Threads: 2, blockRows: blockRows, partRows: partRows}
	s, err := Open(opts)
	if err != nil {
		t.Fatal(err)
	}
	if err := s.Write(ctx, events); err != nil {
		t.Fatal(err)
	}
	hot := make([][]string, len(reqs))
	for i, req := range reqs {
		hot[i] = ids(s, req)
	}
	if err := s.Freeze(ctx); err != nil {
		t.Fatal(err)
	}
	d := s.datasets[store.Events]
	fs := d.cold.all()["acme"]
	if len(fs) != 1 || len(fs[0].Blocks) < 2 || len(fs[0].Blocks[0].Parts) != (blockRows+partRows-1)/partRows {
		t.Fatalf("want a file of blocks of %d rows in parts of %d: %+v", blockRows, partRows, fs)
	}
	// A term planted in one row reads fewer rows than whole blocks.
	var read, blocks int64
	for k := range needles {
		nd := fmt.Sprintf("ndl%02d", k)
		if planted[nd] != 1 {
			continue
		}
		picks, _ := d.cold.files("acme", time.Time{}, time.Time{}, []string{nd})
		for _, p := range picks {
			for _, r := range p.ranges {
				read += r[1] - r[0] + 1
			}
		}
		blocks += int64(blockRows)
	}
	if read >= blocks && blocks > 0 {
		t.Errorf("terms in one row read %d rows, whole blocks %d", read, blocks)
	}
	check := func(s *Store, when string) {
		for i, req := range reqs {
			if got := ids(s, req); !slices.Equal(got, hot[i]) {
				t.Errorf("%s: %q (from %v to %v): %v, hot %v", when, req.Query, req.From, req.To, got, hot[i])
			}
		}
	}
	check(s, "cold")
	if err := s.Close(); err != nil {
		t.Fatal(err)
	}
	s, err = Open(opts)
	if err != nil {
		t.Fatal(err)
	}
	defer s.Close()
	check(s, "reopened")
}

// TestColdMetaParts: a meta whose parts do not cover their block, or with
// a part without a filter, is refused; one without parts is read.
func TestColdMetaParts(t *testing.T) {
	p := t.TempDir() + "/s0000000000000001-0000000000000001-0.parquet"
	const filter = `{"k":4,"m":64,"bits":"AAAAAAAAAAA="}`
	meta := func(partRows int, parts ...string) string {
		ps := ""
		if len(parts) > 0 {
			ps = fmt.Sprintf(`,"part_rows":%d,"parts":[%s]`, partRows, join(parts))
		}
		return `{"v":3,"rows":10,"min":"2026-01-01T00:00:00Z","max":"2026-01-01T00:00:00Z","blocks":[{"rows":10,"min":"2026-01-01T00:00:00Z","max":"2026-01-01T00:00:00Z","tokens":` + filter + ps + `}]}`
	}
	for _, m := range []string{meta(4, filter, filter), meta(4, filter, filter, filter, filter), meta(0, filter), meta(4, filter, "null", filter), meta(4, filter, `{"k":4,"m":64,"bits":"!"}`, filter)} {
		if err := os.WriteFile(p+".meta", []byte(m), 0o600); err != nil {
			t.Fatal(err)
		}
		if _, err := readMeta(p); err == nil {
			t.Errorf("accepted %s", m)
		}
	}
	for _, m := range []string{meta(4, filter, filter, filter), meta(4)} {
		if err := os.WriteFile(p+".meta", []byte(m), 0o600); err != nil {
			t.Fatal(err)
		}
		if cf, err := readMeta(p); err != nil || len(cf.Blocks) != 1 {
			t.Errorf("refused %s: %v", m, err)
		}
	}
}

func join(parts []string) string {
	out := ""
	for i, p := range parts {
		if i > 0 {
			out += ","
		}
		out += p
	}
	return out
}
