package objstore

import (
	"context"
	"encoding/json"
	"os"
	"path/filepath"
	"strings"
	"testing"
	"time"

	"github.com/prometheus/client_golang/prometheus"
	dto "github.com/prometheus/client_model/go"

	"github.com/vigilsiem/vigil/internal/config"
	"github.com/vigilsiem/vigil/internal/event"
)

func readState(t *testing.T, dir string) map[string]entry {
	t.Helper()
	b, err := os.ReadFile(filepath.Join(dir, "state", "t", stateName))
	if err != nil {
		t.Fatal(err)
	}
	var sf stateFile
	if err := json.Unmarshal(b, &sf); err != nil {
		t.Fatal(err)
	}
	m := map[string]entry{}
	for _, e := range sf.Objects {
		m[e.Key] = *e
	}
	return m
}

func TestImportLines(t *testing.T) {
	b := newMemBucket()
	old := time.Now().Add(-time.Hour)
	b.put("x/1.log", numbered("one", 3), old)
	b.put("x/2.log.gz", gz(t, numbered("two", 2)), old)
	b.put("x/skip.tmp", numbered("tmp", 1), old)
	dir := t.TempDir()
	s := testSource(t, b, Import{Exclude: []string{"*.tmp"}}, dir)
	in := &sink{}
	stop := running(t, s, in)
	eventually(t, "5 records", func() bool { return in.count() == 5 && s.Stats().Imported == 2 })
	stop()
	if got := strings.Join(in.lines(), "|"); got != "one 1|one 2|one 3|two 1|two 2" {
		t.Fatalf("lines %q", got)
	}
	if p := in.records[0].Position; p != "mem/x/1.log#1" {
		t.Errorf("position %q", p)
	}
	if f := in.fields[0]; len(f) != 1 || f[0].Value.Text() != "mem/x/1.log" {
		t.Errorf("batch fields %v", f)
	}
	st := readState(t, dir)
	if e := st["x/1.log"]; e.Status != statusImported || e.Records != 3 {
		t.Errorf("state of x/1.log: %+v", e)
	}
	if _, ok := st["x/skip.tmp"]; ok {
		t.Error("an excluded object is in the state")
	}
	// A second start imports nothing; a new object and a changed one are imported.
	b.put("x/1.log", numbered("one", 4), old)
	b.put("x/3.log", numbered("three", 1), old)
	s2 := testSource(t, b, Import{Exclude: []string{"*.tmp"}}, dir)
	in2 := &sink{}
	stop2 := running(t, s2, in2)
	eventually(t, "the new and changed objects", func() bool { return s2.Stats().Imported == 2 })
	stop2()
	if got := strings.Join(in2.lines(), "|"); got != "one 1|one 2|one 3|one 4|three 1" {
		t.Fatalf("after a restart: %q", got)
	}
}

func TestPipelineFailureIsRetried(t *testing.T) {
	b := newMemBucket()
	b.put("a.log", numbered("a", 2500), time.Now().Add(-time.Hour))
	s := testSource(t, b, Import{}, t.TempDir())
	in := &sink{failNext: 2}
	running(t, s, in)
	eventually(t, "the object imported", func() bool { return s.Stats().Imported == 1 })
	lines := in.lines()
	seen := map[string]int{}
	for _, l := range lines {
		seen[l]++
	}
	if len(seen) != 2500 {
		t.Fatalf("%d distinct lines, want 2500", len(seen))
	}
	if got := counterValue(t, s.tel.Errors); got < 1 {
		t.Errorf("errors counted: %v", got)
	}
}

func TestCorruptObjectFails(t *testing.T) {
	b := newMemBucket()
	old := time.Now().Add(-time.Hour)
	z := gz(t, numbered("z", 100000))
	b.put("bad.gz", z[:len(z)-100], old)
	b.put("good.log", numbered("g", 2), old)
	dir := t.TempDir()
	s := testSource(t, b, Import{}, dir)
	in := &sink{}
	stop := running(t, s, in)
	eventually(t, "one failed and one imported", func() bool { st := s.Stats(); return st.Failed == 1 && st.Imported == 1 })
	opens := b.opened("bad.gz")
	b.waitPoll(t) // more polls: the failed object is not read again
	b.waitPoll(t)
	stop()
	if st := s.Stats(); st.Failed != 1 {
		t.Fatalf("stats %+v", st)
	}
	if n := b.opened("bad.gz"); n != opens {
		t.Fatalf("the failed object was opened %d more times", n-opens)
	}
	e := readState(t, dir)["bad.gz"]
	if e.Status != statusFailed || !strings.Contains(e.Reason, "decompress gzip") || e.Records == 0 {
		t.Fatalf("state %+v", e)
	}
	// The lines before the damage were imported, once.
	n := 0
	for _, l := range in.lines() {
		if strings.HasPrefix(l, "z ") {
			n++
		}
	}
	if int64(n) != e.Records {
		t.Fatalf("%d lines imported, the state says %d", n, e.Records)
	}
	// Fixed, it is imported again.
	b.put("bad.gz", gz(t, numbered("z", 3)), old)
	s2 := testSource(t, b, Import{}, dir)
	running(t, s2, &sink{})
	eventually(t, "the fixed object", func() bool { return s2.Stats().Imported == 1 })
}

func TestTransientErrors(t *testing.T) {
	b := newMemBucket()
	old := time.Now().Add(-time.Hour)
	b.put("flaky.log", numbered("f", 3000), old)
	b.put("broken.log", numbered("b", 10), old)
	b.openErrs["flaky.log"] = 1
	b.breakAt["flaky.log"] = 20000 // then the connection breaks inside it
	b.openErrs["broken.log"] = 100
	dir := t.TempDir()
	s := testSource(t, b, Import{PollInterval: config.Duration(10 * time.Millisecond), MaxAttempts: 3}, dir)
	in := &sink{}
	running(t, s, in)
	eventually(t, "flaky imported, broken given up", func() bool { st := s.Stats(); return st.Imported == 1 && st.Failed == 1 })
	seen := map[string]bool{}
	for _, l := range in.lines() {
		if seen[l] {
			t.Fatalf("line %q twice: the retry did not resume", l)
		}
		seen[l] = true
	}
	if len(seen) != 3000 {
		t.Fatalf("%d lines", len(seen))
	}
	eventually(t, "the state saved", func() bool {
		e := readState(t, dir)["broken.log"]
		return e.Status == statusFailed && strings.Contains(e.Reason, "gave up after 3 attempts")
	})
}

func TestDoneMarkerAndSettle(t *testing.T) {
	b := newMemBucket()
	now := time.Now()
	b.put("m.log", numbered("m", 1), now.Add(-time.Hour))
	b.put("fresh.log", numbered("f", 1), now)
	s := testSource(t, b, Import{DoneMarker: ".ok", Settle: config.Duration(time.Minute)}, t.TempDir())
	clock := now
	var mu = make(chan struct{}, 1)
	mu <- struct{}{}
	s.now = func() time.Time { <-mu; defer func() { mu <- struct{}{} }(); return clock }
	in := &sink{}
	running(t, s, in)
	b.waitPoll(t)
	if in.count() != 0 {
		t.Fatal("imported before its done marker")
	}
	b.put("m.log.ok", nil, now)
	b.put("fresh.log.ok", nil, now)
	eventually(t, "m.log", func() bool { return in.count() == 1 })
	b.waitPoll(t)
	if in.count() != 1 {
		t.Fatal("a fresh object was imported before it settled")
	}
	<-mu
	clock = now.Add(2 * time.Minute)
	mu <- struct{}{}
	eventually(t, "fresh.log once settled", func() bool { return in.count() == 2 })
	if got := strings.Join(in.lines(), "|"); got != "m 1|f 1" {
		t.Fatalf("lines %q: markers must not be imported", got)
	}
}

func TestIgnoreOlderThanAndForget(t *testing.T) {
	b := newMemBucket()
	now := time.Now()
	b.put("old.log", numbered("o", 1), now.Add(-48*time.Hour))
	b.put("new.log", numbered("n", 1), now.Add(-time.Hour))
	dir := t.TempDir()
	s := testSource(t, b, Import{IgnoreOlderThan: config.Duration(24 * time.Hour)}, dir)
	in := &sink{}
	stop := running(t, s, in)
	eventually(t, "new.log", func() bool { return s.Stats().Imported == 1 })
	b.remove("new.log")
	eventually(t, "the state to forget a deleted object", func() bool {
		_, ok := readState(t, dir)["new.log"]
		return !ok
	})
	stop()
	if got := strings.Join(in.lines(), "|"); got != "n 1" {
		t.Fatalf("lines %q", got)
	}
}

func TestFinisher(t *testing.T) {
	mb := newMemBucket()
	mb.put("f.log", numbered("f", 2), time.Now().Add(-time.Hour))
	dir := t.TempDir()
	s := testSource(t, finishingBucket{mb}, Import{}, dir)
	running(t, s, &sink{})
	eventually(t, "finished", func() bool {
		mb.mu.Lock()
		defer mb.mu.Unlock()
		return len(mb.finished) == 1
	})
}

func TestCloudTrailAndFlowLayouts(t *testing.T) {
	b := newMemBucket()
	old := time.Now().Add(-time.Hour)
	b.put("ct.json.gz", gz(t, []byte(`{"Records":[{"eventTime":"2024-01-02T03:04:05Z","eventName":"GetObject","eventSource":"s3.amazonaws.com"},{"eventName":"ListBuckets","eventSource":"s3.amazonaws.com", "eventVersion":"1.08"},5,{"no":"cloudtrail"}]}`)), old)
	b.put("flow.log", []byte("version srcaddr dstaddr action log-status\n2 10.0.0.1 10.0.0.2 ACCEPT OK\n2 10.0.0.1\n\n"), old)
	s := testSource(t, b, Import{}, t.TempDir())
	in := &sink{}
	running(t, s, in)
	eventually(t, "both objects", func() bool { return s.Stats().Imported == 2 })
	in.mu.Lock()
	defer in.mu.Unlock()
	if len(in.events) != 6 || len(in.records) != 0 {
		t.Fatalf("%d events, %d records", len(in.events), len(in.records))
	}
	byOrig := map[string]*event.Event{}
	for _, e := range in.events {
		byOrig[e.Original] = e
		if len(e.ID) != event.IDLen {
			t.Errorf("event %q without id", e.Original)
		}
	}
	e := byOrig[`{"eventTime":"2024-01-02T03:04:05Z","eventName":"GetObject","eventSource":"s3.amazonaws.com"}`]
	if e == nil || e.GetString("event.action") != "GetObject" || e.Timestamp.Format(time.RFC3339) != "2024-01-02T03:04:05Z" {
		t.Fatalf("first CloudTrail event: %+v", e)
	}
	if e := byOrig[`{"eventName":"ListBuckets","eventSource":"s3.amazonaws.com","eventVersion":"1.08"}`]; e == nil {
		t.Fatal("the second record is not compacted into event.original")
	}
	for _, bad := range []string{"5", `{"no":"cloudtrail"}`, "2 10.0.0.1"} {
		e := byOrig[bad]
		if e == nil || e.GetString("event.kind") != "pipeline_error" || e.GetString("error.message") == "" || e.GetString("message") != bad {
			t.Errorf("bad record %q: %+v", bad, e)
		}
	}
	if e := byOrig["2 10.0.0.1 10.0.0.2 ACCEPT OK"]; e == nil || e.GetString("destination.ip") != "10.0.0.2" {
		t.Errorf("flow record: %+v", e)
	}
	if got := counterValue(t, s.tel.Errors); got != 3 {
		t.Errorf("%v errors counted, want 3 (one per bad record)", got)
	}
}

func TestBadState(t *testing.T) {
	dir := t.TempDir()
	p := filepath.Join(dir, "state", "t")
	os.MkdirAll(p, 0o755)
	for _, bad := range []string{"{", `{"version":2,"objects":[]}`, `{"version":1,"objects":[{"key":""}]}`} {
		os.WriteFile(filepath.Join(p, stateName), []byte(bad), 0o644)
		s := testSource(t, newMemBucket(), Import{}, dir)
		if err := s.Run(context.Background(), &sink{}); err == nil || !strings.Contains(err.Error(), "import state") {
			t.Errorf("state %q: Run returned %v", bad, err)
		}
	}
}

func TestCollector(t *testing.T) {
	b := newMemBucket()
	b.put("a.log", numbered("a", 1), time.Now().Add(-time.Hour))
	s := testSource(t, b, Import{}, t.TempDir())
	reg := prometheus.NewRegistry()
	reg.MustRegister(s)
	other := testSource(t, newMemBucket(), Import{}, t.TempDir())
	other.name, other.descs = "u", newDescs("u")
	reg.MustRegister(other) // a second source registers beside it
	running(t, s, &sink{})
	eventually(t, "imported", func() bool { return s.Stats().Imported == 1 })
	mfs, err := reg.Gather()
	if err != nil {
		t.Fatal(err)
	}
	got := map[string]float64{}
	for _, mf := range mfs {
		for _, m := range mf.GetMetric() {
			src := ""
			for _, l := range m.GetLabel() {
				if l.GetName() == "source" {
					src = l.GetValue()
				}
			}
			v := m.GetGauge().GetValue()
			if m.Counter != nil {
				v = m.GetCounter().GetValue()
			}
			got[mf.GetName()+"{"+src+"}"] = v
		}
	}
	want := map[string]float64{
		"vigil_import_objects_imported_total{t}": 1, "vigil_import_objects_imported_total{u}": 0,
		"vigil_import_objects_failed_total{t}": 0, "vigil_import_objects_pending{t}": 0, "vigil_import_objects_in_flight{t}": 0,
	}
	for k, v := range want {
		if g, ok := got[k]; !ok || g != v {
			t.Errorf("%s = %v (present %v), want %v", k, g, ok, v)
		}
	}
}

func counterValue(t *testing.T, c prometheus.Counter) float64 {
	t.Helper()
	var m dto.Metric
	if err := c.Write(&m); err != nil {
		t.Fatal(err)
	}
	return m.GetCounter().GetValue()
}

func TestMatches(t *testing.T) {
	f := func(c Import, key string, want bool) {
		t.Helper()
		if got := c.matches(key); got != want {
			t.Errorf("%+v matches(%q) = %v, want %v", c, key, got, want)
		}
	}
	f(Import{}, "a/b.log", true)
	f(Import{Include: []string{"*.log"}}, "a/b.log", true)
	f(Import{Include: []string{"*.log"}}, "a/b.gz", false)
	f(Import{Include: []string{"a/*.log"}}, "a/b.log", true)
	f(Import{Include: []string{"a/*.log"}}, "c/a/b.log", false)
	f(Import{Exclude: []string{"*.tmp"}}, "x/y.tmp", false)
	f(Import{DoneMarker: ".done"}, "x.log.done", false)
}
