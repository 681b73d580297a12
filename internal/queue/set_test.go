package queue

import (
	"context"
	"errors"
	"testing"
	"time"

	"github.com/vigilsiem/vigil/internal/testutil"
)

func TestSetTenants(t *testing.T) {
	fsys := newMemFS()
	o := SetOptions{Options: testOptions(fsys), Tenants: map[string]Limits{"small": {MaxBytes: 64 << 10}}}
	s, err := OpenSet("/out", o, nil)
	if err != nil {
		t.Fatal(err)
	}
	for _, tenant := range []string{"acme", "globex", "small"} {
		if _, err := s.Append(tenant, recs(tenant, 3, 10)); err != nil {
			t.Fatal(err)
		}
	}
	if q, _ := s.Queue("small"); q.opts.MaxBytes != 64<<10 {
		t.Fatalf("per-tenant limit not applied: %d", q.opts.MaxBytes)
	}
	// The reader takes the tenants in turn.
	var order []string
	ctx, cancel := context.WithTimeout(context.Background(), 5*time.Second)
	defer cancel()
	for i := 0; i < 3; i++ {
		rs, err := s.Read(ctx, 0, 0)
		if err != nil {
			t.Fatal(err)
		}
		if len(rs) != 3 {
			t.Fatalf("%d records from %s", len(rs), rs[0].Tenant)
		}
		order = append(order, rs[0].Tenant)
		if err := s.Ack(rs[0].Tenant, rs[2].Seq); err != nil {
			t.Fatal(err)
		}
	}
	if order[0] == order[1] || order[1] == order[2] || order[0] == order[2] {
		t.Fatalf("tenants read in order %v, want each once", order)
	}
	if _, err := s.Append("acme", recs("acme2", 1, 10)); err != nil {
		t.Fatal(err)
	}
	if len(s.Status()) != 3 || s.Health().Level != HealthOK {
		t.Fatalf("status %+v", s.Status())
	}
	if err := s.Close(); err != nil {
		t.Fatal(err)
	}

	// Reopening finds every tenant's queue and what is left in it.
	s, err = OpenSet("/out", o, nil)
	if err != nil {
		t.Fatal(err)
	}
	defer s.Close()
	rs, err := s.Read(ctx, 0, 0)
	if err != nil || len(rs) != 1 || rs[0].Tenant != "acme" || string(rs[0].Data[:5]) != "acme2" {
		t.Fatalf("after reopen: %v, %v", rs, err)
	}
	if err := s.Ack("nobody", 1); err == nil {
		t.Fatal("ack for an unknown tenant accepted")
	}
	if _, err := s.Append("", recs("x", 1, 1)); err == nil {
		t.Fatal("empty tenant accepted")
	}
}

func TestSetReadWaitsForAnyTenant(t *testing.T) {
	s, err := OpenSet("/out", SetOptions{Options: testOptions(newMemFS())}, nil)
	if err != nil {
		t.Fatal(err)
	}
	got := make(chan []Record)
	go func() {
		rs, _ := s.Read(context.Background(), 0, 0)
		got <- rs
	}()
	testutil.Eventually(t, "Set.Read waiting", func() bool { return s.waiting.Load() == 1 })
	if _, err := s.Append("late", recs("l", 2, 5)); err != nil {
		t.Fatal(err)
	}
	select {
	case rs := <-got:
		if len(rs) != 2 || rs[0].Tenant != "late" {
			t.Fatalf("got %v", rs)
		}
	case <-time.After(testutil.WaitTimeout):
		t.Fatal("Set.Read did not wake for a new tenant's records")
	}
	go func() {
		_, err := s.Read(context.Background(), 0, 0)
		if !errors.Is(err, ErrClosed) {
			t.Errorf("read during close: %v", err)
		}
		got <- nil
	}()
	testutil.Eventually(t, "Set.Read waiting", func() bool { return s.waiting.Load() == 1 })
	s.Close()
	select {
	case <-got:
	case <-time.After(testutil.WaitTimeout):
		t.Fatal("Set.Read did not return on Close")
	}
}

func TestTenantDir(t *testing.T) {
	f := func(tenant, want string) {
		t.Run(tenant, func(t *testing.T) {
			got := tenantDir(tenant)
			if got != want {
				t.Fatalf("tenantDir(%q) = %q, want %q", tenant, got, want)
			}
			back, ok := tenantFromDir(got)
			if !ok || back != tenant {
				t.Fatalf("tenantFromDir(%q) = %q, %v", got, back, ok)
			}
		})
	}
	f("default", "default")
	f("Acme-Corp_1", "Acme-Corp_1")
	f("a.b", "a.b")
	f(".hidden", "%2Ehidden")
	f("..", "%2E.")
	f("a/b", "a%2Fb")
	f("caf\u00e9", "caf%C3%A9")
	f("%41", "%2541")
	for _, dir := range []string{"x%2", "%41", ".", "a%2fb", ""} {
		if tenant, ok := tenantFromDir(dir); ok {
			t.Fatalf("tenantFromDir(%q) accepted as %q", dir, tenant)
		}
	}
}

func FuzzTenantDir(f *testing.F) {
	f.Add("default")
	f.Add("../../etc")
	f.Fuzz(func(t *testing.T, tenant string) {
		if tenant == "" {
			return
		}
		d := tenantDir(tenant)
		if d == "." || d == ".." || d[0] == '.' || containsAny(d, "/\\\x00") {
			t.Fatalf("tenantDir(%q) = %q is not a safe directory name", tenant, d)
		}
		back, ok := tenantFromDir(d)
		if !ok || back != tenant {
			t.Fatalf("round trip of %q through %q gave %q, %v", tenant, d, back, ok)
		}
	})
}

func containsAny(s, chars string) bool {
	for i := 0; i < len(s); i++ {
		for j := 0; j < len(chars); j++ {
			if s[i] == chars[j] {
				return true
			}
		}
	}
	return false
}
