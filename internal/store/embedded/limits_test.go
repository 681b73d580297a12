package embedded

import (
	"context"
	"errors"
	"strings"
	"testing"
	"time"

	"github.com/vigilsiem/vigil/internal/store"
	"github.com/vigilsiem/vigil/internal/store/storetest"
)

// TestSearchTimeLimit is issue 9 item 10: searches had no time limit. A
// search past its limit fails with ErrQueryLimit, a bad request that says
// what to do.
func TestSearchTimeLimit(t *testing.T) {
	s := openTest(t, t.TempDir())
	defer s.Close()
	if err := s.Write(context.Background(), storetest.Events("acme", 20)); err != nil {
		t.Fatal(err)
	}
	_, err := s.Search(context.Background(), store.Request{Tenant: "acme", Query: "password", Timeout: time.Nanosecond})
	if !errors.Is(err, store.ErrQueryLimit) || !errors.Is(err, store.ErrBadRequest) || !strings.Contains(err.Error(), "longer than its limit of 1ns") {
		t.Fatalf("search past its limit: %v, want ErrQueryLimit naming the limit", err)
	}
	if _, err := s.Search(context.Background(), store.Request{Tenant: "acme", Query: "password"}); err != nil {
		t.Fatalf("search within the default limit: %v", err)
	}
}

// TestDuckDBStopsAtDeadline shows that a query's context interrupts DuckDB
// mid-query, which the time limit relies on: the query below would run for
// hours.
func TestDuckDBStopsAtDeadline(t *testing.T) {
	s := openTest(t, t.TempDir())
	defer s.Close()
	ctx, cancel := context.WithTimeout(context.Background(), 200*time.Millisecond)
	defer cancel()
	var n int64
	err := s.(*Store).db.QueryRowContext(ctx, `SELECT count(*) FROM range(1000000000000) t(x) WHERE x % 7 = 3`).Scan(&n)
	if err == nil {
		t.Fatalf("a query of 10^12 rows finished (%d) instead of stopping at its deadline", n)
	}
}
