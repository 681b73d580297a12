package sources

import (
	"context"
	"errors"
	"os"
	"path/filepath"
	"strings"
	"testing"
	"time"

	"github.com/vigilsiem/vigil/internal/alert"
	"github.com/vigilsiem/vigil/internal/event"
	"github.com/vigilsiem/vigil/internal/pipeline"
)

// clock is a settable test clock.
type clock struct{ t time.Time }

func (c *clock) now() time.Time      { return c.t }
func (c *clock) add(d time.Duration) { c.t = c.t.Add(d) }
func newClock() *clock               { return &clock{t: time.Date(2026, 12, 1, 0, 0, 0, 0, time.UTC)} }
func evs(tenant, source, host string, n int) []*event.Event {
	out := make([]*event.Event, n)
	for i := range out {
		e := &event.Event{Tenant: tenant, Source: source, Original: "x"}
		if host != "" {
			e.SetString("host.name", host)
		}
		out[i] = e
	}
	return out
}

func write(t *testing.T, tr *Tracker, events []*event.Event) {
	t.Helper()
	if err := tr.Write(context.Background(), events); err != nil {
		t.Fatal(err)
	}
}

func find(t *testing.T, tr *Tracker, tenant, host string) Source {
	t.Helper()
	for _, s := range tr.Sources(tenant) {
		if s.Host == host {
			return s
		}
	}
	t.Fatalf("no source %s/%s in %+v", tenant, host, tr.Sources(tenant))
	return Source{}
}

func rules(as []alert.Alert) []string {
	var out []string
	for _, a := range as {
		out = append(out, a.RuleID+":"+strings.Join(a.Entities.Hosts, ","))
	}
	return out
}

// A source that sent every 10 s for two hours learns a threshold of
// max(4 × 10 s, 5 m) = 5 m: no alert at 4 m of quiet, one alert naming it
// at the first check past 5 m, and none for the host that keeps sending.
func TestSilenceLearnedRhythm(t *testing.T) {
	c := newClock()
	tr := New(Options{Now: c.now})
	for i := 0; i < 720; i++ {
		write(t, tr, evs("acme", "syslog", "fw1", 3))
		write(t, tr, evs("acme", "syslog", "fw2", 3))
		c.add(10 * time.Second)
	}
	if th := find(t, tr, "acme", "fw1").SilenceAfter; th != "5m0s" {
		t.Fatalf("learned threshold %s, want 5m0s", th)
	}
	var all []alert.Alert
	for i := 0; i < 30; i++ { // 30 checks 15 s apart: 7.5 minutes
		write(t, tr, evs("acme", "syslog", "fw2", 1))
		c.add(15 * time.Second)
		as, _ := tr.Check()
		if len(as) > 0 && i < 15 {
			t.Fatalf("alert after %v of quiet: %v", time.Duration(i+1)*15*time.Second, rules(as))
		}
		all = append(all, as...)
	}
	if got := rules(all); len(got) != 1 || got[0] != RuleSilent+":fw1" {
		t.Fatalf("alerts %v, want one silence alert naming fw1", got)
	}
	if a := all[0]; a.Tenant != "acme" || a.Level != "high" || !strings.Contains(a.Title, "fw1") || len(a.EventIDs) != 0 || a.EventIDs == nil {
		t.Fatalf("alert %+v", a)
	}
	if s := find(t, tr, "acme", "fw1"); s.Status != "silent" || s.LastSeen == nil {
		t.Fatalf("fw1 %+v", s)
	}
	if s := find(t, tr, "acme", "fw2"); s.Status != "ok" || s.EPS1m <= 0 || s.Events24h != 720*3+30 {
		t.Fatalf("fw2 %+v", s)
	}
	// It sends again: healthy, and a later silence is a new episode.
	write(t, tr, evs("acme", "syslog", "fw1", 1))
	if s := find(t, tr, "acme", "fw1"); s.Status != "ok" {
		t.Fatalf("fw1 after it resumed: %+v", s)
	}
	// Its rhythm now includes a gap of 7 m 40 s: 4 × that.
	if th := find(t, tr, "acme", "fw1").SilenceAfter; th != "30m40s" {
		t.Fatalf("threshold after the gap %s, want 30m40s", th)
	}
	c.add(30 * time.Minute)
	if r := rules(must(tr.Check())); len(r) != 1 || r[0] != RuleSilent+":fw2" {
		t.Fatalf("at 30 m: %v, want fw2 only", r)
	}
	c.add(2 * time.Minute)
	if r := rules(must(tr.Check())); len(r) != 1 || r[0] != RuleSilent+":fw1" {
		t.Fatalf("second episode: %v", r)
	}
}

// A check runs every CheckInterval, so a source is found silent within one
// interval of its threshold: here within 15 s of a 1 m threshold.
func TestSilenceFoundWithinCheckInterval(t *testing.T) {
	c := newClock()
	tr := New(Options{Now: c.now, SilenceAfter: time.Minute})
	write(t, tr, evs("t", "s", "h", 1))
	var at time.Duration
	for step := time.Duration(0); at == 0 && step < 5*time.Minute; step += tr.opts.CheckInterval {
		c.add(tr.opts.CheckInterval)
		if as, _ := tr.Check(); len(as) == 1 {
			at = step + tr.opts.CheckInterval
		}
	}
	if at <= time.Minute || at > time.Minute+DefaultCheckInterval {
		t.Fatalf("found silent after %v, want within %v of 1m", at, DefaultCheckInterval)
	}
}

func TestSilenceThresholdOverrides(t *testing.T) {
	tr := New(Options{SilenceAfter: time.Hour, Overrides: []Override{
		{Source: "fw", SilenceAfter: 2 * time.Minute},
		{Host: "core1", SilenceAfter: 3 * time.Minute},
		{Source: "fw", Host: "edge1", SilenceAfter: 4 * time.Minute},
	}})
	for _, c := range []struct {
		source, host string
		want         time.Duration
	}{
		{"fw", "edge1", 4 * time.Minute},
		{"fw", "core1", 3 * time.Minute},
		{"web", "core1", 3 * time.Minute},
		{"fw", "other", 2 * time.Minute},
		{"web", "other", time.Hour},
	} {
		s := &state{key: key{"t", c.source, c.host}}
		if got := tr.threshold(s); got != c.want {
			t.Errorf("%s/%s: %v, want %v", c.source, c.host, got, c.want)
		}
	}
	// Without any setting, a new source waits UnlearnedSilence.
	if got := New(Options{}).threshold(&state{}); got != UnlearnedSilence {
		t.Errorf("unlearned: %v", got)
	}
}

// 100 events a minute for four hours, then 2 a minute: a volume drop alert
// once the last 10 minutes hold under a tenth of the usual; it clears when
// the volume is back.
func TestVolumeDrop(t *testing.T) {
	c := newClock()
	tr := New(Options{Now: c.now, SilenceAfter: time.Hour})
	for i := 0; i < 240; i++ {
		write(t, tr, evs("t", "s", "h", 100))
		c.add(time.Minute)
	}
	if as, _ := tr.Check(); len(as) != 0 {
		t.Fatalf("steady volume raised %v", rules(as))
	}
	var got []alert.Alert
	for i := 0; i < 10; i++ {
		write(t, tr, evs("t", "s", "h", 2))
		c.add(time.Minute)
		as, _ := tr.Check()
		got = append(got, as...)
	}
	if r := rules(got); len(r) != 1 || r[0] != RuleVolumeDrop+":h" {
		t.Fatalf("alerts %v, want one volume drop", r)
	}
	if s := find(t, tr, "t", "h"); s.Status != "volume_drop" {
		t.Fatalf("%+v", s)
	}
	for i := 0; i < 10; i++ {
		write(t, tr, evs("t", "s", "h", 100))
		c.add(time.Minute)
		if as, _ := tr.Check(); len(as) != 0 {
			t.Fatalf("recovery raised %v", rules(as))
		}
	}
	if s := find(t, tr, "t", "h"); s.Status != "ok" {
		t.Fatalf("after recovery %+v", s)
	}
}

// Dead letters count against the host their sender's address named; a
// rising share of them raises one alert.
func TestParseErrorsRising(t *testing.T) {
	c := newClock()
	dead := deadFunc(func(context.Context, []pipeline.DeadLetter) error { return nil })
	tr := New(Options{Now: c.now, SilenceAfter: time.Hour})
	dl := tr.DeadLetters(dead)
	mk := func(n int) []*event.Event {
		out := evs("t", "syslog", "fw1", n)
		for _, e := range out {
			e.SetString("log.source.address", "10.1.1.1:514")
		}
		return out
	}
	for i := 0; i < 60; i++ { // an hour of clean traffic, one error
		write(t, tr, mk(50))
		if i == 30 {
			_ = dl.WriteDeadLetters(context.Background(), []pipeline.DeadLetter{{Tenant: "t", Source: "syslog", Peer: "10.1.1.1:514"}})
		}
		c.add(time.Minute)
	}
	if as, _ := tr.Check(); len(as) != 0 {
		t.Fatalf("%v", rules(as))
	}
	var got []alert.Alert
	for i := 0; i < 5; i++ {
		write(t, tr, mk(40))
		letters := make([]pipeline.DeadLetter, 10)
		for j := range letters {
			letters[j] = pipeline.DeadLetter{Tenant: "t", Source: "syslog", Peer: "10.1.1.1:40000"}
		}
		if err := dl.WriteDeadLetters(context.Background(), letters); err != nil {
			t.Fatal(err)
		}
		c.add(time.Minute)
		as, _ := tr.Check()
		got = append(got, as...)
	}
	if r := rules(got); len(r) != 1 || r[0] != RuleParseErrors+":fw1" {
		t.Fatalf("alerts %v, want one parse-error alert naming fw1", r)
	}
	s := find(t, tr, "t", "fw1")
	if s.ParseErrors24h != 51 || s.Status != "parse_errors" || s.LastError == nil || len(tr.Sources("t")) != 1 {
		t.Fatalf("%+v (sources %d)", s, len(tr.Sources("t")))
	}
	// A dead letter the store refused is not counted.
	failing := New(Options{Now: c.now}).DeadLetters(deadFunc(func(context.Context, []pipeline.DeadLetter) error { return errors.New("disk full") }))
	if err := failing.WriteDeadLetters(context.Background(), []pipeline.DeadLetter{{Tenant: "t"}}); err == nil {
		t.Fatal("error not passed on")
	}
}

// Past MaxSourcesPerTenant, new hosts are counted under ~overflow: counts
// stay exact, the table stops growing; other tenants are unaffected.
func TestSourceCap(t *testing.T) {
	c := newClock()
	tr := New(Options{Now: c.now, MaxSourcesPerTenant: 2})
	for _, h := range []string{"a", "b", "c", "d", "a"} {
		write(t, tr, evs("t", "s", h, 2))
	}
	write(t, tr, evs("u", "s", "z", 1))
	list := tr.Sources("t")
	if len(list) != 3 {
		t.Fatalf("%+v", list)
	}
	if a, o := find(t, tr, "t", "a"), find(t, tr, "t", OverflowHost); a.Events24h != 4 || o.Events24h != 4 {
		t.Fatalf("a %+v overflow %+v", a, o)
	}
	if len(tr.Sources("u")) != 1 || len(tr.Sources("nobody")) != 0 {
		t.Fatal("tenants mixed")
	}
}

// Sources gone for ForgetAfter leave the table; a failed alert write is
// raised again at the next check.
func TestForgetAndUndo(t *testing.T) {
	c := newClock()
	tr := New(Options{Now: c.now, SilenceAfter: time.Minute})
	write(t, tr, evs("t", "s", "h", 1))
	c.add(2 * time.Minute)
	as, undo := tr.Check()
	if len(as) != 1 {
		t.Fatalf("%v", rules(as))
	}
	undo()
	if as, _ := tr.Check(); len(as) != 1 {
		t.Fatalf("after undo: %v", rules(as))
	}
	if as, _ := tr.Check(); len(as) != 0 {
		t.Fatalf("raised twice: %v", rules(as))
	}
	c.add(ForgetAfter)
	tr.Check()
	if n := len(tr.Sources("t")); n != 0 {
		t.Fatalf("%d sources after %v", n, ForgetAfter)
	}
}

// Run writes alerts to the sink at its check interval.
func TestRunWritesAlerts(t *testing.T) {
	tr := New(Options{SilenceAfter: time.Millisecond, CheckInterval: 5 * time.Millisecond})
	write(t, tr, evs("t", "s", "gone", 1))
	got := make(chan alert.Alert, 4)
	ctx, cancel := context.WithCancel(context.Background())
	defer cancel()
	go tr.Run(ctx, alert.SinkFunc(func(_ context.Context, as []alert.Alert) error {
		for _, a := range as {
			got <- a
		}
		return nil
	}))
	select {
	case a := <-got:
		if a.RuleID != RuleSilent || a.Entities.Hosts[0] != "gone" {
			t.Fatalf("%+v", a)
		}
	case <-time.After(10 * time.Second):
		t.Fatal("no alert")
	}
}

func TestRing(t *testing.T) {
	var r ring
	r.add(100, 1)
	r.add(101, 2)
	r.add(100, 3)
	if s := r.sum(101, 2); s != 6 {
		t.Fatalf("sum %d", s)
	}
	r.add(150, 1)
	if s := r.sum(150, 60); s != 7 {
		t.Fatalf("sum after 50 units %d", s)
	}
	r.add(161, 1) // 100 and 101 fall out
	if s := r.sum(161, 60); s != 2 {
		t.Fatalf("sum after 61 units %d", s)
	}
	r.add(90, 5) // older than the ring: ignored
	r.add(500, 1)
	if s, m := r.sum(500, 60), r.maxOf(500, 60); s != 1 || m != 1 {
		t.Fatalf("after a jump: sum %d max %d", s, m)
	}
}

// A source's per-minute counts, oldest first, for the sparkline.
func TestPerMinuteSeries(t *testing.T) {
	c := newClock()
	tr := New(Options{Now: c.now})
	write(t, tr, evs("acme", "syslog", "web1", 3))
	c.add(2 * time.Minute)
	write(t, tr, evs("acme", "syslog", "web1", 5))
	pm := find(t, tr, "acme", "web1").PerMinute
	if len(pm) != ringSize || pm[ringSize-1] != 5 || pm[ringSize-3] != 3 || pm[ringSize-2] != 0 {
		t.Fatalf("per minute: %v", pm)
	}
	c.add(61 * time.Minute)
	for _, n := range find(t, tr, "acme", "web1").PerMinute {
		if n != 0 {
			t.Fatalf("an hour later: %v", find(t, tr, "acme", "web1").PerMinute)
		}
	}
}

type deadFunc func(context.Context, []pipeline.DeadLetter) error

func (f deadFunc) WriteDeadLetters(ctx context.Context, l []pipeline.DeadLetter) error {
	return f(ctx, l)
}

func must(as []alert.Alert, _ func()) []alert.Alert { return as }

// The state survives a restart: counts, last-seen times and episodes. A
// source already reported silent is not reported again; one that stopped
// while Vigil was down is reported a threshold after the restart, not at
// once (the downtime is not its silence).
func TestStateSurvivesRestart(t *testing.T) {
	dir := t.TempDir()
	c := newClock()
	opts := Options{Now: c.now, Dir: dir, SilenceAfter: 5 * time.Minute}
	tr, err := Open(opts)
	if err != nil {
		t.Fatal(err)
	}
	write(t, tr, evs("t", "s", "old", 3))
	c.add(6 * time.Minute)
	if r := rules(must(tr.Check())); len(r) != 1 {
		t.Fatalf("%v", r)
	}
	write(t, tr, evs("t", "s", "recent", 4))
	if err := tr.Save(); err != nil {
		t.Fatal(err)
	}
	c.add(time.Hour) // Vigil is down for an hour
	tr2, err := Open(opts)
	if err != nil {
		t.Fatal(err)
	}
	if s := find(t, tr2, "t", "recent"); s.Events24h != 4 || s.LastSeen == nil || !s.LastSeen.Equal(c.t.Add(-time.Hour)) {
		t.Fatalf("%+v", s)
	}
	if r := rules(must(tr2.Check())); len(r) != 0 {
		t.Fatalf("at restart: %v", r)
	}
	c.add(5*time.Minute + time.Second)
	if r := rules(must(tr2.Check())); len(r) != 1 || r[0] != RuleSilent+":recent" {
		t.Fatalf("a threshold after restart: %v", r)
	}
	if s := find(t, tr2, "t", "old"); s.Status != "silent" {
		t.Fatalf("%+v", s)
	}
	// A state file from another version is refused, not guessed at.
	os.WriteFile(filepath.Join(dir, stateFile), []byte(`{"version":2}`), 0o640)
	if _, err := Open(opts); err == nil {
		t.Fatal("version 2 accepted")
	}
}

// Workers write while checks, listings and saves run (run with -race).
func TestConcurrentUse(t *testing.T) {
	tr, err := Open(Options{Dir: t.TempDir(), SilenceAfter: time.Nanosecond})
	if err != nil {
		t.Fatal(err)
	}
	dl := tr.DeadLetters(deadFunc(func(context.Context, []pipeline.DeadLetter) error { return nil }))
	done := make(chan struct{})
	go func() {
		defer close(done)
		for i := 0; i < 50; i++ {
			tr.Check()
			tr.Sources("t")
			if err := tr.Save(); err != nil {
				t.Error(err)
			}
		}
	}()
	finished := make(chan struct{}, 2)
	for w := 0; w < 2; w++ {
		go func() {
			for i := 0; i < 500; i++ {
				_ = tr.Write(context.Background(), evs("t", "s", "h", 4))
				_ = dl.WriteDeadLetters(context.Background(), []pipeline.DeadLetter{{Tenant: "t", Source: "s", Peer: "10.0.0.1:1"}})
			}
			finished <- struct{}{}
		}()
	}
	<-finished
	<-finished
	<-done
	if s := find(t, tr, "t", "h"); s.Events24h != 4000 {
		t.Fatalf("%+v", s)
	}
}
