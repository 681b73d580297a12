package queue

import (
	"context"
	"errors"
	"strings"
	"testing"
	"time"

	"github.com/vigilsiem/vigil/internal/event"
)

// Issue 9, finding 4: a tenant that is not a valid name (300 characters, a
// path) gets no queue, with a clear error before anything is written, and
// the other tenants' queues are untouched.
func TestSetRefusesInvalidTenant(t *testing.T) {
	fsys := newMemFS()
	s, err := OpenSet("/out", SetOptions{Options: testOptions(fsys)}, nil)
	if err != nil {
		t.Fatal(err)
	}
	defer s.Close()
	if _, err := s.Append("acme", recs("acme", 2, 10)); err != nil {
		t.Fatal(err)
	}
	for _, bad := range []string{strings.Repeat("t", 300), "../etc", "a b"} {
		if _, err := s.Append(bad, recs("bad", 1, 10)); !errors.Is(err, event.ErrBadTenant) {
			t.Errorf("Append(%.20q…) = %v, want ErrBadTenant", bad, err)
		}
	}
	if st := s.Status(); len(st) != 1 {
		t.Fatalf("%d queues, want only acme's", len(st))
	}
	ctx, cancel := context.WithTimeout(context.Background(), 5*time.Second)
	defer cancel()
	if rs, err := s.Read(ctx, 0, 0); err != nil || len(rs) != 2 || rs[0].Tenant != "acme" {
		t.Fatalf("read %v, %v", rs, err)
	}
}

// A tenant whose queue cannot be read is passed over: the other tenants
// are still delivered, round after round, and the failing one's error is
// reported only when nothing else is there.
func TestSetReadPassesOverAFailingTenant(t *testing.T) {
	fsys := newMemFS()
	s, err := OpenSet("/out", SetOptions{Options: testOptions(fsys)}, nil)
	if err != nil {
		t.Fatal(err)
	}
	defer s.Close()
	// "aaa" sorts first, so every round would start with it.
	for _, tenant := range []string{"aaa", "zzz"} {
		if _, err := s.Append(tenant, recs(tenant, 3, 10)); err != nil {
			t.Fatal(err)
		}
	}
	fsys.setInject(failNth("read", "/out/aaa/", 1, true))
	ctx, cancel := context.WithTimeout(context.Background(), 5*time.Second)
	defer cancel()
	var got []Record
	var errs int
	for i := 0; i < 4 && len(got) < 3; i++ {
		rs, err := s.Read(ctx, 0, 0)
		if err != nil {
			errs++
			continue
		}
		for _, r := range rs {
			if r.Tenant != "zzz" {
				t.Fatalf("read a record of %s", r.Tenant)
			}
		}
		got = append(got, rs...)
		if err := s.Ack("zzz", rs[len(rs)-1].Seq); err != nil {
			t.Fatal(err)
		}
	}
	if len(got) != 3 {
		t.Fatalf("delivered %d of zzz's 3 records past a failing tenant (%d errors)", len(got), errs)
	}
	if _, err := s.Read(ctx, 0, 0); err == nil || !strings.Contains(err.Error(), "read tenant aaa") {
		t.Fatalf("with only the failing tenant left, Read = %v, want its error", err)
	}
}
