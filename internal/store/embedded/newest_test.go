package embedded

import (
	"context"
	"fmt"
	"math/rand/v2"
	"reflect"
	"testing"
	"time"

	"github.com/vigilsiem/vigil/internal/event"
	"github.com/vigilsiem/vigil/internal/store"
)

// TestNewestPageMatchesFullScan: pages of every event (`*`), read from the
// newest blocks the meta points at, by place, with the total from the
// blocks' meta (newest.go), equal cell for cell and in order the pages and
// totals of the full scan through DuckDB: random events of three tenants
// in several cold files of small blocks and hot segments, many sharing a
// timestamp (ties at a page's end), time ranges cutting files and blocks,
// first pages and later ones, pages larger than the range.
func TestNewestPageMatchesFullScan(t *testing.T) {
	ctx := context.Background()
	seed := uint64(time.Now().UnixNano())
	t.Logf("seed %d", seed)
	rng := rand.New(rand.NewPCG(seed, 13))
	s, err := Open(Options{Dir: t.TempDir(), Interval: time.Hour, MemoryLimit: "512MB", Threads: 2,
		blockRows: 40 + rng.IntN(80), partRows: 10 + rng.IntN(20)})
	if err != nil {
		t.Fatal(err)
	}
	defer s.Close()

	tenants := []string{"acme", "beta", "gamma"}
	base := time.Date(2026, 11, 23, 20, 0, 0, 0, time.UTC)
	i := 0
	batch := func(n int) []*event.Event {
		var evs []*event.Event
		for range n {
			i++
			tenant := tenants[rng.IntN(len(tenants))]
			// Half the events on a coarse grid of times (ties), over
			// two days (several files a tenant).
			at := base.Add(time.Duration(rng.IntN(48*4)) * 15 * time.Minute)
			if rng.IntN(2) == 0 {
				at = at.Add(time.Duration(rng.Int64N(15*60e6)) * time.Microsecond)
			}
			orig := fmt.Sprintf("<13>host%d app: event %d word%d", i%5, i, rng.IntN(50))
			e := &event.Event{Timestamp: at, Ingested: base, Tenant: tenant, Source: "tcp", Original: orig}
			e.ID = event.NewID(tenant, "tcp", "", i, []byte(orig))
			if rng.IntN(2) == 0 {
				e.Set("port", event.Int(int64(rng.IntN(1000))))
			}
			if rng.IntN(3) == 0 {
				e.SetString("user.name", fmt.Sprint("u", rng.IntN(20)))
			}
			evs = append(evs, e)
		}
		return evs
	}
	for range 3 + rng.IntN(3) {
		if err := s.Write(ctx, batch(200+rng.IntN(400))); err != nil {
			t.Fatal(err)
		}
		if err := s.Freeze(ctx); err != nil {
			t.Fatal(err)
		}
	}
	if err := s.Write(ctx, batch(50+rng.IntN(150))); err != nil { // hot
		t.Fatal(err)
	}

	d := s.datasets[store.Events]
	search := func(req store.Request, fast bool) *store.Result {
		t.Helper()
		s.opts.noNewestBound, s.opts.noPlaceRead = !fast, !fast
		res, err := s.Search(ctx, req)
		if err != nil {
			t.Fatalf("%+v: %v", req, err)
		}
		return res
	}
	at := func() time.Time { return base.Add(time.Duration(rng.Int64N(int64(50 * time.Hour)))) }
	placed := int64(0)
	for k := range 120 {
		req := store.Request{Tenant: tenants[k%len(tenants)], Query: "*", Limit: []int{1, 2, 7, 30, 100, 2000}[rng.IntN(6)]}
		if rng.IntN(4) == 0 {
			req.Offset = rng.IntN(50)
		}
		switch rng.IntN(4) {
		case 1:
			req.From = at()
		case 2:
			req.To = at()
		case 3:
			req.From = at()
			req.To = req.From.Add(time.Duration(rng.Int64N(int64(30 * time.Hour))))
		}
		before := d.placeReads.Load()
		got := search(req, true)
		placed += d.placeReads.Load() - before
		want := search(req, false)
		if got.Total != want.Total || !reflect.DeepEqual(sortedCells(got.Rows), sortedCells(want.Rows)) {
			t.Fatalf("%+v:\nnew total %d\n%v\nfull scan total %d\n%v", req, got.Total, got.Rows, want.Total, want.Rows)
		}
	}
	if placed == 0 {
		t.Fatal("no page of every event was read by place")
	}
	t.Logf("%d pages read by place", placed)
}
