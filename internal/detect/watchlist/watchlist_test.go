package watchlist

import (
	"errors"
	"log/slog"
	"os"
	"path/filepath"
	"strconv"
	"strings"
	"testing"
	"time"

	"github.com/vigilsiem/vigil/internal/detect/sigma"
	"github.com/vigilsiem/vigil/internal/event"
)

var t0 = time.Date(2026, 5, 1, 8, 0, 0, 0, time.UTC)

type clock struct{ now time.Time }

func (c *clock) Now() time.Time { return c.now }

func open(t *testing.T, dir string, c *clock) *Store {
	t.Helper()
	s, err := Open(Options{Dir: dir, Now: c.Now, Logger: slog.New(slog.DiscardHandler)})
	if err != nil {
		t.Fatal(err)
	}
	return s
}

func n64(n int64) *int64 { return &n }

func TestEntriesAndLookup(t *testing.T) {
	c := &clock{t0}
	s := open(t, "", c)
	if err := s.PutEntries("", "admins", []EntryInput{{Key: "Alice", Value: "it"}, {Key: "bob", Count: n64(3)}}); err != nil {
		t.Fatal(err)
	}
	f := func(tenant, list, key string, want sigma.WatchlistEntry, ok bool) {
		t.Helper()
		got, gotOK := s.Lookup(tenant, list, key)
		if got != want || gotOK != ok {
			t.Errorf("Lookup(%s, %s, %s) = %+v, %v; want %+v, %v", tenant, list, key, got, gotOK, want, ok)
		}
	}
	f("default", "admins", "alice", sigma.WatchlistEntry{Value: "it"}, true)
	f("", "admins", "ALICE", sigma.WatchlistEntry{Value: "it"}, true)
	f("default", "admins", "bob", sigma.WatchlistEntry{Count: 3}, true)
	f("default", "admins", "carol", sigma.WatchlistEntry{}, false)
	f("acme", "admins", "alice", sigma.WatchlistEntry{}, false)
	f("default", "nope", "alice", sigma.WatchlistEntry{}, false)

	es, total, err := s.Entries("default", "admins", "a", 0)
	if err != nil || total != 1 || es[0].Key != "Alice" || !es[0].Created.Equal(t0) {
		t.Errorf("Entries prefix a = %+v, %d, %v", es, total, err)
	}
	if es, total, _ := s.Entries("default", "admins", "", 1); len(es) != 1 || total != 2 {
		t.Errorf("Entries limit 1 = %d entries of %d", len(es), total)
	}
	// a count given again sets it; a write without one keeps it
	if err := s.PutEntries("", "admins", []EntryInput{{Key: "BOB", Value: "x"}}); err != nil {
		t.Fatal(err)
	}
	f("default", "admins", "bob", sigma.WatchlistEntry{Value: "x", Count: 3}, true)
	if err := s.DeleteEntry("", "admins", "alice"); err != nil {
		t.Fatal(err)
	}
	if err := s.DeleteEntry("", "admins", "alice"); !errors.Is(err, ErrNotFound) {
		t.Errorf("second delete: %v", err)
	}
	if in, err := s.Get("", "admins"); err != nil || in.Entries != 1 || in.MaxEntries != DefaultMaxEntries {
		t.Errorf("Get = %+v, %v", in, err)
	}
	if err := s.PutEntries("", "bad name", []EntryInput{{Key: "x"}}); !errors.Is(err, ErrInvalid) {
		t.Errorf("bad list name: %v", err)
	}
	if err := s.PutEntries("", "l", []EntryInput{{Key: " "}}); !errors.Is(err, ErrInvalid) {
		t.Errorf("empty key: %v", err)
	}
}

func TestTTLExpiry(t *testing.T) {
	c := &clock{t0}
	s := open(t, "", c)
	if _, _, err := s.PutList("", "recent", Settings{TTL: Duration(time.Hour)}); err != nil {
		t.Fatal(err)
	}
	if err := s.PutEntries("", "recent", []EntryInput{{Key: "list-ttl"}, {Key: "own-ttl", TTL: Duration(10 * time.Minute)}}); err != nil {
		t.Fatal(err)
	}
	live := func(key string) bool { _, ok := s.Lookup("", "recent", key); return ok }
	c.now = t0.Add(10 * time.Minute)
	if !live("list-ttl") || live("own-ttl") {
		t.Errorf("at +10m: list-ttl %v, own-ttl %v; want true, false", live("list-ttl"), live("own-ttl"))
	}
	// a write refreshes the lifetime
	c.now = t0.Add(50 * time.Minute)
	if err := s.PutEntries("", "recent", []EntryInput{{Key: "list-ttl"}}); err != nil {
		t.Fatal(err)
	}
	c.now = t0.Add(100 * time.Minute)
	if !live("list-ttl") {
		t.Error("refreshed entry expired")
	}
	if e, _, _ := s.Entries("", "recent", "", 0); len(e) != 1 {
		t.Errorf("live entries %v, want 1", e)
	}
	if n := s.Sweep(); n != 1 {
		t.Errorf("swept %d, want 1", n)
	}
	c.now = t0.Add(200 * time.Minute)
	if live("list-ttl") || s.Sweep() != 1 || s.count() != 0 {
		t.Error("entry outlived its ttl")
	}
	// an expired entry written again starts afresh
	if err := s.PutEntries("", "recent", []EntryInput{{Key: "own-ttl", Count: n64(1)}}); err != nil {
		t.Fatal(err)
	}
	if e, err := s.GetEntry("", "recent", "own-ttl"); err != nil || !e.Created.Equal(c.now) || e.Count != 1 {
		t.Errorf("rewritten entry = %+v, %v", e, err)
	}
}

func ruleWithActions(t *testing.T, section string) *sigma.Rule {
	t.Helper()
	r, err := sigma.ParseRule([]byte("title: W\nlogsource: {product: windows, service: security}\ndetection: {s: {EventID: 4625}, condition: s}\nwatchlist:\n" + section))
	if err != nil {
		t.Fatal(err)
	}
	if _, err := sigma.NewCompiler(sigma.Config{}).Compile(r); err != nil {
		t.Fatal(err)
	}
	return r
}

func failure(tenant, user, ip string) *event.Event {
	e := &event.Event{Tenant: tenant}
	e.SetString("winlog.event_data.TargetUserName", user)
	e.SetString("winlog.event_data.IpAddress", ip)
	return e
}

func TestApplyActions(t *testing.T) {
	c := &clock{t0}
	s := open(t, "", c)
	inc := ruleWithActions(t, "  - increment: failed\n    key: TargetUserName\n    value_from: IpAddress\n    ttl: 30m\n  - add: sources\n    key: IpAddress\n")
	for _, ip := range []string{"10.0.0.1", "10.0.0.2", "10.0.0.3"} {
		s.Apply(inc, failure("", "bob", ip))
	}
	s.Apply(inc, failure("acme", "bob", "10.9.9.9"))
	s.Apply(inc, failure("", "", "10.0.0.4")) // no user: the increment is skipped
	if e, ok := s.Lookup("", "failed", "bob"); !ok || e.Count != 3 || e.Value != "10.0.0.3" {
		t.Errorf("failed/bob = %+v, %v", e, ok)
	}
	if e, ok := s.Lookup("acme", "failed", "bob"); !ok || e.Count != 1 {
		t.Errorf("acme failed/bob = %+v, %v", e, ok)
	}
	if _, total, _ := s.Entries("", "sources", "", 0); total != 4 {
		t.Errorf("sources has %d entries, want 4", total)
	}
	if s.m.noKey.Load() != 1 {
		t.Errorf("missing key count = %d, want 1", s.m.noKey.Load())
	}
	c.now = t0.Add(31 * time.Minute)
	if _, ok := s.Lookup("", "failed", "bob"); ok {
		t.Error("the action's ttl did not apply")
	}
	rm := ruleWithActions(t, "  - remove: sources\n    key: IpAddress\n")
	s.Apply(rm, failure("", "bob", "10.0.0.1"))
	if _, ok := s.Lookup("", "sources", "10.0.0.1"); ok {
		t.Error("remove did not remove")
	}
	// a full list rejects new keys, counts them, keeps the others
	if _, _, err := s.PutList("", "small", Settings{MaxEntries: 2}); err != nil {
		t.Fatal(err)
	}
	add := ruleWithActions(t, "  - add: small\n    key: IpAddress\n")
	for _, ip := range []string{"1.1.1.1", "2.2.2.2", "3.3.3.3", "1.1.1.1"} {
		s.Apply(add, failure("", "u", ip))
	}
	if _, total, _ := s.Entries("", "small", "", 0); total != 2 || s.m.rejectedFull.Load() != 1 {
		t.Errorf("small holds %d, rejected %d; want 2 and 1", total, s.m.rejectedFull.Load())
	}
	if err := s.PutEntries("", "small", []EntryInput{{Key: "9.9.9.9"}}); !errors.Is(err, ErrFull) {
		t.Errorf("API write to a full list: %v", err)
	}
}

func TestPersistence(t *testing.T) {
	dir := t.TempDir()
	c := &clock{t0}
	s := open(t, dir, c)
	if _, _, err := s.PutList("acme", "intel", Settings{Description: "feed", TTL: Duration(24 * time.Hour)}); err != nil {
		t.Fatal(err)
	}
	if err := s.PutEntries("acme", "intel", []EntryInput{{Key: "8.8.8.8", Value: "high", Count: n64(2)}, {Key: "9.9.9.9"}}); err != nil {
		t.Fatal(err)
	}
	if err := s.DeleteEntry("acme", "intel", "9.9.9.9"); err != nil {
		t.Fatal(err)
	}
	inc := ruleWithActions(t, "  - increment: failed\n    key: TargetUserName\n")
	s.Apply(inc, failure("", "bob", "x"))
	s.Apply(inc, failure("", "bob", "x"))
	// a crash after Flush (the engine flushes after each batch): no Close
	if err := s.Flush(); err != nil {
		t.Fatal(err)
	}
	check := func(s *Store) {
		t.Helper()
		if e, ok := s.Lookup("acme", "intel", "8.8.8.8"); !ok || e.Value != "high" || e.Count != 2 {
			t.Errorf("intel 8.8.8.8 = %+v, %v", e, ok)
		}
		if _, ok := s.Lookup("acme", "intel", "9.9.9.9"); ok {
			t.Error("a deleted entry came back")
		}
		if e, ok := s.Lookup("", "failed", "bob"); !ok || e.Count != 2 {
			t.Errorf("failed/bob = %+v, %v", e, ok)
		}
		if in, err := s.Get("acme", "intel"); err != nil || in.Description != "feed" || in.TTL != Duration(24*time.Hour) {
			t.Errorf("intel = %+v, %v", in, err)
		}
	}
	s2 := open(t, dir, c)
	check(s2)
	// a torn last line is skipped
	f, err := os.OpenFile(filepath.Join(dir, logFile), os.O_WRONLY|os.O_APPEND, 0)
	if err != nil {
		t.Fatal(err)
	}
	if _, err := f.WriteString(`{"op":"put","t":"acme","l":"intel","e":{"key":"7.7`); err != nil {
		t.Fatal(err)
	}
	f.Close()
	s3 := open(t, dir, c)
	check(s3)
	// compaction keeps the state and empties the log
	if err := s3.Compact(); err != nil {
		t.Fatal(err)
	}
	if st, err := os.Stat(filepath.Join(dir, logFile)); err != nil || st.Size() != 0 {
		t.Errorf("log after compaction: %v, %v", st, err)
	}
	if err := s3.DeleteList("acme", "intel"); err != nil {
		t.Fatal(err)
	}
	if err := s3.Close(); err != nil {
		t.Fatal(err)
	}
	s4 := open(t, dir, c)
	if _, err := s4.Get("acme", "intel"); !errors.Is(err, ErrNotFound) {
		t.Errorf("deleted list after restart: %v", err)
	}
	if e, ok := s4.Lookup("", "failed", "bob"); !ok || e.Count != 2 {
		t.Errorf("failed/bob after compaction = %+v, %v", e, ok)
	}
}

func TestParseCSV(t *testing.T) {
	f := func(in string, want string) {
		t.Helper()
		es, err := ParseCSV(strings.NewReader(in))
		got := ""
		if err != nil {
			got = "error: " + err.Error()
		} else {
			var parts []string
			for _, e := range es {
				p := e.Key + "=" + e.Value
				if e.Count != nil {
					p += "#" + strconv.FormatInt(*e.Count, 10)
				}
				if e.TTL != 0 {
					p += "@" + time.Duration(e.TTL).String()
				}
				parts = append(parts, p)
			}
			got = strings.Join(parts, " ")
		}
		if !strings.HasPrefix(got, want) {
			t.Errorf("ParseCSV(%q) = %s, want %s", in, got, want)
		}
	}
	f("10.0.0.1\n10.0.0.2,high\n", "10.0.0.1= 10.0.0.2=high")
	f("10.0.0.1, high , 1h\n", "10.0.0.1=high@1h0m0s")
	f("key,ttl,count\nbob,7d,5\n", "bob=#5@168h0m0s")
	f("# indicators\n\nevil.example,c2\n", "evil.example=c2")
	f("KEY,value\n\"a,b\",\"x \"\"y\"\"\"\n", `a,b=x "y"`)
	f("a,b,90\n", "a=b@1m30s")
	f("key,colour\nx,red\n", `error: csv line 1: unknown column "colour"`)
	f(",v\n", "error: csv line 1: empty key")
	f("key,count\nx,many\n", `error: csv line 2: count "many"`)
	f("x,y,soon\n", "error: csv line 1: ttl")
	f("x,\"unclosed\n", "error: csv")
	f("", "")
}
