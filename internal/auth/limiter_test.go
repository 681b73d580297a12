package auth

import (
	"encoding/base64"
	"fmt"
	"net/http"
	"net/http/httptest"
	"slices"
	"strings"
	"sync"
	"testing"
	"time"

	"golang.org/x/crypto/argon2"

	"github.com/vigilsiem/vigil/internal/audit"
	"github.com/vigilsiem/vigil/internal/config"
)

// fakeClock is the limiter's injectable clock.
type fakeClock struct {
	mu sync.Mutex
	t  time.Time
}

func (c *fakeClock) now() time.Time      { c.mu.Lock(); defer c.mu.Unlock(); return c.t }
func (c *fakeClock) add(d time.Duration) { c.mu.Lock(); c.t = c.t.Add(d); c.mu.Unlock() }

// cheapHash is an argon2id hash with small parameters, so the tests run
// fast; the limits under test do not depend on the cost.
func cheapHash(t *testing.T, pw string) string {
	t.Helper()
	salt := []byte("0123456789abcdef")
	key := argon2.IDKey([]byte(pw), salt, 1, 8, 1, 32)
	enc := base64.RawStdEncoding
	h := fmt.Sprintf("$argon2id$v=%d$m=8,t=1,p=1$%s$%s", argon2.Version, enc.EncodeToString(salt), enc.EncodeToString(key))
	if err := CheckHash(h); err != nil {
		t.Fatal(err)
	}
	return h
}

func login(a *Authenticator, user, pw, addr string) (int, http.Header) {
	h := a.Middleware(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {}), nil)
	r := httptest.NewRequest("GET", "/api/v1/search?tenant=default", nil)
	r.RemoteAddr = addr
	r.SetBasicAuth(user, pw)
	w := httptest.NewRecorder()
	h.ServeHTTP(w, r)
	return w.Code, w.Header()
}

// TestLoginBackoff is issue 9 item 5: wrong passwords for one user are
// throttled after the free attempts, from any address, with a doubling
// backoff on an injectable clock; throttled attempts cost no hash; the
// right password works once the wait is over and clears the count.
func TestLoginBackoff(t *testing.T) {
	clk := &fakeClock{t: time.Date(2026, 1, 1, 0, 0, 0, 0, time.UTC)}
	cfg := config.Auth{Users: []config.User{{Name: "ana", PasswordHash: cheapHash(t, "right"), Role: "viewer"}},
		Login: config.LoginLimits{FreeAttempts: 3, Backoff: config.Duration(time.Second), MaxBackoff: config.Duration(4 * time.Second)}}
	if err := cfg.Validate("127.0.0.1:1", false, CheckHash); err != nil {
		t.Fatal(err)
	}
	a := New(cfg, WithClock(clk.now))
	for i := range 3 {
		if code, _ := login(a, "ana", "wrong", fmt.Sprintf("10.0.0.%d:1000", i)); code != 401 {
			t.Fatalf("attempt %d: %d, want 401", i+1, code)
		}
	}
	kdf := a.m.hashes()
	// The fourth attempt, even with the right password and from a new
	// address, waits the backoff and computes nothing.
	code, hdr := login(a, "ana", "right", "10.0.1.1:1000")
	if code != http.StatusTooManyRequests || hdr.Get("Retry-After") != "1" {
		t.Fatalf("throttled attempt: %d Retry-After %q, want 429 and 1", code, hdr.Get("Retry-After"))
	}
	if got := a.m.hashes(); got != kdf {
		t.Errorf("a throttled attempt computed a hash (%d → %d)", kdf, got)
	}
	clk.add(time.Second)
	if code, _ := login(a, "ana", "wrong", "10.0.1.1:1000"); code != 401 {
		t.Fatalf("after the backoff: %d, want 401", code)
	}
	// The backoff doubled: 1 s is not enough now.
	clk.add(time.Second)
	if code, hdr := login(a, "ana", "right", "10.0.1.1:1000"); code != 429 || hdr.Get("Retry-After") != "1" {
		t.Fatalf("second backoff: %d Retry-After %q, want 429 and 1", code, hdr.Get("Retry-After"))
	}
	clk.add(time.Second)
	if code, _ := login(a, "ana", "right", "10.0.1.1:1000"); code != 200 {
		t.Fatalf("right password after the backoff: %d, want 200", code)
	}
	// The success cleared the count.
	if code, _ := login(a, "ana", "wrong", "10.0.1.1:1000"); code != 401 {
		t.Fatalf("after a success: %d, want 401", code)
	}
}

// TestLoginThrottlesAddressesAndUnknownUsers: one address spraying many
// user names, known or not, is throttled alike, every failure costs one
// hash (an unknown user is checked against the dummy hash, so it takes as
// long as a wrong password), and quiet time forgets the count.
func TestLoginThrottlesAddressesAndUnknownUsers(t *testing.T) {
	clk := &fakeClock{t: time.Date(2026, 1, 1, 0, 0, 0, 0, time.UTC)}
	cfg := config.Auth{Users: []config.User{{Name: "ana", PasswordHash: cheapHash(t, "right")}},
		Login: config.LoginLimits{FreeAttempts: 2, ForgetAfter: config.Duration(time.Minute)}}
	if err := cfg.Validate("127.0.0.1:1", false, CheckHash); err != nil {
		t.Fatal(err)
	}
	a := New(cfg, WithClock(clk.now))
	for i, u := range []string{"nobody", "ana"} {
		if code, _ := login(a, u, "guess", "192.0.2.7:5000"); code != 401 {
			t.Fatalf("attempt %d: %d", i, code)
		}
	}
	if got := a.m.hashes(); got != 2 {
		t.Errorf("hashes computed for an unknown and a known user: %d, want 2", got)
	}
	if code, _ := login(a, "someone-else", "guess", "192.0.2.7:5001"); code != 429 {
		t.Fatalf("third name from the same address: %d, want 429", code)
	}
	// IPv6 addresses count by /64.
	for i := range 2 {
		login(a, fmt.Sprintf("v6-%d", i), "guess", fmt.Sprintf("[2001:db8::%d]:1", i+1))
	}
	if code, _ := login(a, "v6-x", "guess", "[2001:db8::ff]:1"); code != 429 {
		t.Fatalf("another address of the same /64: %d, want 429", code)
	}
	clk.add(2 * time.Minute)
	if code, _ := login(a, "ana", "right", "192.0.2.7:5002"); code != 200 {
		t.Fatalf("after forget_after: %d, want 200", code)
	}
}

// TestLoginHashesBounded is issue 9 item 5: 32 parallel wrong passwords
// compute at most max_concurrent hashes at once (the gauge of the most in
// flight says so), and each still gets its 401.
func TestLoginHashesBounded(t *testing.T) {
	cfg := config.Auth{Users: []config.User{{Name: "ana", PasswordHash: cheapHash(t, "right")}},
		Login: config.LoginLimits{MaxConcurrent: 2, FreeAttempts: 1000, MaxWait: config.Duration(time.Minute)}}
	if err := cfg.Validate("127.0.0.1:1", false, CheckHash); err != nil {
		t.Fatal(err)
	}
	a := New(cfg)
	var wg sync.WaitGroup
	codes := make([]int, 32)
	for i := range codes {
		wg.Go(func() { codes[i], _ = login(a, "ana", fmt.Sprint("wrong", i), fmt.Sprintf("10.1.0.%d:1", i)) })
	}
	wg.Wait()
	for i, c := range codes {
		if c != 401 {
			t.Errorf("login %d: %d, want 401", i, c)
		}
	}
	if got := a.MaxKDFInFlight(); got < 1 || got > 2 {
		t.Errorf("most hashes at once: %d, want 1 or 2", got)
	}
	if got := a.m.hashes(); got != 32 {
		t.Errorf("hashes computed: %d, want 32", got)
	}
}

// TestDummyHashCostsAHash: the dummy hash reads as a real argon2id hash of
// the parameters of new hashes, so checking it costs the same, and it
// matches nothing.
func TestDummyHashCostsAHash(t *testing.T) {
	d := dummyHash()
	if err := CheckHash(d); err != nil {
		t.Fatal(err)
	}
	real, _ := HashPassword("x")
	dp, rp := strings.Split(d, "$"), strings.Split(real, "$")
	if !slices.Equal(dp[:4], rp[:4]) || len(dp[4]) != len(rp[4]) || len(dp[5]) != len(rp[5]) {
		t.Errorf("dummy %q is not shaped like %q", d, real)
	}
	if ok, _ := VerifyPassword(d, ""); ok {
		t.Error("the dummy hash matched")
	}
}

type entryLog struct {
	mu sync.Mutex
	n  int
}

func (l *entryLog) Record(audit.Entry) { l.mu.Lock(); l.n++; l.mu.Unlock() }

// TestThrottledAttemptsAuditedOncePerWait: hammering through a wait adds
// one audit entry, not one per request, so the audit log cannot be
// flooded at no cost; the next wait is recorded again.
func TestThrottledAttemptsAuditedOncePerWait(t *testing.T) {
	clk := &fakeClock{t: time.Date(2026, 1, 1, 0, 0, 0, 0, time.UTC)}
	cfg := config.Auth{Users: []config.User{{Name: "ana", PasswordHash: cheapHash(t, "right")}},
		Login: config.LoginLimits{FreeAttempts: 1, Backoff: config.Duration(time.Minute)}}
	if err := cfg.Validate("127.0.0.1:1", false, CheckHash); err != nil {
		t.Fatal(err)
	}
	log := &entryLog{}
	a := New(cfg, WithClock(clk.now), WithAudit(log))
	login(a, "ana", "wrong", "10.0.0.1:1") // 401: audited
	for range 100 {
		if code, _ := login(a, "ana", "wrong", "10.0.0.1:1"); code != 429 {
			t.Fatalf("within the wait: %d", code)
		}
	}
	if log.n != 2 {
		t.Errorf("audit entries %d, want 2 (the failure and the wait's first refusal)", log.n)
	}
	clk.add(time.Minute)
	login(a, "ana", "wrong", "10.0.0.1:1") // 401 again, a new wait
	login(a, "ana", "wrong", "10.0.0.1:1") // first refusal of it
	if log.n != 4 {
		t.Errorf("audit entries %d, want 4", log.n)
	}
}
