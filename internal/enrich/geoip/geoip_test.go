package geoip

import (
	"context"
	"encoding/json"
	"net/netip"
	"os"
	"path/filepath"
	"testing"
	"time"

	"github.com/vigilsiem/vigil/internal/enrich/internal/iptable"
	"github.com/vigilsiem/vigil/internal/event"
	"github.com/vigilsiem/vigil/internal/testutil"
)

func mmdb(t testing.TB, name string) string {
	return filepath.Join(testutil.SharedData(t, "mmdb/test-data"), name)
}

// sourceData loads one of the JSON files the test databases were built
// from into a prefix table, so the expected record of an address is the
// longest prefix that holds it, as in the database.
func sourceData(t *testing.T, name string) *iptable.Table[map[string]any] {
	t.Helper()
	b, err := os.ReadFile(filepath.Join(testutil.SharedData(t, "mmdb/source-data"), name))
	if err != nil {
		t.Fatal(err)
	}
	var entries []map[string]map[string]any
	if err := json.Unmarshal(b, &entries); err != nil {
		t.Fatal(err)
	}
	tb := &iptable.Table[map[string]any]{}
	for _, ent := range entries {
		for p, rec := range ent {
			tb.Insert(fromSource(t, p), rec)
		}
	}
	return tb
}

// fromSource reads a source-data network; "::a.b.c.d/N" is an IPv4
// network in the IPv4 subtree.
func fromSource(t *testing.T, s string) netip.Prefix {
	p := netip.MustParsePrefix(s)
	if a := p.Addr(); a.Is6() && p.Bits() >= 96 {
		b := a.As16()
		if [12]byte(b[:12]) == [12]byte{} {
			return netip.PrefixFrom(netip.AddrFrom4([4]byte(b[12:])), p.Bits()-96)
		}
	}
	return p
}

func str(m map[string]any, path ...string) string {
	var v any = m
	for _, k := range path {
		mm, ok := v.(map[string]any)
		if !ok {
			return ""
		}
		v = mm[k]
	}
	s, _ := v.(string)
	return s
}

// TestCityAgainstSource looks up every network of each City and Country
// test database's JSON source (its first address) and compares the fields.
func TestCityAgainstSource(t *testing.T) {
	for _, name := range []string{"GeoIP2-City-Test", "GeoLite2-City-Test", "GeoIP2-Country-Test", "GeoLite2-Country-Test"} {
		t.Run(name, func(t *testing.T) { checkAgainstSource(t, name) })
	}
}

func checkAgainstSource(t *testing.T, name string) {
	g, err := New(Options{City: mmdb(t, name+".mmdb"), ASN: mmdb(t, "GeoLite2-ASN-Test.mmdb")})
	if err != nil {
		t.Fatal(err)
	}
	want := sourceData(t, name+".json")
	checked := 0
	want.Range(func(p netip.Prefix, _ map[string]any) bool {
		a := p.Addr()
		rec, _, _ := want.Lookup(a)
		e := &event.Event{}
		e.Set("destination.ip", event.IP(a))
		g.Enrich(e)
		country := str(rec, "country", "iso_code")
		if country == "" {
			country = str(rec, "registered_country", "iso_code")
		}
		checks := map[string]string{
			"destination.geo.country_iso_code": country,
			"destination.geo.city_name":        str(rec, "city", "names", "en"),
			"destination.geo.continent_code":   str(rec, "continent", "code"),
			"destination.geo.timezone":         str(rec, "location", "time_zone"),
			"destination.geo.postal_code":      str(rec, "postal", "code"),
		}
		for name, w := range checks {
			if got := e.GetString(name); got != w {
				t.Errorf("%s: %s = %q, want %q", a, name, got, w)
			}
		}
		if loc, ok := rec["location"].(map[string]any); ok {
			if lat, ok := loc["latitude"].(float64); ok {
				v, _ := e.Get("destination.geo.location.lat")
				if v.Kind() != event.KindFloat || v.Float() != lat {
					t.Errorf("%s: lat = %v, want %v", a, v.Text(), lat)
				}
			}
		}
		checked++
		return true
	})
	if checked < 200 {
		t.Fatalf("checked %d networks", checked)
	}
}

func TestASNAgainstSource(t *testing.T) {
	g, err := New(Options{ASN: mmdb(t, "GeoLite2-ASN-Test.mmdb")})
	if err != nil {
		t.Fatal(err)
	}
	want := sourceData(t, "GeoLite2-ASN-Test.json")
	checked := 0
	want.Range(func(p netip.Prefix, _ map[string]any) bool {
		rec, _, _ := want.Lookup(p.Addr())
		e := &event.Event{}
		e.Set("source.ip", event.IP(p.Addr()))
		g.Enrich(e)
		num, _ := rec["autonomous_system_number"].(float64)
		v, _ := e.Get("source.as.number")
		if v.Kind() != event.KindInt || v.Int() != int64(num) {
			t.Errorf("%s: as.number = %s, want %v", p.Addr(), v.Text(), num)
		}
		if got, w := e.GetString("source.as.organization.name"), str(rec, "autonomous_system_organization"); got != w {
			t.Errorf("%s: org = %q, want %q", p.Addr(), got, w)
		}
		if e.Has("source.geo.country_iso_code") {
			t.Errorf("geo fields without a city database")
		}
		checked++
		return true
	})
	if checked < 500 {
		t.Fatalf("checked %d networks", checked)
	}
}

func TestFieldsAndSkips(t *testing.T) {
	g, err := New(Options{City: mmdb(t, "GeoIP2-City-Test.mmdb"), Fields: []string{"source.ip", "client.ip"}})
	if err != nil {
		t.Fatal(err)
	}
	e := &event.Event{}
	e.Set("source.ip", event.String("81.2.69.160")) // a string holding an IP is looked up too
	e.Set("client.ip", event.IP(netip.MustParseAddr("127.0.0.1")))
	e.Set("destination.ip", event.IP(netip.MustParseAddr("81.2.69.160")))
	e.Set("server.ip", event.String("not an ip"))
	g.Enrich(e)
	if e.GetString("source.geo.city_name") != "London" || e.GetString("source.geo.region_iso_code") != "GB-ENG" {
		t.Errorf("source: %v %v", e.GetString("source.geo.city_name"), e.GetString("source.geo.region_iso_code"))
	}
	if e.HasPrefix("client.geo") || e.HasPrefix("destination.geo") || e.HasPrefix("server.geo") {
		t.Errorf("unexpected geo fields: %+v", e.Fields)
	}
	if _, err := New(Options{City: mmdb(t, "GeoIP2-City-Test.mmdb"), Fields: []string{"source.address"}}); err == nil {
		t.Error("a field not ending in .ip accepted")
	}
	if _, err := New(Options{}); err == nil {
		t.Error("no database accepted")
	}
}

func TestBadDatabases(t *testing.T) {
	for _, name := range []string{"GeoIP2-City-Test-Broken-Double-Format.mmdb", "GeoIP2-City-Test-Invalid-Node-Count.mmdb",
		"MaxMind-DB-test-broken-pointers-24.mmdb", "MaxMind-DB-test-broken-search-tree-24.mmdb", "no-such-file.mmdb"} {
		if _, err := New(Options{City: mmdb(t, name)}); err == nil {
			t.Errorf("%s accepted", name)
		}
	}
	dir := t.TempDir()
	trunc := filepath.Join(dir, "t.mmdb")
	b, _ := os.ReadFile(mmdb(t, "GeoIP2-City-Test.mmdb"))
	os.WriteFile(trunc, b[:len(b)/2], 0o644)
	if _, err := New(Options{City: trunc}); err == nil {
		t.Error("a truncated database accepted")
	}
}

// TestReload replaces the database file under a running enricher: a
// half-written or broken file is never used, a complete one is swapped in.
func TestReload(t *testing.T) {
	dir := t.TempDir()
	path := filepath.Join(dir, "city.mmdb")
	country, _ := os.ReadFile(mmdb(t, "GeoIP2-Country-Test.mmdb"))
	city, _ := os.ReadFile(mmdb(t, "GeoIP2-City-Test.mmdb"))
	stamp := time.Now().Add(-time.Hour)
	write := func(b []byte) {
		t.Helper()
		if err := os.WriteFile(path, b, 0o644); err != nil {
			t.Fatal(err)
		}
		stamp = stamp.Add(time.Second)
		os.Chtimes(path, stamp, stamp)
	}
	write(country)
	g, err := New(Options{City: path, CheckInterval: time.Millisecond})
	if err != nil {
		t.Fatal(err)
	}
	cityOf := func() string {
		e := &event.Event{}
		e.Set("source.ip", event.IP(netip.MustParseAddr("81.2.69.160")))
		g.Enrich(e)
		if e.GetString("source.geo.country_iso_code") != "GB" {
			t.Fatalf("country lost: %+v", e.Fields)
		}
		return e.GetString("source.geo.city_name")
	}
	if cityOf() != "" {
		t.Fatal("a country database gave a city")
	}
	// Half written: changed on every poll, never loaded.
	write(city[:len(city)/3])
	if ok, _ := g.Reload(); ok {
		t.Fatal("reloaded a file that was still changing")
	}
	// Broken but stable: the load fails, the old database stays.
	if ok, err := g.Reload(); ok || err == nil {
		t.Fatalf("broken file: reloaded %v err %v", ok, err)
	}
	if cityOf() != "" {
		t.Fatal("broken file replaced the database")
	}
	// Complete: loaded on the second poll.
	write(city)
	g.Reload()
	if ok, err := g.Reload(); !ok || err != nil {
		t.Fatalf("complete file: reloaded %v err %v", ok, err)
	}
	if c := cityOf(); c != "London" {
		t.Fatalf("city after reload = %q", c)
	}
	// Run polls on its own.
	ctx, cancel := context.WithCancel(context.Background())
	done := make(chan struct{})
	go func() { g.Run(ctx); close(done) }()
	write(country)
	testutil.Poll(testutil.WaitTimeout, func() bool { return cityOf() == "" })
	cancel()
	<-done
	if cityOf() != "" {
		t.Fatal("Run did not reload the changed file")
	}
}
