package intel

import (
	"context"
	"io"
	"log/slog"
	"net/http"
	"net/http/httptest"
	"net/netip"
	"os"
	"path/filepath"
	"reflect"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/vigilsiem/vigil/internal/alert"
	"github.com/vigilsiem/vigil/internal/event"
)

var testNow = time.Date(2026, 3, 10, 12, 0, 0, 0, time.UTC)

// quiet discards the logs of loads the tests provoke.
var quiet = slog.New(slog.NewTextHandler(io.Discard, nil))

func TestParseSTIX(t *testing.T) {
	inds, st, err := ParseSTIX(strings.NewReader(testBundle), Source{Feed: "acme", Confidence: ConfidenceUnknown, Now: testNow})
	if err != nil {
		t.Fatal(err)
	}
	got := map[string]Indicator{}
	for _, ind := range inds {
		got[ind.Value] = ind
	}
	c2 := got["203.0.113.66"]
	if c2.Type != TypeIP || c2.Confidence != 85 || c2.Provider != "ACME CERT" || c2.TLP != "AMBER" ||
		c2.Reference != "https://cert.example/c2/66" || c2.Description != "C2 server: Cobalt Strike team server" ||
		c2.ID != "indicator--8e2e2d2b-17d4-4cbf-938f-98ee46b3cd3f" ||
		!reflect.DeepEqual(c2.Tags, []string{"attack.command_and_control", "attack.t1071"}) {
		t.Errorf("C2 indicator = %+v", c2)
	}
	if d := got["evil.example"]; d.Type != TypeDomain || d.Confidence != 40 || d.Provider != "acme" {
		t.Errorf("domain = %+v", d)
	}
	if u := got["http://files.example/payload.exe"]; u.Type != TypeURL {
		t.Errorf("url = %+v", u)
	}
	if h := got["aec070645fe53ee3b3763059376134f058cc337247c978add178b6ccdfb0019f"]; h.Type != TypeSHA256 || h.Confidence != ConfidenceUnknown {
		t.Errorf("hash = %+v", h)
	}
	if n := got["198.51.100.0/24"]; n.ValidUntil != time.Date(2026, 6, 1, 0, 0, 0, 0, time.UTC).Unix() {
		t.Errorf("cidr = %+v", n)
	}
	if st.Loaded != 5 || len(inds) != 5 {
		t.Errorf("loaded %d (%d), want 5", st.Loaded, len(inds))
	}
	want := map[string]int{"expired": 1, "revoked": 1, "pattern_type yara": 1, "unsupported pattern": 1}
	if !reflect.DeepEqual(st.Skipped, want) {
		t.Errorf("skipped = %v, want %v", st.Skipped, want)
	}
	// A bare array, a single indicator, an empty bundle, junk.
	if inds, _, err := ParseSTIX(strings.NewReader(`[{"type":"indicator","id":"indicator--1","pattern":"[ipv4-addr:value = '1.2.3.4']"}]`), Source{Feed: "f"}); err != nil || len(inds) != 1 {
		t.Errorf("array: %v %v", inds, err)
	}
	if inds, _, err := ParseSTIX(strings.NewReader(`{"type":"indicator","id":"indicator--1","pattern":"[ipv4-addr:value = '1.2.3.4']","spec_version":"2.1"}`), Source{Feed: "f"}); err != nil || len(inds) != 1 {
		t.Errorf("single: %v %v", inds, err)
	}
	taxii := `{"more": false, "objects": [{"type":"indicator","id":"indicator--1","pattern":"[domain-name:value = 'a.example']","spec_version":"2.1"}]}`
	if inds, _, err := ParseSTIX(strings.NewReader(taxii), Source{Feed: "f"}); err != nil || len(inds) != 1 {
		t.Errorf("TAXII envelope: %v %v", inds, err)
	}
	if inds, _, err := ParseSTIX(strings.NewReader(`{"type":"bundle","id":"bundle--1"}`), Source{Feed: "f"}); err != nil || len(inds) != 0 {
		t.Errorf("empty bundle: %v %v", inds, err)
	}
	for _, bad := range []string{``, `"x"`, `{"type":"malware"}`, `{"type":"bundle","objects":{}}`, `{"objects":[{"type":1}]}`, `[`} {
		if _, _, err := ParseSTIX(strings.NewReader(bad), Source{Feed: "f"}); err == nil {
			t.Errorf("ParseSTIX(%q) accepted", bad)
		}
	}
}

func TestParseMISP(t *testing.T) {
	inds, st, err := ParseMISP(strings.NewReader(testMISPEvent), Source{Feed: "circl", Confidence: 60})
	if err != nil {
		t.Fatal(err)
	}
	got := map[string]Indicator{}
	for _, ind := range inds {
		got[ind.Value] = ind
	}
	ip := got["203.0.113.77"]
	if ip.Type != TypeIP || ip.Provider != "CIRCL" || ip.Confidence != 60 || ip.TLP != "GREEN" ||
		ip.Description != "Phishing wave: C2" || ip.ID != "a0000000-0000-4000-8000-000000000001" ||
		!reflect.DeepEqual(ip.Tags, []string{"attack.t1566"}) {
		t.Errorf("ip = %+v", ip)
	}
	if d := got["login-micros0ft.example"]; d.Confidence != 75 {
		t.Errorf("domain confidence = %+v", d)
	}
	for _, v := range []string{"cdn.bad.example", "203.0.113.78", "d41d8cd98f00b204e9800998ecf8427e", "da39a3ee5e6b4b0d3255bfef95601890afd80709"} {
		if _, ok := got[v]; !ok {
			t.Errorf("%s missing", v)
		}
	}
	if _, ok := got["192.0.2.50"]; ok {
		t.Error("an attribute without to_ids loaded")
	}
	if st.Loaded != 6 || st.Skipped["to_ids false"] != 1 || st.Skipped["type email-subject"] != 1 {
		t.Errorf("stats = %+v", st)
	}
	withNonIDS, _, _ := ParseMISP(strings.NewReader(testMISPEvent), Source{Feed: "circl", IncludeNonIDS: true})
	if len(withNonIDS) != 7 {
		t.Errorf("IncludeNonIDS loaded %d", len(withNonIDS))
	}
	search := `{"response":[` + strings.TrimPrefix(testMISPEvent, "") + `]}`
	if inds, _, err := ParseMISP(strings.NewReader(search), Source{Feed: "f"}); err != nil || len(inds) != 6 {
		t.Errorf("search response: %d %v", len(inds), err)
	}
	for _, bad := range []string{`{}`, `{"Event": []}`, `nope`, `{"Event":{"Attribute":[{"to_ids":"maybe"}]}}`} {
		if _, _, err := ParseMISP(strings.NewReader(bad), Source{Feed: "f"}); err == nil {
			t.Errorf("ParseMISP(%q) accepted", bad)
		}
	}
}

func TestParseCSV(t *testing.T) {
	inds, st, err := ParseCSV(strings.NewReader(testCSV), Source{Feed: "acme", Confidence: ConfidenceUnknown, Now: testNow})
	if err != nil {
		t.Fatal(err)
	}
	type row struct {
		t    Type
		v    string
		conf int
	}
	var got []row
	for _, ind := range inds {
		got = append(got, row{ind.Type, ind.Value, ind.Confidence})
	}
	want := []row{
		{TypeIP, "198.51.100.7", 90}, {TypeIP, "10.66.0.0/16", 85}, {TypeDomain, "evil.example", 50},
		{TypeURL, "http://dl.bad.example/a.exe", ConfidenceUnknown}, {TypeIP, "2001:db8::bad", ConfidenceUnknown},
		{TypeSHA256, "275a021bbfb6489e54d471899f7db9d1663fc695ec2fe2a2c4538aabf651fd0f", 30},
	}
	if !reflect.DeepEqual(got, want) {
		t.Errorf("rows = %v\nwant %v", got, want)
	}
	if inds[0].TLP != "AMBER" || inds[0].Description != "scanner" || inds[0].Provider != "acme" {
		t.Errorf("first = %+v", inds[0])
	}
	if st.Skipped["expired"] != 1 || st.Skipped["bad value"] != 1 || st.Skipped["bad confidence"] != 1 {
		t.Errorf("skipped = %v", st.Skipped)
	}
	// A plain list without a header.
	plain, _, err := ParseCSV(strings.NewReader("203.0.113.1\n# note\nbad.example\n"), Source{Feed: "list", Confidence: 70})
	if err != nil || len(plain) != 2 || plain[1].Type != TypeDomain || plain[0].Confidence != 70 {
		t.Errorf("plain list = %+v, %v", plain, err)
	}
	// A stray quote (lazy quoting) does not lose the other rows.
	lazy, _, err := ParseCSV(strings.NewReader("203.0.113.1,he said \"hi\"\n203.0.113.2\n"), Source{Feed: "x"})
	if err != nil || len(lazy) != 2 {
		t.Errorf("lazy quotes: %+v %v", lazy, err)
	}
}

func TestCanonical(t *testing.T) {
	f := func(typ Type, in string, wantT Type, want string, ok bool) {
		t.Helper()
		gt, got, err := Canonical(typ, in)
		if (err == nil) != ok || ok && (gt != wantT || got != want) {
			t.Errorf("Canonical(%v, %q) = %v %q %v", typ, in, gt, got, err)
		}
	}
	f(0, "10.1.2.3", TypeIP, "10.1.2.3", true)
	f(0, "10.1.2.3/8", TypeIP, "10.0.0.0/8", true)
	f(0, "::ffff:10.1.2.3", TypeIP, "10.1.2.3", true)
	f(0, "10.1.2.3/32", TypeIP, "10.1.2.3", true)
	f(0, "Sub.Evil.Example.", TypeDomain, "sub.evil.example", true)
	f(0, "evil[.]example", TypeDomain, "evil.example", true)
	f(0, "hxxps://x.example/p", TypeURL, "https://x.example/p", true)
	f(0, "D41D8CD98F00B204E9800998ECF8427E", TypeMD5, "d41d8cd98f00b204e9800998ecf8427e", true)
	f(TypeSHA1, "D41D8CD98F00B204E9800998ECF8427E", 0, "", false)
	f(TypeIP, "evil.example", 0, "", false)
	f(0, "localhost", 0, "", false)
	f(0, "", 0, "", false)
	f(TypeDomain, "a..b", 0, "", false)
}

// writeFile writes a feed file with a distinct modification time.
func writeFile(t *testing.T, path, data string, stamp time.Time) {
	t.Helper()
	if err := os.WriteFile(path, []byte(data), 0o644); err != nil {
		t.Fatal(err)
	}
	if err := os.Chtimes(path, stamp, stamp); err != nil {
		t.Fatal(err)
	}
}

func newTestIntel(t *testing.T, feeds ...Feed) *Intel {
	t.Helper()
	now := testNow
	return newTestIntelAt(t, &now, feeds...)
}

// newTestIntelAt makes an Intel whose clock reads *now.
func newTestIntelAt(t *testing.T, now *time.Time, feeds ...Feed) *Intel {
	t.Helper()
	x, err := New(context.Background(), Options{Feeds: feeds, Now: func() time.Time { return *now }, Logger: quiet})
	if err != nil {
		t.Fatal(err)
	}
	return x
}

func TestEnrich(t *testing.T) {
	dir := t.TempDir()
	stixPath, mispPath, csvPath := filepath.Join(dir, "b.json"), filepath.Join(dir, "e.json"), filepath.Join(dir, "l.csv")
	writeFile(t, stixPath, testBundle, testNow)
	writeFile(t, mispPath, testMISPEvent, testNow)
	writeFile(t, csvPath, testCSV+"203.0.113.66,ip,50,also listed here,,\n", testNow)
	clock := testNow
	x := newTestIntelAt(t, &clock,
		Feed{Name: "acme-stix", Format: FormatSTIX, Path: stixPath, Confidence: ConfidenceUnknown},
		Feed{Name: "circl", Format: FormatMISP, Path: mispPath, Confidence: ConfidenceUnknown},
		Feed{Name: "acme-csv", Format: FormatCSV, Path: csvPath, Confidence: ConfidenceUnknown})
	if x.Index().Len() != 5+6+7 {
		t.Fatalf("indexed %d: %+v", x.Index().Len(), x.Status())
	}
	f := func(fields map[string]event.Value, want map[string]string) {
		t.Helper()
		e := &event.Event{}
		for k, v := range fields {
			e.Set(k, v)
		}
		n := x.Enrich(e)
		if want == nil {
			if n != 0 || e.HasPrefix("threat.") {
				t.Errorf("%v matched: %+v", fields, e.Fields)
			}
			return
		}
		for k, w := range want {
			v, _ := e.Get(k)
			if got := strings.Join(v.List(), "|"); got != w {
				t.Errorf("%v: %s = %q, want %q", fields, k, got, w)
			}
		}
	}
	ip := func(s string) event.Value { return event.IP(netip.MustParseAddr(s)) }
	f(map[string]event.Value{"destination.ip": ip("203.0.113.66"), "source.ip": ip("10.0.0.5")},
		map[string]string{FieldMatchedAtomic: "203.0.113.66|203.0.113.66", FieldMatchedField: "destination.ip|destination.ip",
			FieldFeed: "acme-csv|acme-stix", FieldConfidence: "Medium|High", FieldScore: "50|85", FieldProvider: "acme-csv|ACME CERT",
			FieldType: "ipv4-addr|ipv4-addr", FieldName: "203.0.113.66|203.0.113.66", FieldTLP: "|AMBER",
			FieldMatchedID:   "acme-csv:ip:203.0.113.66|indicator--8e2e2d2b-17d4-4cbf-938f-98ee46b3cd3f",
			FieldMatchedType: "indicator_match_rule|indicator_match_rule"})
	f(map[string]event.Value{"source.ip": ip("198.51.100.200")}, map[string]string{FieldName: "198.51.100.0/24", FieldConfidence: "Low"})
	f(map[string]event.Value{"source.ip": ip("198.51.100.7")}, map[string]string{FieldName: "198.51.100.7", FieldFeed: "acme-csv"})
	f(map[string]event.Value{"source.ip": event.String("10.66.3.4")}, map[string]string{FieldName: "10.66.0.0/16"})
	f(map[string]event.Value{"dns.question.name": event.String("WWW.Evil.Example")}, map[string]string{FieldName: "evil.example|evil.example"})
	f(map[string]event.Value{"url.original": event.String("/payload.exe"), "url.domain": event.String("files.example")},
		map[string]string{FieldName: "http://files.example/payload.exe", FieldMatchedAtomic: "files.example/payload.exe"})
	f(map[string]event.Value{"url.full": event.String("https://FILES.example/payload.exe")}, map[string]string{FieldType: "url"})
	f(map[string]event.Value{"winlog.event_data.Hashes": event.String("SHA1=DA39A3EE5E6B4B0D3255BFEF95601890AFD80709,MD5=D41D8CD98F00B204E9800998ECF8427E,IMPHASH=00")},
		map[string]string{FieldType: "file|file", FieldFeed: "circl|circl"})
	f(map[string]event.Value{"related.ip": event.List([]string{"10.0.0.1", "203.0.113.77"})}, map[string]string{FieldName: "203.0.113.77", FieldDescription: "Phishing wave: C2"})
	f(map[string]event.Value{"source.ip": ip("192.0.2.1"), "destination.domain": event.String("example")}, nil)
	f(map[string]event.Value{"message": event.String("203.0.113.66")}, nil)

	// Expiry at match time: the /24 stops matching once its valid_until passes.
	clock = time.Date(2026, 7, 1, 0, 0, 0, 0, time.UTC)
	e := &event.Event{}
	e.Set("source.ip", ip("198.51.100.200"))
	if x.Enrich(e) != 0 {
		t.Error("an expired indicator matched")
	}
}

// recorder is an alert.Sink that keeps what it is given.
type recorder struct {
	mu     sync.Mutex
	alerts []alert.Alert
}

func (r *recorder) WriteAlerts(_ context.Context, as []alert.Alert) error {
	r.mu.Lock()
	defer r.mu.Unlock()
	r.alerts = append(r.alerts, as...)
	return nil
}

// TestAlertFromSTIX is the scenario (c): an indicator in a STIX
// bundle matching a destination address raises an alert naming the
// indicator with its confidence and source.
func TestAlertFromSTIX(t *testing.T) {
	dir := t.TempDir()
	p := filepath.Join(dir, "bundle.json")
	writeFile(t, p, testBundle, testNow)
	x := newTestIntel(t, Feed{Name: "acme", Format: FormatSTIX, Path: p, Confidence: ConfidenceUnknown})
	rec := &recorder{}
	sink := NewAlertSink(rec, x, time.Minute)
	mk := func(id string, crit string) *event.Event {
		e := &event.Event{ID: id, Tenant: "default", Timestamp: testNow}
		e.Set("source.ip", event.IP(netip.MustParseAddr("10.0.0.5")))
		e.Set("destination.ip", event.IP(netip.MustParseAddr("203.0.113.66")))
		e.SetString("host.name", "ws01")
		e.SetString("vigil.asset.criticality", crit)
		return e
	}
	quiet := &event.Event{ID: "e0"}
	quiet.SetString("message", "nothing")
	batch := x.Process(context.Background(), []*event.Event{quiet, mk("e1", ""), mk("e2", "")})
	if err := sink.Write(context.Background(), batch); err != nil {
		t.Fatal(err)
	}
	if len(rec.alerts) != 1 {
		t.Fatalf("alerts = %+v", rec.alerts)
	}
	a := rec.alerts[0]
	for _, s := range []string{"203.0.113.66", "acme", "ACME CERT", "High (85)", "destination.ip"} {
		if !strings.Contains(a.Title, s) {
			t.Errorf("title %q lacks %q", a.Title, s)
		}
	}
	if a.RuleID != "intel:acme:indicator--8e2e2d2b-17d4-4cbf-938f-98ee46b3cd3f" || a.Level != "high" || a.Count != 2 ||
		!reflect.DeepEqual(a.EventIDs, []string{"e1", "e2"}) || !reflect.DeepEqual(a.Entities.DestinationIPs, []string{"203.0.113.66"}) {
		t.Errorf("alert = %+v", a)
	}
	for _, tag := range []string{"intel", "intel.feed.acme", "intel.confidence.high", "intel.type.ipv4-addr", "attack.t1071"} {
		if !contains(a.Tags, tag) {
			t.Errorf("tags %v lack %s", a.Tags, tag)
		}
	}
	if !reflect.DeepEqual(a.Techniques, []string{"T1071"}) {
		t.Errorf("techniques = %v", a.Techniques)
	}
	// A critical asset raises the level.
	rec.alerts = nil
	e := mk("e3", "critical")
	e.SetString("host.name", "dc01")
	x.Process(context.Background(), []*event.Event{e})
	if err := sink.Write(context.Background(), []*event.Event{e}); err != nil {
		t.Fatal(err)
	}
	if len(rec.alerts) != 1 || rec.alerts[0].Level != "critical" {
		t.Errorf("alert on a critical asset = %+v", rec.alerts)
	}
}

func contains(list []string, s string) bool {
	for _, x := range list {
		if x == s {
			return true
		}
	}
	return false
}

// TestFileReload changes a feed file under a running Intel.
func TestFileReload(t *testing.T) {
	dir := t.TempDir()
	p := filepath.Join(dir, "l.csv")
	writeFile(t, p, "203.0.113.1\n", testNow.Add(-time.Hour))
	x := newTestIntel(t, Feed{Name: "l", Format: FormatCSV, Path: p, Confidence: ConfidenceUnknown})
	has := func(s string) bool {
		e := &event.Event{}
		e.SetString("source.ip", s)
		return x.Enrich(e) > 0
	}
	if !has("203.0.113.1") {
		t.Fatal("initial load")
	}
	writeFile(t, p, "203.0.113.2\n", testNow.Add(-time.Minute))
	if x.Refresh(context.Background()) {
		t.Fatal("reloaded a file still changing")
	}
	if !x.Refresh(context.Background()) || has("203.0.113.1") || !has("203.0.113.2") {
		t.Fatal("changed file not reloaded")
	}
	// A file that cannot be read keeps the previous indicators.
	os.Remove(p)
	x.Refresh(context.Background())
	x.Refresh(context.Background())
	if !has("203.0.113.2") || x.Status()[0].Err == nil {
		t.Fatalf("broken file: status %+v", x.Status())
	}
}

// TestURLFeeds fetches a STIX bundle and a MISP feed (manifest and
// events) over HTTP, with conditional requests on refresh.
func TestURLFeeds(t *testing.T) {
	var mu sync.Mutex
	hits := map[string]int{}
	bundle := testBundle
	mux := http.NewServeMux()
	mux.HandleFunc("/stix.json", func(w http.ResponseWriter, r *http.Request) {
		mu.Lock()
		defer mu.Unlock()
		hits["stix"]++
		if r.Header.Get("X-Api-Key") != "k" {
			http.Error(w, "no key", http.StatusForbidden)
			return
		}
		etag := `"v` + string(rune('0'+len(bundle)%10)) + `"`
		if r.Header.Get("If-None-Match") == etag {
			w.WriteHeader(http.StatusNotModified)
			return
		}
		w.Header().Set("ETag", etag)
		w.Write([]byte(bundle))
	})
	mux.HandleFunc("/misp/manifest.json", func(w http.ResponseWriter, r *http.Request) {
		w.Write([]byte(`{"5f1e3a4b-1111-4222-8333-944455556666": {"info": "Phishing wave", "timestamp": "1700000000"}}`))
	})
	mux.HandleFunc("/misp/5f1e3a4b-1111-4222-8333-944455556666.json", func(w http.ResponseWriter, r *http.Request) {
		mu.Lock()
		hits["event"]++
		mu.Unlock()
		w.Write([]byte(testMISPEvent))
	})
	srv := httptest.NewServer(mux)
	defer srv.Close()
	now := testNow
	x, err := New(context.Background(), Options{Now: func() time.Time { return now }, Logger: quiet, Feeds: []Feed{
		{Name: "stix", Format: FormatSTIX, URL: srv.URL + "/stix.json", Headers: map[string]string{"X-Api-Key": "k"}, Refresh: time.Hour, Confidence: ConfidenceUnknown},
		{Name: "misp", Format: FormatMISP, URL: srv.URL + "/misp/manifest.json", Confidence: ConfidenceUnknown},
	}})
	if err != nil {
		t.Fatal(err)
	}
	if x.Index().Len() != 0 || hits["stix"] != 0 {
		t.Fatal("New fetched URL feeds: start-up would wait on the feed servers")
	}
	if !x.Refresh(context.Background()) || x.Index().Len() != 5+6 {
		t.Fatalf("indexed %d: %+v", x.Index().Len(), x.Status())
	}
	if x.Refresh(context.Background()) {
		t.Error("refreshed before the feeds were due")
	}
	now = now.Add(2 * time.Hour)
	x.Refresh(context.Background())
	if hits["stix"] != 2 || hits["event"] != 1 || x.Index().Len() != 11 {
		t.Errorf("hits %v, %d indexed: unchanged feeds should not be downloaded again", hits, x.Index().Len())
	}
	// A feed that fails keeps its indicators and reports the error.
	srv.Close()
	now = now.Add(2 * time.Hour)
	x.Refresh(context.Background())
	st := x.Status()
	if st[0].Err == nil || st[0].Indicators != 5 || x.Index().Len() != 11 {
		t.Errorf("after the server went away: %+v", st)
	}
}

func TestFeedValidate(t *testing.T) {
	for _, f := range []Feed{
		{Format: FormatCSV, Path: "x"},
		{Name: "a", Format: "xml", Path: "x"},
		{Name: "a", Format: FormatCSV},
		{Name: "a", Format: FormatCSV, Path: "x", URL: "http://x"},
		{Name: "a", Format: FormatCSV, URL: "ftp://x/y"},
		{Name: "a", Format: FormatCSV, Path: "x", Confidence: 101},
	} {
		if err := f.Validate(); err == nil {
			t.Errorf("%+v accepted", f)
		}
	}
	if _, err := New(context.Background(), Options{Feeds: []Feed{{Name: "a", Format: FormatCSV, Path: "x"}, {Name: "a", Format: FormatCSV, Path: "y"}}}); err == nil {
		t.Error("duplicate feed names accepted")
	}
	// A missing file does not stop New: it is reported.
	x, err := New(context.Background(), Options{Logger: quiet, Feeds: []Feed{{Name: "a", Format: FormatCSV, Path: filepath.Join(t.TempDir(), "none.csv")}}})
	if err != nil || x.Status()[0].Err == nil {
		t.Errorf("missing file: %v %+v", err, x.Status())
	}
}
