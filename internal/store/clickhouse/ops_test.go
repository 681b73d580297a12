package clickhouse

import (
	"context"
	"errors"
	"strings"
	"testing"
	"time"

	"github.com/vigilsiem/vigil/internal/event"
	"github.com/vigilsiem/vigil/internal/store"
	"github.com/vigilsiem/vigil/internal/store/clickhouse/chtest"
	"github.com/vigilsiem/vigil/internal/store/sqlgen"
	"github.com/vigilsiem/vigil/internal/store/storetest"
)

func openOn(t *testing.T, srv *chtest.Server, db string) *Store {
	t.Helper()
	s, err := Open(context.Background(), Options{URL: srv.URL, Database: db})
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { s.Close() })
	return s
}

func total(t *testing.T, s *Store, req store.Request) int64 {
	t.Helper()
	res, err := s.Search(context.Background(), req)
	if err != nil {
		t.Fatalf("search %q: %v", req.Query, err)
	}
	return res.Total
}

// TestRetriedInsert writes the same batch three times, as a pipeline does
// when an acknowledgement is lost: the events count once, in totals, pages
// and stats.
func TestRetriedInsert(t *testing.T) {
	srv := chtest.Start(t)
	s := openOn(t, srv, "retry")
	ctx := context.Background()
	evs := storetest.Events("acme", 20)
	for range 3 {
		if err := s.Write(ctx, evs); err != nil {
			t.Fatal(err)
		}
	}
	if err := s.Write(ctx, evs[:7]); err != nil { // a partial retry
		t.Fatal(err)
	}
	if n := total(t, s, store.Request{Tenant: "acme"}); n != 20 {
		t.Errorf("total after retries = %d, want 20", n)
	}
	res, err := s.Search(ctx, store.Request{Tenant: "acme", Query: "* | stats count() by host.name | sort host.name"})
	if err != nil {
		t.Fatal(err)
	}
	if len(res.Rows) != 2 || res.Rows[0].Text("count") != "10" || res.Rows[1].Text("count") != "10" {
		t.Errorf("stats after retries = %v", res.Rows)
	}
	// The rows are really stored more than once; the answer is one.
	raw, err := s.c.query(ctx, "SELECT count() FROM retry.events")
	if err != nil {
		t.Fatal(err)
	}
	t.Logf("physical rows before merges: %s", raw.Data)
}

// TestRetentionDropsPartitions keeps the newer days and the other tenant.
func TestRetentionDropsPartitions(t *testing.T) {
	srv := chtest.Start(t)
	s := openOn(t, srv, "ret")
	ctx := context.Background()
	var evs []*event.Event
	for _, tenant := range []string{"acme", "other"} {
		for day := 0; day < 3; day++ {
			for _, e := range storetest.Events(tenant, 5) {
				e.Timestamp = e.Timestamp.AddDate(0, 0, day)
				e.ID = e.ID[:len(e.ID)-1] + string(rune('a'+day))
				evs = append(evs, e)
			}
		}
	}
	if err := s.Write(ctx, evs); err != nil {
		t.Fatal(err)
	}
	if err := s.WriteAudit(ctx, storetest.Events("acme", 2)); err != nil {
		t.Fatal(err)
	}
	cut := storetest.Base.AddDate(0, 0, 2) // drops days 0 and 1
	n, err := s.DropBefore(ctx, "acme", cut)
	if err != nil {
		t.Fatal(err)
	}
	if n != 3 { // events day 0, day 1, audit day 0
		t.Errorf("dropped %d partitions, want 3", n)
	}
	if got := total(t, s, store.Request{Tenant: "acme"}); got != 5 {
		t.Errorf("acme keeps %d events, want 5 (the newest day)", got)
	}
	if got := total(t, s, store.Request{Tenant: "other"}); got != 15 {
		t.Errorf("other keeps %d events, want 15", got)
	}
	if got := total(t, s, store.Request{Tenant: "acme", Dataset: store.Audit}); got != 0 {
		t.Errorf("acme audit keeps %d entries, want 0", got)
	}
	if _, err := s.DropBefore(ctx, "x') OR 1", cut); err == nil {
		t.Error("a malformed tenant was accepted")
	}
	if n, err := s.DropBefore(ctx, "", cut.AddDate(0, 0, 1)); err != nil || n != 4 {
		t.Errorf("drop all tenants: %d partitions, %v; want 4 (other's days 0-2, acme's day 2)", n, err)
	}
}

// TestQuoteStringRoundTrip sends hostile strings through QuoteString to
// the server and reads them back unchanged; the tenant filter of a search
// with such a value still holds.
func TestQuoteStringRoundTrip(t *testing.T) {
	srv := chtest.Start(t)
	s := openOn(t, srv, "quote")
	ctx := context.Background()
	for _, v := range quoteSamples {
		res, err := s.c.query(ctx, "SELECT hex("+quoteLit(v)+")")
		if err != nil {
			t.Fatalf("%q: %v", v, err)
		}
		if len(res.Data) != 1 || strings.Trim(string(res.Data[0][0]), `"`) != strings.ToUpper(hexOf(v)) {
			t.Errorf("%q came back as %s", v, res.Data)
		}
	}
	if err := s.Write(ctx, storetest.Events("acme", 3)); err != nil {
		t.Fatal(err)
	}
	for _, v := range quoteSamples {
		for _, q := range []string{`user.name:"` + strings.ReplaceAll(strings.ReplaceAll(v, `\`, `\\`), `"`, `\"`) + `"`, `"` + strings.ReplaceAll(strings.ReplaceAll(v, `\`, `\\`), `"`, `\"`) + `"`} {
			res, err := s.Search(ctx, store.Request{Tenant: "other", Query: q})
			if err != nil {
				continue // a query the language refuses is fine
			}
			if res.Total != 0 {
				t.Errorf("query %q for tenant other returned %d rows of acme", q, res.Total)
			}
		}
	}
}

var quoteSamples = []string{"", "'", `\`, `\'`, `'; DROP TABLE quote.events; --`, "?", "??'?", "\x00\x01\n\r\t\x7f", "\xff\xfe", "ü'ö", "a`b", `\x41`, "' OR vigil.tenant = 'acme"}

func quoteLit(v string) string { return sqlgen.CHString(v) }

func hexOf(v string) string {
	const digits = "0123456789abcdef"
	b := make([]byte, 0, 2*len(v))
	for i := 0; i < len(v); i++ {
		b = append(b, digits[v[i]>>4], digits[v[i]&15])
	}
	return string(b)
}

// TestSearchTimeout: a search past its limit fails with ErrQueryLimit, a
// bad request, as on the embedded store.
func TestSearchTimeout(t *testing.T) {
	srv := chtest.Start(t)
	s := openOn(t, srv, "timeout")
	if err := s.Write(context.Background(), storetest.Events("acme", 5)); err != nil {
		t.Fatal(err)
	}
	_, err := s.Search(context.Background(), store.Request{Tenant: "acme", Query: "password", Timeout: time.Nanosecond})
	if !errors.Is(err, store.ErrQueryLimit) || !errors.Is(err, store.ErrBadRequest) {
		t.Errorf("search past its limit: %v, want ErrQueryLimit", err)
	}
	if err := s.Write(context.Background(), storetest.Events("x y", 1)); !errors.Is(err, store.ErrInvalidTenant) {
		t.Errorf("write of a bad tenant: %v, want ErrInvalidTenant", err)
	}
	se := &ServerError{Status: 500, Message: "Code: 159, e.displayText() = DB::Exception: Timeout exceeded"}
	if se.Code() != codeTimeoutExceeded {
		t.Errorf("code of %q = %d", se.Message, se.Code())
	}
}
