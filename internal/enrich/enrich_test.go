package enrich

import (
	"context"
	"io"
	"log/slog"
	"os"
	"path/filepath"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/prometheus/client_golang/prometheus"

	"github.com/vigilsiem/vigil/internal/alert"
	"github.com/vigilsiem/vigil/internal/config"
	"github.com/vigilsiem/vigil/internal/event"
	"github.com/vigilsiem/vigil/internal/normalize/authlog"
	"github.com/vigilsiem/vigil/internal/normalize/ciscoasa"
	"github.com/vigilsiem/vigil/internal/normalize/weblog"
	"github.com/vigilsiem/vigil/internal/parse/auto"
	"github.com/vigilsiem/vigil/internal/pipeline"
	"github.com/vigilsiem/vigil/internal/testutil"
)

type alerts struct {
	mu  sync.Mutex
	got []alert.Alert
}

func (a *alerts) WriteAlerts(_ context.Context, as []alert.Alert) error {
	a.mu.Lock()
	defer a.mu.Unlock()
	a.got = append(a.got, as...)
	return nil
}

// TestPipeline runs raw records through the auto parser, the normalisers
// and the enrichers built from a vigil.yaml, then the intel alert sink:
// an ASA connection to an address a STIX bundle lists, from a host the
// inventory calls critical, becomes a geolocated, enriched event and one
// critical alert.
func TestPipeline(t *testing.T) {
	dir := t.TempDir()
	mmdb := testutil.SharedData(t, "mmdb/test-data")
	write := func(name, data string) string {
		p := filepath.Join(dir, name)
		if err := os.WriteFile(p, []byte(data), 0o644); err != nil {
			t.Fatal(err)
		}
		return p
	}
	bundle := write("bundle.json", `{"type":"bundle","id":"bundle--1","objects":[
	  {"type":"indicator","spec_version":"2.1","id":"indicator--c2","pattern":"[ipv4-addr:value = '81.2.69.160']",
	   "pattern_type":"stix","valid_from":"2025-01-01T00:00:00Z","confidence":80,"name":"C2"}]}`)
	hosts := write("hosts.csv", "name,ip,criticality,owner\nfin-db,10.0.0.5,critical,finance\n")
	cfg, err := config.Parse([]byte(`
enrich:
  geoip: {city: ` + filepath.Join(mmdb, "GeoIP2-City-Test.mmdb") + `, asn: ` + filepath.Join(mmdb, "GeoLite2-ASN-Test.mmdb") + `}
  intel: {feeds: [{name: cert, format: stix, path: ` + bundle + `}]}
  assets: {hosts: [` + hosts + `]}
`))
	if err != nil {
		t.Fatal(err)
	}
	ctx, cancel := context.WithCancel(context.Background())
	defer cancel()
	set, err := New(ctx, cfg.Enrich, slog.New(slog.NewTextHandler(io.Discard, nil)))
	if err != nil {
		t.Fatal(err)
	}
	done := make(chan struct{})
	go func() { set.Run(ctx); close(done) }()
	procs := append([]pipeline.Processor{ciscoasa.New(), weblog.New(), authlog.New()}, set.Processors()...)
	if len(procs) != 6 {
		t.Fatalf("%d processors", len(procs))
	}
	p := auto.New(auto.Options{})
	var events []*event.Event
	for i, line := range []string{
		`<166>Jan  5 10:20:30 fw01 %ASA-6-302013: Built outbound TCP connection 77 for outside:81.2.69.160/443 (81.2.69.160/443) to inside:10.0.0.5/51000 (203.0.113.5/51000)`,
		`<38>Jan  5 10:20:31 bastion sshd[1]: Accepted publickey for ops from 10.9.9.9 port 5000 ssh2`,
	} {
		e := &event.Event{ID: string(rune('a' + i)), Tenant: "default", Timestamp: time.Now(), Original: line}
		p.Parse([]byte(line), e)
		events = append(events, e)
	}
	for _, pr := range procs {
		events = pr.Process(ctx, events)
	}
	e := events[0]
	for k, w := range map[string]string{
		"source.ip": "10.0.0.5", "destination.ip": "81.2.69.160", "destination.geo.city_name": "London",
		"destination.geo.country_iso_code": "GB", "vigil.asset.source.criticality": "critical", "vigil.asset.criticality": "critical",
		"threat.enrichments.indicator.name": "81.2.69.160", "threat.enrichments.matched.field": "destination.ip",
		"threat.enrichments.indicator.confidence": "High",
	} {
		if got := e.GetString(k); got != w {
			t.Errorf("%s = %q, want %q", k, got, w)
		}
	}
	if events[1].HasPrefix("threat.") || events[1].GetString("event.action") != "ssh-login" {
		t.Errorf("second event: %+v", events[1].Fields)
	}
	out := &alerts{}
	if err := set.AlertSink(out).Write(ctx, events); err != nil {
		t.Fatal(err)
	}
	if len(out.got) != 1 || out.got[0].Level != "critical" || !strings.Contains(out.got[0].Title, "81.2.69.160") {
		t.Fatalf("alerts = %+v", out.got)
	}
	cancel()
	<-done

	reg := prometheus.NewPedanticRegistry()
	if err := set.Register(reg); err != nil {
		t.Fatal(err)
	}
	fams, err := reg.Gather()
	if err != nil {
		t.Fatal(err)
	}
	values := map[string]float64{}
	for _, f := range fams {
		for _, m := range f.GetMetric() {
			v := m.GetGauge().GetValue() + m.GetCounter().GetValue()
			values[f.GetName()] += v
		}
	}
	for name, w := range map[string]float64{"vigil_intel_indicators": 1, "vigil_intel_feed_indicators": 1, "vigil_intel_feed_up": 1,
		"vigil_intel_matches_total": 1, "vigil_intel_matched_events_total": 1, "vigil_assets_hosts": 1, "vigil_assets_users": 0} {
		if got, ok := values[name]; !ok || got != w {
			t.Errorf("%s = %v (present %v), want %v", name, got, ok, w)
		}
	}

	// Nothing configured: no processors, no sink.
	empty, err := New(context.Background(), config.Enrich{}, nil)
	if err != nil || len(empty.Processors()) != 0 || empty.AlertSink(out) != nil {
		t.Errorf("empty set: %v %v", err, empty.Processors())
	}
}
