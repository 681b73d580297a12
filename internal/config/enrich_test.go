package config

import (
	"strings"
	"testing"
	"time"
)

func TestEnrichConfig(t *testing.T) {
	c, err := Parse([]byte(`
enrich:
  geoip:
    city: /data/GeoLite2-City.mmdb
    asn: /data/GeoLite2-ASN.mmdb
  intel:
    feeds:
      - {name: cert-stix, format: stix, url: "https://cert.example/bundle.json", headers: {Authorization: "Bearer x"}}
      - {name: blocklist, format: csv, path: /etc/vigil/blocklist.csv, confidence: 70, refresh: 15m}
      - {name: circl, format: misp, url: "https://feeds.example/misp/", include_non_ids: true, max_bytes: 64MiB}
  assets:
    hosts: [/etc/vigil/hosts.csv]
    users: [/etc/vigil/users.json]
`))
	if err != nil {
		t.Fatal(err)
	}
	e := c.Enrich
	if !e.GeoIP.Enabled() || e.GeoIP.CheckInterval.D() != time.Minute || e.GeoIP.Language != "en" {
		t.Errorf("geoip = %+v", e.GeoIP)
	}
	if !e.Intel.Enabled() || len(e.Intel.Feeds) != 3 || e.Intel.AlertWindow.D() != 10*time.Minute || e.Intel.CheckInterval.D() != 30*time.Second {
		t.Errorf("intel = %+v", e.Intel)
	}
	f0, f1, f2 := e.Intel.Feeds[0], e.Intel.Feeds[1], e.Intel.Feeds[2]
	if f0.Refresh.D() != time.Hour || f0.Confidence != nil || f0.Headers["Authorization"] != "Bearer x" || f0.MaxBytes != DefaultIntelMaxBytes {
		t.Errorf("feed 0 = %+v", f0)
	}
	if f1.Refresh.D() != 15*time.Minute || f1.Confidence == nil || *f1.Confidence != 70 {
		t.Errorf("feed 1 = %+v", f1)
	}
	if !f2.IncludeNonIDS || f2.MaxBytes != 64<<20 {
		t.Errorf("feed 2 = %+v", f2)
	}
	if !e.Assets.Enabled() || e.Assets.CheckInterval.D() != 30*time.Second {
		t.Errorf("assets = %+v", e.Assets)
	}
	// Nothing configured: everything off, defaults filled.
	c, err = Parse(nil)
	if err != nil || c.Enrich.GeoIP.Enabled() || c.Enrich.Intel.Enabled() || c.Enrich.Assets.Enabled() {
		t.Errorf("empty config: %v %+v", err, c.Enrich)
	}
}

func TestEnrichConfigErrors(t *testing.T) {
	f := func(doc, want string) {
		t.Helper()
		_, err := Parse([]byte(doc))
		if err == nil || !strings.Contains(err.Error(), want) {
			t.Errorf("%s: err = %v, want %q", doc, err, want)
		}
	}
	f("enrich: {geoip: {fields: [source.ip]}}", "neither city nor asn")
	f("enrich: {geoip: {city: x, fields: [source.address]}}", "ending in .ip")
	f("enrich: {intel: {feeds: [{name: a, format: xml, path: x}]}}", "want csv, stix or misp")
	f("enrich: {intel: {feeds: [{name: a, format: csv}]}}", "exactly one of path and url")
	f("enrich: {intel: {feeds: [{name: a, format: csv, path: x, url: 'http://h/x'}]}}", "exactly one of path and url")
	f("enrich: {intel: {feeds: [{name: a, format: csv, url: 'ftp://h/x'}]}}", "http or https")
	f("enrich: {intel: {feeds: [{name: a, format: csv, path: x}, {name: a, format: csv, path: y}]}}", "used twice")
	f("enrich: {intel: {feeds: [{name: 'a b', format: csv, path: x}]}}", "name")
	f("enrich: {intel: {feeds: [{name: a, format: csv, path: x, confidence: 101}]}}", "confidence")
	f("enrich: {intel: {feeds: [{name: a, format: csv, path: x, include_non_ids: true}]}}", "misp feeds only")
	f("enrich: {intel: {feeds: [{name: a, format: csv, path: x, colour: red}]}}", "colour")
	f("enrich: {assets: {hosts: ['']}}", "empty file name")
}
