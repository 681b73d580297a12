package clickhouse

import (
	"context"
	"fmt"
	"math/rand/v2"
	"net/netip"
	"slices"
	"strconv"
	"strings"
	"testing"
	"time"

	"github.com/vigilsiem/vigil/internal/event"
	"github.com/vigilsiem/vigil/internal/store"
	"github.com/vigilsiem/vigil/internal/store/clickhouse/chtest"
	"github.com/vigilsiem/vigil/internal/store/embedded"
)

// mixedEvents returns n varied events of two tenants over two days: IPv4
// and IPv6 sources, ports, users in mixed case, event codes, lists, bools,
// floats, fields some events lack, a field of mixed kinds, and a term
// ("zyxwvut") in three messages only.
func mixedEvents(n int) []*event.Event {
	r := rand.New(rand.NewPCG(17, 2026))
	base := time.Date(2026, 11, 23, 22, 0, 0, 0, time.UTC)
	users := []string{"alice", "Bob", "carol", "ROOT", "svc_backup", "admin"}
	words := []string{"failed", "password", "accepted", "publickey", "session", "opened", "closed", "invalid", "user", "connection", "reset", "error:", "timeout"}
	out := make([]*event.Event, n)
	for i := range out {
		tenant := "acme"
		if i%10 == 9 {
			tenant = "other"
		}
		e := &event.Event{
			Timestamp: base.Add(time.Duration(i)*4*time.Second + time.Duration(r.IntN(1000))*time.Microsecond),
			Ingested:  base.Add(time.Duration(i) * 4 * time.Second),
			Tenant:    tenant,
			Source:    []string{"syslog", "winlog", "http"}[i%3],
		}
		var msg []string
		for j := 0; j < 3+r.IntN(5); j++ {
			msg = append(msg, words[r.IntN(len(words))])
		}
		if i == 777 || i == 12345 || i == 19998 {
			msg = append(msg, "zyxwvut")
		}
		user := users[r.IntN(len(users))]
		msg = append(msg, "for", user)
		var ip netip.Addr
		switch r.IntN(10) {
		case 0:
			ip = netip.AddrFrom16([16]byte{0x20, 0x01, 0x0d, 0xb8, 14: byte(r.IntN(4)), 15: byte(r.IntN(256))})
		case 1:
			ip = netip.AddrFrom4([4]byte{192, 168, byte(r.IntN(4)), byte(r.IntN(256))})
		case 2:
			ip = netip.AddrFrom4([4]byte{172, byte(16 + r.IntN(32)), byte(r.IntN(256)), byte(r.IntN(256))})
		default:
			ip = netip.AddrFrom4([4]byte{10, byte(r.IntN(4)), byte(r.IntN(256)), byte(r.IntN(256))})
		}
		msg = append(msg, "from", ip.String())
		e.SetString("message", strings.Join(msg, " "))
		e.Original = fmt.Sprintf("<34>%s host%d app[%d]: %s", e.Timestamp.Format(time.RFC3339), i%7, i, strings.Join(msg, " "))
		e.ID = event.NewID(tenant, e.Source, "", i, []byte(e.Original))
		e.Set("source.ip", event.IP(ip))
		e.SetString("user.name", user)
		e.SetString("host.name", fmt.Sprintf("web-%02d", i%7))
		e.Set("destination.port", event.Int(int64([]int{22, 80, 443, 3389, 8080}[r.IntN(5)])))
		e.Set("event.code", event.Int(int64([]int{4624, 4625, 4688, 4720}[r.IntN(4)])))
		if r.IntN(3) > 0 {
			e.SetString("event.outcome", []string{"success", "failure"}[r.IntN(2)])
		}
		e.Set("network.bytes", event.Float(float64(r.IntN(100000))/8))
		e.Set("vigil.test.flag", event.Bool(r.IntN(2) == 0))
		if r.IntN(4) == 0 {
			e.Set("tags", event.List([]string{"web", []string{"Prod", "dev", "test"}[r.IntN(3)]}))
		}
		if i%2 == 0 {
			e.Set("mixed.value", event.Int(int64(r.IntN(100))))
		} else {
			e.SetString("mixed.value", fmt.Sprintf("v%d", r.IntN(100)))
		}
		out[i] = e
	}
	return out
}

// TestSameAnswers writes the same 20,000 events to the embedded store and
// to ClickHouse and checks that searches, stats, CIDR and rare-term queries
// give the same answers on both.
func TestSameAnswers(t *testing.T) {
	if testing.Short() {
		t.Skip("20,000 events on two backends")
	}
	ctx := context.Background()
	srv := chtest.Start(t)
	ch, err := Open(ctx, Options{URL: srv.URL, Database: "same"})
	if err != nil {
		t.Fatal(err)
	}
	defer ch.Close()
	emb, err := embedded.Open(embedded.Options{Dir: t.TempDir(), Interval: time.Hour, MemoryLimit: "512MB", Threads: 2})
	if err != nil {
		t.Fatal(err)
	}
	defer emb.Close()
	evs := mixedEvents(20000)
	for i := 0; i < len(evs); i += 2500 {
		batch := evs[i : i+2500]
		if err := ch.Write(ctx, batch); err != nil {
			t.Fatal(err)
		}
		if err := emb.Write(ctx, batch); err != nil {
			t.Fatal(err)
		}
		if i == 10000 {
			// Half the embedded store's events cold, half hot.
			if err := emb.Freeze(ctx); err != nil {
				t.Fatal(err)
			}
		}
	}
	compareAnswers(t, emb, ch)
}

// sameAnswersFrom is a time inside mixedEvents' span.
var sameAnswersFrom = time.Date(2026, 11, 24, 0, 0, 0, 0, time.UTC)

// sameAnswersQueries are the searches compareAnswers runs.
var sameAnswersQueries = []struct {
	q        string
	from, to time.Time
}{
	{q: ""},
	{q: "zyxwvut"},                     // a rare term
	{q: "ZYXWVUT OR message:zyxwvut*"}, // the same, other forms
	{q: "source.ip:10.0.0.0/8"},        // CIDR
	{q: "source.ip:10.2.0.0/15 user.name:bob"},
	{q: "source.ip:172.16.0.0/12 NOT event.outcome:failure"},
	{q: "source.ip:192.168.2.0/23"},
	{q: "source.ip:2001:db8::/32"},
	{q: "source.ip:2001:db8::200/120"},
	{q: "source.ip:[10.0.0.0 TO 10.1.0.0]"},
	{q: `"failed password"`},
	{q: "fail* -session"},
	{q: "error"},
	{q: "user.name:root"},
	{q: "user.name:svc_* OR user.name:?lice"},
	{q: "host.name:web-0[1 TO 3]"},
	{q: "destination.port:[80 TO 443] event.code:4625"},
	{q: "destination.port>=3389"},
	{q: "network.bytes<100.5"},
	{q: "vigil.test.flag:true"},
	{q: "tags:prod"},
	{q: "tags:*es*"},
	{q: "mixed.value:v1*"},
	{q: "NOT event.outcome:*"},
	{q: "event.outcome:* AND NOT event.outcome:success"},
	{q: "nosuchfield:x OR user.name:carol"},
	{q: "password", from: sameAnswersFrom, to: sameAnswersFrom.Add(2 * time.Hour)},
	{q: "* | stats count() by user.name"},
	{q: "* | stats count(), dc(user.name), min(destination.port), max(network.bytes), sum(destination.port), values(event.outcome) by host.name"},
	{q: "source.ip:10.0.0.0/8 | stats count() as n by destination.port | where n > 100 | sort -n"},
	{q: "* | stats count() by event.code, event.outcome | sort -count | head 5"},
	{q: "* | stats values(tags), count(tags), sum(vigil.test.flag), avg(destination.port)"},
	{q: "* | timechart span=1h count() by event.outcome"},
	{q: "zyxwvut | fields event.id, user.name, source.ip, tags"},
	{q: "password | sort destination.port, -@timestamp | head 30"},
	{q: "* | where destination.port:22 | fields host.name, destination.port | head 10"},
	{q: "* | stats count() by nosuchfield"},
	{q: "* | stats count() by user.name | stats sum(count) as count, count() as users"},
	{q: "* | stats count() | stats count()"},
	{q: "* | stats count() as n by host.name | where n > 1000 | stats count() as hosts"},
}

type searcher interface {
	Search(context.Context, store.Request) (*store.Result, error)
}

// compareAnswers runs sameAnswersQueries on both stores, which hold
// mixedEvents, and reports where got's answers differ from want's.
func compareAnswers(t *testing.T, want, got searcher) {
	t.Helper()
	ctx := context.Background()
	emb, ch := want, got
	wantName, gotName := "embedded", "clickhouse"
	if _, ok := want.(*Store); ok {
		wantName, gotName = "one server", "cluster"
	}
	for _, tenant := range []string{"acme", "other"} {
		for _, c := range sameAnswersQueries {
			for _, page := range [][2]int{{100, 0}, {7, 21}} {
				req := store.Request{Tenant: tenant, Query: c.q, From: c.from, To: c.to, Limit: page[0], Offset: page[1]}
				want, err := emb.Search(ctx, req)
				if err != nil {
					t.Fatalf("%s %q: %v", wantName, c.q, err)
				}
				got, err := ch.Search(ctx, req)
				if err != nil {
					t.Fatalf("%s %q: %v", gotName, c.q, err)
				}
				if want.Total == 0 && c.q == "zyxwvut" && tenant == "acme" {
					t.Fatalf("%q matched nothing: the test data lost its rare term", c.q)
				}
				if got.Total != want.Total || got.Shape != want.Shape || !slices.Equal(got.Columns, want.Columns) {
					t.Errorf("%s %q page %v: %s total %d shape %s columns %q, %s %d %s %q",
						tenant, c.q, page, gotName, got.Total, got.Shape, got.Columns, wantName, want.Total, want.Shape, want.Columns)
					continue
				}
				g, w := render(got.Rows), render(want.Rows)
				if !slices.Equal(g, w) {
					for i := range max(len(g), len(w)) {
						if i >= len(g) || i >= len(w) || g[i] != w[i] {
							t.Errorf("%s %q page %v: row %d differs (%d vs %d rows)\n%s: %s\n%s: %s",
								tenant, c.q, page, i, len(g), len(w), gotName, at(g, i), wantName, at(w, i))
							break
						}
					}
				}
			}
		}
	}
}

func at(rows []string, i int) string {
	if i < len(rows) {
		return rows[i]
	}
	return "(none)"
}

// render writes rows as text for comparison: cells sorted by name, values
// with their Go type, floats to 9 digits (sums may add in another order).
func render(rows []store.Row) []string {
	out := make([]string, len(rows))
	for i, r := range rows {
		cells := make([]string, 0, len(r))
		for _, c := range r {
			var v string
			switch x := c.Value.(type) {
			case float64:
				v = "float:" + strconv.FormatFloat(x, 'g', 9, 64)
			case []string:
				v = fmt.Sprintf("list:%q", x)
			default:
				v = fmt.Sprintf("%T:%s", x, store.CellText(x))
			}
			cells = append(cells, c.Name+"="+v)
		}
		slices.Sort(cells)
		out[i] = strings.Join(cells, " ")
	}
	return out
}
