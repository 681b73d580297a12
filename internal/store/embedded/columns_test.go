package embedded

import (
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"os"
	"path/filepath"
	"strings"
	"testing"
	"time"

	"github.com/vigilsiem/vigil/internal/event"
	"github.com/vigilsiem/vigil/internal/query"
	"github.com/vigilsiem/vigil/internal/store"
	"github.com/vigilsiem/vigil/internal/store/storetest"
)

func search(t *testing.T, s store.Store, tenant, q string) *store.Result {
	t.Helper()
	res, err := s.Search(context.Background(), store.Request{Tenant: tenant, Query: q})
	if err != nil {
		t.Fatalf("search %s %q: %v", tenant, q, err)
	}
	return res
}

func attackEvent(tenant string, fields map[string]event.Value) *event.Event {
	e := &event.Event{Timestamp: storetest.Base, Ingested: storetest.Base, Tenant: tenant, Source: "udp", Original: "attack"}
	e.ID = event.NewID(tenant, "udp", fmt.Sprint(len(fields)), 0, []byte(e.Original))
	for k, v := range fields {
		e.Set(k, v)
	}
	return e
}

func readCatalog(t *testing.T, dir string) []*column {
	t.Helper()
	b, err := os.ReadFile(filepath.Join(dir, "store", "events", "catalog.json"))
	if err != nil {
		t.Fatal(err)
	}
	var cols []*column
	if err := json.Unmarshal(b, &cols); err != nil {
		t.Fatal(err)
	}
	return cols
}

// TestNULInFieldNameKeepsSearchWorking is issue 9 item 2: one field name
// with a NUL made every search and freeze of every tenant fail, and the
// name, saved in catalog.json, kept it so after a restart.
func TestNULInFieldNameKeepsSearchWorking(t *testing.T) {
	dir := t.TempDir()
	s := openTest(t, dir)
	ctx := context.Background()
	if err := s.Write(ctx, storetest.Events("acme", 5)); err != nil {
		t.Fatal(err)
	}
	if err := s.Write(ctx, []*event.Event{attackEvent("evil", map[string]event.Value{"a\x00": event.Int(1), "b\x01\xffc": event.String("x")})}); err != nil {
		t.Fatal(err)
	}
	check := func(when string) {
		t.Helper()
		if n := search(t, s, "acme", "").Total; n != 5 {
			t.Fatalf("%s: acme has %d events, want 5", when, n)
		}
		res := search(t, s, "evil", "")
		if res.Total != 1 {
			t.Fatalf("%s: evil has %d events, want 1", when, res.Total)
		}
		if got := res.Rows[0].Text("a\x00"); got != "1" {
			t.Errorf("%s: the field with a NUL reads %q, want 1 under its own name: %v", when, got, res.Rows[0])
		}
		if n := search(t, s, "evil", "a_=1").Total; n != 1 {
			t.Errorf("%s: search by the renamed column a_: %d, want 1", when, n)
		}
	}
	check("hot")
	for _, c := range readCatalog(t, dir) {
		if !safeColumn(c.Column) {
			t.Errorf("catalog holds column %q", c.Column)
		}
	}
	if err := s.(*Store).Freeze(ctx); err != nil {
		t.Fatalf("freeze: %v", err)
	}
	check("cold")
	s.Close()
	s = openTest(t, dir)
	defer s.Close()
	check("after a restart")
}

// TestPoisonedCatalogLoads opens a catalog.json written by a version that
// kept a NUL in a column name: it loads, the column is renamed, and search
// works for every tenant.
func TestPoisonedCatalogLoads(t *testing.T) {
	dir := t.TempDir()
	s := openTest(t, dir)
	if err := s.Write(context.Background(), storetest.Events("acme", 3)); err != nil {
		t.Fatal(err)
	}
	s.Close()
	cat := filepath.Join(dir, "store", "events", "catalog.json")
	b, err := os.ReadFile(cat)
	if err != nil {
		t.Fatal(err)
	}
	poisoned := strings.Replace(string(b), "[", `[{"field": "a\u0000", "column": "a\u0000", "kinds": 2},`, 1)
	if err := os.WriteFile(cat, []byte(poisoned), 0o600); err != nil {
		t.Fatal(err)
	}
	s = openTest(t, dir)
	defer s.Close()
	if n := search(t, s, "acme", "").Total; n != 3 {
		t.Fatalf("after loading a poisoned catalog: %d events, want 3", n)
	}
	if err := s.(*Store).Freeze(context.Background()); err != nil {
		t.Fatalf("freeze: %v", err)
	}
	for _, c := range readCatalog(t, dir) {
		if !safeColumn(c.Column) {
			t.Errorf("catalog still holds column %q", c.Column)
		}
	}
}

// TestManyKeysStayWithTheirTenant is issue 9 item 3: 4,000 distinct keys
// from one sender made every search of every tenant fail with DuckDB out
// of memory, and again after a freeze. A tenant's columns are bounded, the
// rest go to the overflow column where they stay searchable, and other
// tenants' searches never read them.
func TestManyKeysStayWithTheirTenant(t *testing.T) {
	dir := t.TempDir()
	const limit = 100
	s, err := Open(Options{Dir: dir, Interval: time.Hour, MemoryLimit: "512MB", Threads: 2, Columns: ColumnLimits{TenantColumns: limit}})
	if err != nil {
		t.Fatal(err)
	}
	ctx := context.Background()
	if err := s.Write(ctx, storetest.Events("acme", 5)); err != nil {
		t.Fatal(err)
	}
	keys := map[string]event.Value{}
	for i := 0; i < 4000; i++ {
		keys[fmt.Sprintf("k%d", i)] = event.String(fmt.Sprintf("v%d", i))
	}
	if err := s.Write(ctx, []*event.Event{attackEvent("evil", keys)}); err != nil {
		t.Fatal(err)
	}
	check := func(when string) {
		t.Helper()
		if n := search(t, s, "acme", "").Total; n != 5 {
			t.Fatalf("%s: acme has %d events, want 5", when, n)
		}
		res := search(t, s, "evil", "")
		if res.Total != 1 || len(res.Rows[0]) < 4000 {
			t.Fatalf("%s: evil: %d events, first with %d cells; want 1 with every key", when, res.Total, len(res.Rows[0]))
		}
		if got := res.Rows[0].Text("k3999"); got != "v3999" {
			t.Errorf("%s: k3999 = %q, want v3999", when, got)
		}
		if res := search(t, s, "evil", "* | sort k3000 | fields k3999"); res.Total != 1 || res.Rows[0].Text("k3999") != "v3999" {
			t.Errorf("%s: sort by and fields of overflow keys: %v", when, res.Rows)
		}
		for _, q := range []string{"k3999=v3999", "k0=v0", "k2500=V2500", "k2500=v25*", "* | stats count() by k1234", "NOT k1=nope"} {
			if res := search(t, s, "evil", q); res.Total != 1 {
				t.Errorf("%s: evil %q: %d, want 1", when, q, res.Total)
			}
		}
		if n := search(t, s, "acme", "k3999=v3999").Total; n != 0 {
			t.Errorf("%s: acme finds evil's key: %d", when, n)
		}
		d := s.datasets[store.Events]
		snap := d.cat.load()
		rel, _ := d.relation(snap, mustParse(t, ""), store.Request{Tenant: "acme"})
		if strings.Contains(rel, `"k0"`) {
			t.Errorf("%s: acme's search reads evil's columns", when)
		}
	}
	check("hot")
	var evil int
	for _, c := range readCatalog(t, dir) {
		for _, tn := range c.Tenants {
			if tn == "evil" {
				evil++
			}
		}
	}
	if evil > limit {
		t.Errorf("evil has %d columns, want at most %d", evil, limit)
	}
	if err := s.Freeze(ctx); err != nil {
		t.Fatalf("freeze: %v", err)
	}
	check("cold")
	// New data after the freeze does not break search again.
	more := map[string]event.Value{}
	for i := 4000; i < 8000; i++ {
		more[fmt.Sprintf("k%d", i)] = event.Int(int64(i))
	}
	if err := s.Write(ctx, []*event.Event{attackEvent("evil", more)}); err != nil {
		t.Fatal(err)
	}
	if n := search(t, s, "acme", "").Total; n != 5 {
		t.Fatalf("after more keys: acme has %d events, want 5", n)
	}
	if n := search(t, s, "evil", "k7999=7999").Total; n != 1 {
		t.Errorf("after more keys: evil k7999=7999: %d, want 1", n)
	}
	s.Close()
}

// TestInvalidTenantDoesNotStopFreezing is issue 9 item 4 (the store's
// part): the store refuses to write an invalid tenant name, and rows of one
// already in the hot log (from an older version) are quarantined by the
// freeze instead of failing it for every tenant for good.
func TestInvalidTenantDoesNotStopFreezing(t *testing.T) {
	dir := t.TempDir()
	s := openTest(t, dir)
	ctx := context.Background()
	for _, bad := range []string{"", "../x", strings.Repeat("a", 300), "a\x00"} {
		err := s.Write(ctx, storetest.Events(bad, 1))
		if !errors.Is(err, store.ErrInvalidTenant) {
			t.Errorf("write to tenant %q: %v, want ErrInvalidTenant", bad, err)
		}
	}
	if err := s.Write(ctx, storetest.Events("acme", 10)); err != nil {
		t.Fatal(err)
	}
	// A line an older version wrote for a forged tenant, committed as the
	// hot log commits every batch.
	bad := `{"@timestamp":"2026-11-23T10:00:00.000000Z","event.id":"forged","vigil.tenant":"beta/../../x","vigil.source":"hec","message":"forged"}` + "\n"
	var info batchInfo
	info.add(storetest.Base)
	if err := s.(*Store).datasets[store.Events].hot.append([]byte(bad), info, []string{"beta/../../x"}, 0); err != nil {
		t.Fatal(err)
	}
	s.Close()
	// Reopened, the segment is read back without its token index: the
	// freeze finds the tenants by reading it.
	s = openTest(t, dir)
	defer s.Close()
	if err := s.Write(ctx, storetest.Events("beta", 4)); err != nil {
		t.Fatal(err)
	}
	if err := s.(*Store).Freeze(ctx); err != nil {
		t.Fatalf("freeze with a forged tenant in the hot log: %v", err)
	}
	if n := search(t, s, "acme", "").Total; n != 10 {
		t.Errorf("acme after the freeze: %d, want 10", n)
	}
	if n := search(t, s, "beta", "").Total; n != 4 {
		t.Errorf("beta after the freeze: %d, want 4", n)
	}
	if hot := s.(*Store).datasets[store.Events].hot.sealedSegments(); len(hot) != 0 {
		t.Errorf("%d segments still hot: the freeze did not finish", len(hot))
	}
	q, err := filepath.Glob(filepath.Join(dir, "store", "events", "quarantine", "*.ndjson"))
	if err != nil || len(q) != 1 {
		t.Fatalf("quarantine files: %v %v", q, err)
	}
	if b, _ := os.ReadFile(q[0]); string(b) != bad {
		t.Errorf("quarantine holds %q, want the forged line byte for byte", b)
	}
}

func mustParse(t *testing.T, q string) *query.Plan {
	t.Helper()
	p, err := query.Parse(q)
	if err != nil {
		t.Fatal(err)
	}
	return p
}
