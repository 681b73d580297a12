package embedded

import (
	"testing"
	"time"

	"github.com/vigilsiem/vigil/internal/event"
)

func TestAppendTime(t *testing.T) {
	for _, tm := range []time.Time{
		time.Date(2026, 11, 23, 10, 20, 30, 123456789, time.UTC),
		time.Date(1999, 1, 2, 3, 4, 5, 0, time.FixedZone("x", 3600)),
		time.Date(1, 1, 1, 0, 0, 0, 999, time.UTC),
		time.Date(10000, 1, 1, 0, 0, 0, 0, time.UTC),
	} {
		if got, want := string(appendTime(nil, tm)), tm.UTC().Format(timeLayout); got != want {
			t.Errorf("appendTime(%v) = %s, want %s", tm, got, want)
		}
	}
}

func TestTokenizerKeepsTokensPerTenantAndDay(t *testing.T) {
	var tz tokenizer
	tz.reset()
	ti := tokenIndex{}
	a := &event.Event{Tenant: "a", Original: "Failed password for ROOT"}
	b := &event.Event{Tenant: "b", Original: "failed login for root"}
	tz.addEvent(ti, a, 1)
	tz.addEvent(ti, b, 1)
	tz.addEvent(ti, a, 2)
	ti.compact()
	has := func(k tokenKey, tok string) bool {
		for _, h := range ti[k] {
			if h == tokenHash(tok) {
				return true
			}
		}
		return false
	}
	for _, c := range []struct {
		k   tokenKey
		tok string
	}{{tokenKey{"a", 1}, "failed"}, {tokenKey{"a", 1}, "root"}, {tokenKey{"b", 1}, "failed"}, {tokenKey{"b", 1}, "root"}, {tokenKey{"b", 1}, "login"}, {tokenKey{"a", 2}, "password"}} {
		if !has(c.k, c.tok) {
			t.Errorf("token %q missing for %+v", c.tok, c.k)
		}
	}
	if has(tokenKey{"a", 1}, "login") {
		t.Error("token of tenant b filed under tenant a")
	}
}
