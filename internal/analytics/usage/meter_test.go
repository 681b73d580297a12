package usage

import (
	"context"
	"os"
	"path/filepath"
	"strings"
	"testing"
	"time"

	"github.com/vigilsiem/vigil/internal/event"
)

type clock struct{ t time.Time }

func (c *clock) now() time.Time      { return c.t }
func (c *clock) add(d time.Duration) { c.t = c.t.Add(d) }

func newClock() *clock { return &clock{t: time.Date(2026, 12, 1, 23, 59, 58, 0, time.UTC)} }

func evs(tenant string, n int, size int) []*event.Event {
	out := make([]*event.Event, n)
	for i := range out {
		out[i] = &event.Event{Tenant: tenant, Original: strings.Repeat("x", size)}
	}
	return out
}

func open(t *testing.T, dir string, c *clock, q map[string]Quota) *Meter {
	t.Helper()
	m, err := Open(Options{Dir: dir, Now: c.now, Quotas: q})
	if err != nil {
		t.Fatal(err)
	}
	return m
}

func write(t *testing.T, m *Meter, events []*event.Event) {
	t.Helper()
	if err := m.Write(context.Background(), events); err != nil {
		t.Fatal(err)
	}
}

// Counts are exact to the event, per tenant, across a day boundary, with
// the peak second and per-day figures.
func TestUsageCounts(t *testing.T) {
	c := newClock()
	m := open(t, t.TempDir(), c, nil)
	defer m.Close()
	write(t, m, evs("acme", 7, 10))
	write(t, m, append(evs("acme", 5, 10), evs("beta", 3, 100)...)) // one batch, two tenants
	c.add(time.Second)                                              // 23:59:59
	write(t, m, evs("acme", 4, 10))
	c.add(2 * time.Second) // 00:00:01 the next day
	write(t, m, evs("acme", 1, 10))
	r := m.Usage("acme", time.Time{}, time.Time{})
	if r.Events != 17 || r.Bytes != 170 || r.EPSPeak != 12 || len(r.ByDay) != 2 {
		t.Fatalf("%+v", r)
	}
	if d := r.ByDay; d[0].Date != "2026-12-01" || d[0].Events != 16 || d[0].EPSPeak != 12 || d[1].Events != 1 || d[1].EPSPeak != 1 {
		t.Fatalf("by day %+v", d)
	}
	if b := m.Usage("beta", time.Time{}, time.Time{}); b.Events != 3 || b.Bytes != 300 {
		t.Fatalf("beta %+v", b)
	}
	// A range of only the second day.
	if r := m.Usage("acme", c.t.Truncate(24*time.Hour), time.Time{}); r.Events != 1 {
		t.Fatalf("second day %+v", r)
	}
	if r := m.Usage("nobody", time.Time{}, time.Time{}); r.Events != 0 || r.ByDay == nil {
		t.Fatalf("%+v", r)
	}
}

// The counters survive a clean restart, and a crash (no Close: the journal
// holds what the snapshot does not); a torn last line is ignored.
func TestUsagePersists(t *testing.T) {
	dir := t.TempDir()
	c := newClock()
	m := open(t, dir, c, nil)
	write(t, m, evs("acme", 10, 5))
	if err := m.Close(); err != nil {
		t.Fatal(err)
	}
	m = open(t, dir, c, nil)
	write(t, m, evs("acme", 5, 5))
	if err := m.Snapshot(); err != nil {
		t.Fatal(err)
	}
	write(t, m, evs("acme", 3, 5))
	// Crash: m is abandoned without Close; add a torn line to its journal.
	seqs, err := journals(dir)
	if err != nil || len(seqs) != 1 {
		t.Fatalf("journals %v %v", seqs, err)
	}
	f, err := os.OpenFile(journalPath(dir, seqs[0]), os.O_APPEND|os.O_WRONLY, 0)
	if err != nil {
		t.Fatal(err)
	}
	f.WriteString(`1764633598 "acme" 99`)
	f.Close()
	m2 := open(t, dir, c, nil) // abandoned too: a second crash
	if r := m2.Usage("acme", time.Time{}, time.Time{}); r.Events != 18 || r.Bytes != 90 || r.EPSPeak != 18 {
		t.Fatalf("after a crash %+v", r)
	}
	// The replayed journal went into a snapshot and is gone.
	if after, _ := journals(dir); len(after) != 1 || after[0] <= seqs[0] {
		t.Fatalf("journals %v after %v", after, seqs)
	}
	m3 := open(t, dir, c, nil) // still no double count
	defer m3.Close()
	if r := m3.Usage("acme", time.Time{}, time.Time{}); r.Events != 18 {
		t.Fatalf("after a second start %+v", r)
	}
}

// A snapshot that was not renamed into place leaves the journals it would
// have covered; both are replayed, none twice.
func TestUsageCrashDuringSnapshot(t *testing.T) {
	dir := t.TempDir()
	c := newClock()
	m := open(t, dir, c, nil)
	write(t, m, evs("acme", 4, 1))
	// What Snapshot does before the rename: a new journal takes writes.
	m.mu.Lock()
	seq := m.journal.seq + 1
	f, err := os.OpenFile(journalPath(dir, seq), os.O_CREATE|os.O_WRONLY|os.O_APPEND, 0o640)
	if err != nil {
		t.Fatal(err)
	}
	m.journal = &journal{f: f, seq: seq}
	m.mu.Unlock()
	write(t, m, evs("acme", 6, 1))
	os.WriteFile(filepath.Join(dir, snapshotName+".tmp"), []byte("{half"), 0o640)
	m2 := open(t, dir, c, nil)
	defer m2.Close()
	if r := m2.Usage("acme", time.Time{}, time.Time{}); r.Events != 10 {
		t.Fatalf("%+v", r)
	}
}

func TestUsageRejectsCorruptFiles(t *testing.T) {
	dir := t.TempDir()
	os.WriteFile(filepath.Join(dir, snapshotName), []byte(`{"version":99}`), 0o640)
	if _, err := Open(Options{Dir: dir}); err == nil || !strings.Contains(err.Error(), "version 99") {
		t.Fatalf("err %v", err)
	}
	dir = t.TempDir()
	os.WriteFile(journalPath(dir, 0), []byte("12 \"acme\" x 1\n"), 0o640)
	if _, err := Open(Options{Dir: dir}); err == nil || !strings.Contains(err.Error(), "line 1") {
		t.Fatalf("err %v", err)
	}
}

// Over quota, every event is still counted (and stored: the meter never
// refuses a write); one alert per tenant, quota and day.
func TestQuotaWarnsNeverDrops(t *testing.T) {
	c := newClock()
	m := open(t, t.TempDir(), c, map[string]Quota{"acme": {EPS: 10, EventsPerDay: 100}})
	defer m.Close()
	write(t, m, evs("acme", 25, 1))
	write(t, m, evs("beta", 25, 1))
	as, _ := m.CheckQuotas()
	if len(as) != 1 || as[0].RuleID != RuleQuota || as[0].Tenant != "acme" || !strings.Contains(as[0].Title, "10 events per second") {
		t.Fatalf("alerts %+v", as)
	}
	if as, _ := m.CheckQuotas(); len(as) != 0 {
		t.Fatalf("alerted twice: %+v", as)
	}
	r := m.Usage("acme", time.Time{}, time.Time{})
	if r.Events != 25 || r.Quota == nil || !r.Quota.ExceededToday || r.Quota.OverQuotaToday != 15 {
		t.Fatalf("%+v %+v", r, r.Quota)
	}
	// The next day: 101 events over a day's quota.
	c.add(2 * time.Second)
	for i := 0; i < 11; i++ {
		write(t, m, evs("acme", 10, 1))
		c.add(time.Second)
	}
	as, undo := m.CheckQuotas()
	if len(as) != 1 || !strings.Contains(as[0].Title, "per day") {
		t.Fatalf("alerts %+v", as)
	}
	undo()
	if as, _ := m.CheckQuotas(); len(as) != 1 {
		t.Fatalf("after undo %+v", as)
	}
	if r := m.Usage("acme", time.Time{}, time.Time{}); r.Events != 135 || r.Quota.OverQuotaToday != 10 {
		t.Fatalf("%+v %+v", r, r.Quota)
	}
}

func FuzzParseJournalLine(f *testing.F) {
	f.Add(`1764633598 "acme" 10 200`)
	f.Add(`1 "a b\"c" 1 1`)
	f.Add(`x`)
	f.Fuzz(func(t *testing.T, line string) {
		sec, tenant, n, b, err := parseJournalLine(line)
		if err != nil {
			return
		}
		// What parses must print back to a line that parses the same.
		out := string(appendLine(nil, sec, tenant, n, b))
		s2, t2, n2, b2, err := parseJournalLine(strings.TrimSuffix(out, "\n"))
		if err != nil || s2 != sec || t2 != tenant || n2 != n || b2 != b {
			t.Fatalf("%q → %q: %v", line, out, err)
		}
	})
}

// Writers racing snapshots, then a crash: the count is still exact.
func TestUsageConcurrentSnapshots(t *testing.T) {
	dir := t.TempDir()
	m, err := Open(Options{Dir: dir})
	if err != nil {
		t.Fatal(err)
	}
	const writers, batches = 4, 300
	done := make(chan struct{})
	go func() {
		defer close(done)
		for i := 0; i < 20; i++ {
			if err := m.Snapshot(); err != nil {
				t.Error(err)
				return
			}
		}
	}()
	errs := make(chan error, writers)
	for w := 0; w < writers; w++ {
		go func() {
			var err error
			for i := 0; i < batches && err == nil; i++ {
				err = m.Write(context.Background(), evs("acme", 3, 2))
			}
			errs <- err
		}()
	}
	for w := 0; w < writers; w++ {
		if err := <-errs; err != nil {
			t.Fatal(err)
		}
	}
	<-done
	m2, err := Open(Options{Dir: dir}) // m is abandoned: a crash
	if err != nil {
		t.Fatal(err)
	}
	defer m2.Close()
	if r := m2.Usage("acme", time.Time{}, time.Time{}); r.Events != writers*batches*3 || r.Bytes != writers*batches*6 {
		t.Fatalf("%d events, %d bytes; want %d, %d", r.Events, r.Bytes, writers*batches*3, writers*batches*6)
	}
}
