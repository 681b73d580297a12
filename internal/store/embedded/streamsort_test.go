package embedded

import (
	"context"
	"database/sql"
	"fmt"
	"slices"
	"testing"
	"time"

	"github.com/vigilsiem/vigil/internal/event"
	"github.com/vigilsiem/vigil/internal/store"
)

func TestMemberText(t *testing.T) {
	key := []byte(`,"host.name":"`)
	for line, want := range map[string]string{
		`{"a":1,"host.name":"web-01","b":2}`:                  "web-01",
		`{"a":1,"host.name":"we\"b\\","b":2}`:                 `we\"b\\`,
		`{"x":"say \",\"host.name\":\"evil","b":2}`:           "",
		`{"x":"say","host.name":"","b":2}`:                    "",
		`{"x":"say","host.name":"unterminated`:                "",
		`{"x":"say \",\"host.name\":\"no","host.name":"yes"}`: "yes",
	} {
		if got := string(memberText([]byte(line), key)); got != want {
			t.Errorf("%s: %q, want %q", line, got, want)
		}
	}
}

// TestSortByStream: the rows of each block are grouped by application,
// in time order within a group; each block holds the same rows as in time
// order, and the meta's time ranges are the rows' own.
func TestSortByStream(t *testing.T) {
	ctx := context.Background()
	base := time.Date(2026, 11, 23, 1, 0, 0, 0, time.UTC)
	s, err := Open(Options{Dir: t.TempDir(), Interval: time.Hour, MemoryLimit: "512MB", Threads: 2, blockRows: 100})
	if err != nil {
		t.Fatal(err)
	}
	defer s.Close()
	var evs []*event.Event
	for i := range 250 {
		e := &event.Event{Timestamp: base.Add(time.Duration(i) * time.Second), Tenant: "acme", Source: "tcp",
			Original: fmt.Sprintf("line %d", i)}
		e.ID = event.NewID("acme", "tcp", "", i, []byte(e.Original))
		e.SetString("host.name", fmt.Sprintf("host%d", 3-(i/5)%4))
		if i%4 != 0 {
			e.SetString("process.name", []string{"sshd", "cron", "sudo"}[i%3])
		}
		evs = append(evs, e)
	}
	if err := s.Write(ctx, evs); err != nil {
		t.Fatal(err)
	}
	if err := s.Freeze(ctx); err != nil {
		t.Fatal(err)
	}
	fs := s.datasets[store.Events].cold.all()["acme"]
	if len(fs) != 1 || len(fs[0].Blocks) != 3 {
		t.Fatalf("want one file of 3 blocks: %+v", fs)
	}
	f := fs[0]
	if !f.Min.Equal(base) || !f.Max.Equal(base.Add(249*time.Second)) {
		t.Errorf("file range %v–%v", f.Min, f.Max)
	}
	db, err := sql.Open("duckdb", "")
	if err != nil {
		t.Fatal(err)
	}
	defer db.Close()
	rs, err := db.Query(`SELECT coalesce("process.name", ''), "host.name", "@timestamp" FROM read_parquet(` + sqlString(f.Path) + `)`)
	if err != nil {
		t.Fatal(err)
	}
	defer rs.Close()
	type row struct {
		app, host string
		ts        time.Time
	}
	var rows []row
	for rs.Next() {
		var r row
		if err := rs.Scan(&r.app, &r.host, &r.ts); err != nil {
			t.Fatal(err)
		}
		rows = append(rows, r)
	}
	if len(rows) != 250 {
		t.Fatalf("%d rows", len(rows))
	}
	for b, blk := range f.Blocks {
		got := rows[b*100 : min(b*100+100, 250)]
		// The block's rows in time order, grouped by application in the
		// order each first appears.
		want := slices.Clone(got)
		slices.SortFunc(want, func(x, y row) int { return x.ts.Compare(y.ts) })
		apps := map[string]int{}
		for _, r := range want {
			if _, ok := apps[r.app]; !ok {
				apps[r.app] = len(apps)
			}
		}
		slices.SortStableFunc(want, func(x, y row) int { return apps[x.app] - apps[y.app] })
		if !slices.Equal(got, want) {
			t.Errorf("block %d not in stream order: %v", b, got[:5])
		}
		lo, hi := got[0].ts, got[0].ts
		for _, r := range got {
			if r.ts.Before(base.Add(time.Duration(b*100)*time.Second)) || !r.ts.Before(base.Add(time.Duration(b*100+100)*time.Second)) {
				t.Errorf("block %d holds a row of %v", b, r.ts)
			}
			if r.ts.Before(lo) {
				lo = r.ts
			}
			if r.ts.After(hi) {
				hi = r.ts
			}
		}
		if !blk.Min.Equal(lo) || !blk.Max.Equal(hi) {
			t.Errorf("block %d: meta range %v–%v, rows %v–%v", b, blk.Min, blk.Max, lo, hi)
		}
	}
}
