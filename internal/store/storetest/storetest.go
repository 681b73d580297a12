// Package storetest owns the conformance suites every storage backend must
// pass. Run covers events (store.Store): writes, searches, tenant
// isolation, dead letters, durability across a reopen and, where the
// backend has one, across the move to cold storage. RunAlerts,
// RunIncidents, RunResponses and RunDashboards cover the record stores
// (store.Alerts, store.Incidents, store.ResponseLog, store.Dashboards):
// filters, paging,
// tenant isolation, the errors of bad requests, atomic changes and
// durability across a reopen.
package storetest

import (
	"context"
	"fmt"
	"net/netip"
	"slices"
	"testing"
	"time"

	"github.com/vigilsiem/vigil/internal/event"
	"github.com/vigilsiem/vigil/internal/pipeline"
	"github.com/vigilsiem/vigil/internal/store"
)

// Opener opens the backend on dir (the same dir again for a reopen).
type Opener func(t *testing.T, dir string) store.Store

// Freezer is implemented by backends with a hot and a cold tier.
type Freezer interface {
	Freeze(ctx context.Context) error
}

// Base is the time of the suite's events.
var Base = time.Date(2026, 11, 23, 10, 0, 0, 0, time.UTC)

// Events returns n events of tenant, one second apart from Base, with a
// varied set of typed fields.
func Events(tenant string, n int) []*event.Event {
	out := make([]*event.Event, n)
	for i := range out {
		e := &event.Event{
			Timestamp: Base.Add(time.Duration(i) * time.Second),
			Ingested:  Base.Add(time.Duration(i)*time.Second + time.Millisecond),
			Tenant:    tenant,
			Source:    "test",
		}
		user := fmt.Sprintf("user%d", i%3)
		msg := fmt.Sprintf("Failed password for %s from 10.0.%d.%d port %d ssh2", user, i%4, i, 40000+i)
		if i%5 == 4 {
			msg = fmt.Sprintf("Accepted publickey for %s from 192.168.1.%d port %d ssh2", user, i, 40000+i)
		}
		e.Original = "<38>Nov 23 10:00:00 host" + fmt.Sprint(i%2) + " sshd[42]: " + msg
		e.ID = event.NewID(tenant, "test", "", 0, []byte(e.Original))
		e.SetString("message", msg)
		e.SetString("host.name", fmt.Sprintf("host%d", i%2))
		e.SetString("user.name", user)
		if i == 13 {
			e.Set("source.ip", event.IP(netip.MustParseAddr("2001:db8::13")))
			e.SetString("event.outcome", "failure")
		} else if i%5 == 4 {
			e.Set("source.ip", event.IP(netip.MustParseAddr(fmt.Sprintf("192.168.1.%d", i))))
			e.SetString("event.outcome", "success")
		} else {
			e.Set("source.ip", event.IP(netip.MustParseAddr(fmt.Sprintf("10.0.%d.%d", i%4, i))))
			e.SetString("event.outcome", "failure")
		}
		e.Set("source.port", event.Int(int64(40000+i)))
		e.Set("event.duration", event.Float(float64(i)/2))
		e.Set("vigil.test.even", event.Bool(i%2 == 0))
		e.Set("related.user", event.List([]string{user, "root"}))
		out[i] = e
	}
	return out
}

// Run runs the suite against a backend.
func Run(t *testing.T, open Opener) {
	ctx := context.Background()
	t.Run("write and search", func(t *testing.T) {
		s := open(t, t.TempDir())
		defer s.Close()
		write(t, s, Events("acme", 20))
		checkSearches(t, s, "")
	})
	t.Run("tenant isolation", func(t *testing.T) {
		s := open(t, t.TempDir())
		defer s.Close()
		write(t, s, Events("acme", 20))
		write(t, s, Events("other", 7))
		for _, q := range []string{"", "password", "user.name:user1", "* | stats count() by vigil.tenant"} {
			res := search(t, s, store.Request{Tenant: "other", Query: q, Limit: 100})
			for _, r := range res.Rows {
				if tn := r.Text(event.FieldTenant); tn != "" && tn != "other" {
					t.Fatalf("query %q for tenant other returned a row of %s", q, tn)
				}
			}
		}
		if n := search(t, s, store.Request{Tenant: "other"}).Total; n != 7 {
			t.Errorf("tenant other total = %d, want 7", n)
		}
		if n := search(t, s, store.Request{Tenant: "nobody"}).Total; n != 0 {
			t.Errorf("unknown tenant total = %d, want 0", n)
		}
		if _, err := s.Search(ctx, store.Request{Tenant: "x' OR 1=1 --"}); err == nil {
			t.Error("a malformed tenant name was accepted")
		}
	})
	t.Run("dead letters", func(t *testing.T) {
		s := open(t, t.TempDir())
		defer s.Close()
		err := s.WriteDeadLetters(ctx, []pipeline.DeadLetter{{
			Time: Base, Tenant: "acme", Source: "syslog-tcp", Format: "cef", Peer: "127.0.0.1:5000",
			Reason: "cef: header at 0: not CEF", Data: []byte("garbage \xff line"),
		}})
		if err != nil {
			t.Fatal(err)
		}
		res := search(t, s, store.Request{Tenant: "acme", Dataset: store.DeadLetters, Query: "event.kind:pipeline_error"})
		if res.Total != 1 {
			t.Fatalf("dead letters total = %d, want 1", res.Total)
		}
		r := res.Rows[0]
		if r.Text("error.message") != "cef: header at 0: not CEF" || r.Text(event.FieldSource) != "syslog-tcp" {
			t.Errorf("dead letter row = %s", r.AppendJSON(nil))
		}
		if r.Text("vigil.original_base64") == "" {
			t.Error("invalid UTF-8 bytes were not kept exactly")
		}
		if n := search(t, s, store.Request{Tenant: "acme"}).Total; n != 0 {
			t.Errorf("dead letters leaked into events: %d", n)
		}
	})
	t.Run("durable across reopen", func(t *testing.T) {
		dir := t.TempDir()
		s := open(t, dir)
		write(t, s, Events("acme", 20))
		if err := s.Close(); err != nil {
			t.Fatal(err)
		}
		s = open(t, dir)
		defer s.Close()
		checkSearches(t, s, "after reopen")
		if f, ok := s.(Freezer); ok {
			if err := f.Freeze(ctx); err != nil {
				t.Fatal(err)
			}
			checkSearches(t, s, "after freeze")
			write(t, s, Events("acme", 20)[:5]) // the same ids again, hot
			if n := search(t, s, store.Request{Tenant: "acme"}).Total; n != 25 {
				t.Errorf("hot and cold together: total %d, want 25", n)
			}
		}
	})
	t.Run("pages", func(t *testing.T) {
		s := open(t, t.TempDir())
		defer s.Close()
		// Three events a second, so pages end inside a run of equal
		// timestamps; half cold (where the backend freezes), half hot.
		evs := Events("acme", 40)
		for i, e := range evs {
			e.Timestamp = Base.Add(time.Duration(i/3) * time.Second)
		}
		write(t, s, evs[:20])
		if f, ok := s.(Freezer); ok {
			if err := f.Freeze(ctx); err != nil {
				t.Fatal(err)
			}
		}
		write(t, s, evs[20:])
		write(t, s, evs[:4]) // stored twice: a replay keeps its ids
		for _, req := range []store.Request{
			{Query: ""},
			{Query: "password"},
			{Query: "source.ip:10.0.0.0/8 | where source.port>40003 | fields message, source.ip"},
			{Query: "password", From: Base.Add(2 * time.Second), To: Base.Add(11 * time.Second)},
		} {
			req.Tenant = "acme"
			whole := search(t, s, req)
			var want []string
			for _, r := range whole.Rows {
				want = append(want, r.Text(event.FieldID)+"/"+r.Text("message"))
			}
			if int64(len(want)) != whole.Total || len(want) < 10 {
				t.Fatalf("%q: %d rows, total %d", req.Query, len(want), whole.Total)
			}
			for _, size := range []int{1, 4, 7} {
				var got []string
				for off := 0; off < len(want)+size; off += size {
					page := req
					page.Limit, page.Offset = size, off
					res := search(t, s, page)
					if res.Total != whole.Total {
						t.Errorf("%q limit %d offset %d: total %d, want %d", req.Query, size, off, res.Total, whole.Total)
					}
					for _, r := range res.Rows {
						got = append(got, r.Text(event.FieldID)+"/"+r.Text("message"))
					}
				}
				if !slices.Equal(got, want) {
					t.Errorf("%q in pages of %d:\n got %q\nwant %q", req.Query, size, got, want)
				}
			}
		}
	})
}

func write(t *testing.T, s store.Store, events []*event.Event) {
	t.Helper()
	if err := s.Write(context.Background(), events); err != nil {
		t.Fatal(err)
	}
}

func search(t *testing.T, s store.Store, req store.Request) *store.Result {
	t.Helper()
	res, err := s.Search(context.Background(), req)
	if err != nil {
		t.Fatalf("search %q: %v", req.Query, err)
	}
	return res
}

// checkSearches checks the searches over Events("acme", 20).
func checkSearches(t *testing.T, s store.Store, when string) {
	t.Helper()
	all := search(t, s, store.Request{Tenant: "acme", Limit: 5})
	if all.Total != 20 || len(all.Rows) != 5 || all.Shape != "events" {
		t.Fatalf("%s: all: total %d rows %d shape %s", when, all.Total, len(all.Rows), all.Shape)
	}
	first := all.Rows[0]
	if got := first.Text(event.FieldTimestamp); got != Base.Add(19*time.Second).Format(time.RFC3339Nano) {
		t.Errorf("%s: newest first: got %s", when, got)
	}
	want := Events("acme", 20)[19]
	for _, f := range []string{event.FieldID, event.FieldOriginal, "message", "host.name", "source.ip"} {
		if first.Text(f) != want.GetString(f) {
			t.Errorf("%s: field %s = %q, want %q", when, f, first.Text(f), want.GetString(f))
		}
	}
	if v, _ := first.Get("source.port"); v != int64(40019) {
		t.Errorf("%s: source.port = %#v, want int64 40019", when, v)
	}
	if v, _ := first.Get("event.duration"); v != 9.5 {
		t.Errorf("%s: event.duration = %#v", when, v)
	}
	if v, _ := first.Get("vigil.test.even"); v != false {
		t.Errorf("%s: vigil.test.even = %#v", when, v)
	}
	if v, _ := first.Get("related.user"); fmt.Sprint(v) != "[user1 root]" {
		t.Errorf("%s: related.user = %#v", when, v)
	}
	counts := []struct {
		q    string
		want int64
	}{
		{"user.name:user1", 7},
		{"user.name:USER1", 7},
		{"source.ip:10.0.0.0/8", 15},
		{"source.ip:192.168.1.0/24 user.name:user1", 2},
		{"source.ip:10.0.2.0/23", 8},
		{"source.ip:2001:db8::/32", 1},
		{"source.ip:10.0.0.0/8 OR source.ip:2001:db8::/64", 16},
		{"NOT event.outcome:failure", 4},
		{"password", 16},
		{`"accepted publickey"`, 4},
		{"source.port:[40005 TO 40009]", 5},
		{"source.port>=40015", 5},
		{"nosuchfield:x", 0},
		{"NOT nosuchfield:x", 20},
		{"zzzznothere", 0},
	}
	for _, c := range counts {
		if n := search(t, s, store.Request{Tenant: "acme", Query: c.q}).Total; n != c.want {
			t.Errorf("%s: %q matched %d, want %d", when, c.q, n, c.want)
		}
	}
	rng := search(t, s, store.Request{Tenant: "acme", From: Base.Add(5 * time.Second), To: Base.Add(10 * time.Second)})
	if rng.Total != 5 {
		t.Errorf("%s: time range matched %d, want 5", when, rng.Total)
	}
	st := search(t, s, store.Request{Tenant: "acme", Query: "* | stats count() by host.name | sort host.name"})
	if st.Shape != "table" || len(st.Rows) != 2 || st.Rows[0].Text("host.name") != "host0" || st.Rows[0].Text("count") != "10" {
		t.Errorf("%s: stats = %+v", when, st.Rows)
	}
	tc := search(t, s, store.Request{Tenant: "acme", Query: "* | timechart span=10s count()"})
	if len(tc.Rows) != 2 || tc.Rows[0].Text("count") != "10" {
		t.Errorf("%s: timechart = %+v", when, tc.Rows)
	}
}
