package bench

import (
	"context"
	"net/netip"
	"testing"
	"time"

	"github.com/vigilsiem/vigil/internal/event"
	"github.com/vigilsiem/vigil/internal/normalize"
	_ "github.com/vigilsiem/vigil/internal/normalize/all"
	"github.com/vigilsiem/vigil/internal/parse"
	_ "github.com/vigilsiem/vigil/internal/parse/all"
)

// TestMixECS: after parsing and the normalisers serve runs, every record of
// the mix that carries a source address and a user has them in source.ip
// and user.name, whatever its format, so the CIDR query finds every record
// of its network.
func TestMixECS(t *testing.T) {
	g := &Generator{Day: time.Date(2026, 11, 22, 0, 0, 0, 0, time.UTC), Events: 10_000}
	ps, err := parse.New("auto", parse.Options{Now: func() time.Time { return time.Date(2026, 11, 23, 0, 0, 0, 0, time.UTC) }})
	if err != nil {
		t.Fatal(err)
	}
	norms := append(normalize.Processors(normalize.BeforePipelines), normalize.Processors(normalize.AfterPipelines)...)
	cidr := netip.MustParsePrefix(CIDR)
	inCIDR, found := 0, 0
	for i := 0; i < 8000; i++ {
		rec := g.Append(nil, i)
		e := &event.Event{Original: string(rec)}
		if err := ps.Parse(rec, e); err != nil {
			t.Fatalf("record %d (%q): %v", i, rec, err)
		}
		evs := []*event.Event{e}
		for _, p := range norms {
			evs = p.Process(context.Background(), evs)
		}
		r := mix(uint64(i) + 0x9e3779b97f4a7c15)
		src := string(appendIP(nil, r>>3))
		user := string(appendUser(nil, r>>13))
		hasIP, hasUser := true, true
		if i%4 == 0 {
			switch p := procs[r%uint64(len(procs))]; p {
			case "sshd":
			case "kernel":
				hasUser = false
			default:
				hasIP = false
			}
		}
		if hasIP {
			if got := e.GetString("source.ip"); got != src {
				t.Errorf("record %d: source.ip %q, want %q (%s)", i, got, src, rec)
			}
			if netip.MustParseAddr(src).Is4() && cidr.Contains(netip.MustParseAddr(src)) {
				inCIDR++
				if v, ok := e.Get("source.ip"); ok && v.Kind() == event.KindIP {
					found++
				}
			}
		}
		if hasUser {
			if got := e.GetString("user.name"); got != user {
				t.Errorf("record %d: user.name %q, want %q (%s)", i, got, user, rec)
			}
		}
	}
	if inCIDR == 0 || found != inCIDR {
		t.Errorf("the CIDR query finds %d of the %d records of %s", found, inCIDR, CIDR)
	}
}
