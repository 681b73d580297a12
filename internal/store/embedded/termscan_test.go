package embedded

import (
	"context"
	"fmt"
	"math/rand/v2"
	"reflect"
	"regexp"
	"slices"
	"strings"
	"testing"
	"time"

	"github.com/vigilsiem/vigil/internal/event"
	"github.com/vigilsiem/vigil/internal/query"
	"github.com/vigilsiem/vigil/internal/store"
)

// termVariants are texts planted around a needle, with whether a search
// for the needle matches them: case variants, the needle inside other
// tokens (no match), beside separators (a match), beside non-ASCII
// letters (token characters: no match), and characters that fold to an
// ASCII letter (the Kelvin sign lower-cases to k; the long s folds to s
// but does not lower-case to it, so DuckDB's substring test rules it out).
func termVariants(nd string) []string {
	up := strings.ToUpper(nd)
	mixed := []byte(nd)
	for i := 0; i < len(mixed); i += 2 {
		if mixed[i] >= 'a' && mixed[i] <= 'z' {
			mixed[i] -= 'a' - 'A'
		}
	}
	return []string{
		nd, up, string(mixed), // matches
		"a" + nd, nd + "s", nd + "_x", "_" + nd, "9" + nd, // inside tokens
		nd + "-1", "(" + nd + ")", nd + ".", "a." + nd, "\"" + nd + "\"", // beside separators
		"é" + nd, nd + "é", "日" + nd, // beside non-ASCII
		strings.Replace(nd, "k", "\u212a", 1), strings.Replace(nd, "s", "\u017f", 1), // folds
	}
}

// TestTermScanMatchesDuckDB: a search for full-text terms that finds its
// matches in Go (termscan.go) returns exactly what the same search returns
// through DuckDB (the first step in SQL, then the read by place; and with
// no read by place at all): the same rows, cell for cell, and totals,
// with needles planted on the first and last rows of parts and blocks, in
// case variants, inside other tokens, beside non-ASCII characters, in
// message alone, in two tenants, in cold files and hot events, over time
// ranges that cut files, and for filters of several terms and phrases.
func TestTermScanMatchesDuckDB(t *testing.T) {
	ctx := context.Background()
	seed := uint64(time.Now().UnixNano())
	t.Logf("seed %d", seed)
	rng := rand.New(rand.NewPCG(seed, 13))
	blockRows, partRows := 120+rng.IntN(100), 8+rng.IntN(24)
	dir := t.TempDir()
	s, err := Open(Options{Dir: dir, Interval: time.Hour, MemoryLimit: "512MB", Threads: 2,
		blockRows: blockRows, partRows: partRows})
	if err != nil {
		t.Fatal(err)
	}
	defer s.Close()

	needles := []string{"kz7sq", "x9kq2vbz", "4242917", "zürich7"}
	base := time.Date(2026, 11, 23, 20, 0, 0, 0, time.UTC)
	words := []string{"accepted", "failed", "password", "session", "hello"}
	i := 0
	batch := func(n int) []*event.Event {
		var evs []*event.Event
		for range n {
			i++
			tenant := "acme"
			if i%5 == 0 {
				tenant = "other"
			}
			orig := fmt.Sprintf("<13>host%d app: %s %s event %d", i%5, words[rng.IntN(len(words))], words[rng.IntN(len(words))], i)
			msg := ""
			// Rows at the edges of parts and blocks (each tenant's file
			// holds its rows in time order), and a few others.
			edge := i%partRows == 0 || i%partRows == partRows-1 || i%blockRows == 0 || i%blockRows == blockRows-1
			if edge && rng.IntN(3) == 0 || rng.IntN(40) == 0 {
				nd := needles[rng.IntN(len(needles))]
				vs := termVariants(nd)
				v := vs[rng.IntN(len(vs))]
				switch rng.IntN(3) {
				case 0:
					orig += " " + v
				case 1:
					orig = v + " " + orig
				default:
					msg = "msg " + v + " " + words[rng.IntN(len(words))]
				}
			}
			e := &event.Event{Timestamp: base.Add(time.Duration(i) * 53 * time.Second), Ingested: base, Tenant: tenant, Source: "tcp", Original: orig}
			e.ID = event.NewID(tenant, "tcp", "", i, []byte(orig))
			if msg != "" {
				e.SetString("message", msg)
			}
			e.SetString("host.name", fmt.Sprintf("host%d", i%5))
			if rng.IntN(2) == 0 {
				e.Set("bytes", event.Int(rng.Int64N(1<<30)))
			}
			evs = append(evs, e)
		}
		return evs
	}
	for range 2 {
		if err := s.Write(ctx, batch(900+rng.IntN(600))); err != nil {
			t.Fatal(err)
		}
		if err := s.Freeze(ctx); err != nil {
			t.Fatal(err)
		}
	}
	last := i
	if err := s.Write(ctx, batch(50+rng.IntN(100))); err != nil { // hot
		t.Fatal(err)
	}

	d := s.datasets[store.Events]
	search := func(req store.Request, termScan, byPlace bool) *store.Result {
		t.Helper()
		s.opts.noTermScan, s.opts.noPlaceRead = !termScan, !byPlace
		res, err := s.Search(ctx, req)
		if err != nil {
			t.Fatalf("%q: %v", req.Query, err)
		}
		return res
	}
	at := func(k int) time.Time { return base.Add(time.Duration(k) * 53 * time.Second) }
	var reqs []store.Request
	for _, nd := range needles {
		for _, tenant := range []string{"acme", "other"} {
			lo := rng.IntN(last)
			reqs = append(reqs,
				store.Request{Tenant: tenant, Query: nd},
				store.Request{Tenant: tenant, Query: strings.ToUpper(nd)},
				store.Request{Tenant: tenant, Query: nd, Limit: 1 + rng.IntN(4)},
				store.Request{Tenant: tenant, Query: "message:" + nd},
				store.Request{Tenant: tenant, Query: "event.original:" + nd},
				store.Request{Tenant: tenant, Query: nd + " " + words[rng.IntN(len(words))]},
				store.Request{Tenant: tenant, Query: `"msg ` + nd + `"`},
				store.Request{Tenant: tenant, Query: nd + " OR " + needles[rng.IntN(len(needles))]},
				store.Request{Tenant: tenant, Query: "(" + nd + " OR message:" + nd + ") password"},
				store.Request{Tenant: tenant, Query: nd, From: at(lo), To: at(lo + 1 + rng.IntN(last))},
				// A time range inside the hot events and one ending at them.
				store.Request{Tenant: tenant, Query: nd, From: at(last + 1)},
				store.Request{Tenant: tenant, Query: nd, To: at(last - rng.IntN(50))},
			)
		}
	}
	reqs = append(reqs, store.Request{Tenant: "acme", Query: "nosuchterm"}, store.Request{Tenant: "acme", Query: "event"})
	scanned := 0
	for _, req := range reqs {
		before := d.termScans.Load()
		got := search(req, true, true)
		if d.termScans.Load() > before {
			scanned++
		}
		for _, mode := range []struct {
			name    string
			byPlace bool
		}{{"DuckDB then by place", true}, {"DuckDB", false}} {
			want := search(req, false, mode.byPlace)
			if got.Total != want.Total || !reflect.DeepEqual(sortedCells(got.Rows), sortedCells(want.Rows)) {
				t.Fatalf("%q (%s, from %v to %v, limit %d): in Go total %d\n%v\n%s: total %d\n%v", req.Query, req.Tenant, req.From, req.To, req.Limit,
					got.Total, got.Rows, mode.name, want.Total, want.Rows)
			}
		}
	}
	// Most searches hold few matches and take the new path.
	if scanned < len(reqs)/2 {
		t.Errorf("%d of %d searches found their terms in Go", scanned, len(reqs))
	}
	t.Logf("%d of %d searches found their terms in Go", scanned, len(reqs))
}

// TestTermFilterShapes: only filters of full-text matches without
// wildcards, joined by AND and OR, are tested in Go.
func TestTermFilterShapes(t *testing.T) {
	for q, want := range map[string]bool{
		`x9kq2vbz`:                        true,
		`"failed password" root`:          true,
		`a OR (b c)`:                      true,
		`message:x event.original:y`:      true,
		`x9kq*`:                           false,
		`NOT x`:                           false,
		`x -y`:                            false,
		`host.name:a x`:                   false,
		`x | stats count()`:               false,
		`Message:x`:                       false,
		`*`:                               false,
		`x | where message:y`:             false,
		`message:""`:                      false,
		`source.ip:10.0.0.0/8 x9kq2vbz`:   false,
		`x9kq2vbz | sort by @timestamp`:   false,
		`event.original:"a b" OR message`: true,
	} {
		plan, err := query.Parse(q)
		if err != nil {
			t.Fatalf("%q: %v", q, err)
		}
		if _, ok := newTermFilter(plan); ok != want {
			t.Errorf("%q: in Go %v, want %v", q, ok, want)
		}
	}
}

// referenceMatch is the SQL's test spelled out: DuckDB's substring test,
// then the regular expression sqlgen writes.
func referenceMatch(value, text string) bool {
	caseless := !hasCase(value)
	switch {
	case caseless:
		if !strings.Contains(text, value) {
			return false
		}
	case isASCIIText(value):
		if !strings.Contains(strings.ToLower(text), strings.ToLower(value)) {
			return false
		}
	}
	re := "(?s)"
	if !caseless {
		re += "(?i)"
	}
	if query.IsTokenByte(value[0]) {
		re += "(?:^|" + nonTokenRE + ")"
	}
	re += regexp.QuoteMeta(value)
	if query.IsTokenByte(value[len(value)-1]) {
		re += "(?:$|" + nonTokenRE + ")"
	}
	return regexp.MustCompile(re).MatchString(text)
}

// FuzzTextMatcher: the matcher's byte-by-byte search gives the answer of
// the SQL's two tests on any value and valid UTF-8 text.
func FuzzTextMatcher(f *testing.F) {
	for _, nd := range []string{"kz7sq", "x9kq2vbz", "4242917", "zürich7", "failed password", "a-b", "-x-"} {
		for _, v := range termVariants(nd) {
			f.Add(nd, "pre "+v+" post")
			f.Add(nd, v[:len(v)/2]+"|"+v[len(v)/2:]+"|"+v+"|x")
			f.Add(strings.ToUpper(nd), v)
		}
	}
	f.Fuzz(func(t *testing.T, value, text string) {
		if value == "" || !utf8Valid(value) || !utf8Valid(text) {
			return
		}
		m, err := newTextMatcher(value)
		if err != nil {
			t.Fatal(err)
		}
		if got, want := m.match([]byte(text)), referenceMatch(value, text); got != want {
			t.Fatalf("%q in %q: %v, want %v", value, text, got, want)
		}
		// The texts of a page, searched at once: split at '|'.
		texts := strings.Split(text, "|")
		var data []byte
		offs := []uint32{0}
		var want []int
		for k, x := range texts {
			data = append(data, x...)
			offs = append(offs, uint32(len(data)))
			if referenceMatch(value, x) {
				want = append(want, k)
			}
		}
		if got := m.matchAll(data, offs, nil); !slices.Equal(got, want) {
			t.Fatalf("%q in %q: texts %v match, want %v", value, texts, got, want)
		}
	})
}

func utf8Valid(s string) bool { return strings.ToValidUTF8(s, "\ufffd") == s }

func TestIsASCIIText(t *testing.T) {
	for _, s := range []string{"", "a", "abcdefgh", "abcdefghi", "abcdefgh\x80", "\x80abcdefgh", "abcdéfghijklmnop", "abcdefghijklmnoé"} {
		want := strings.IndexFunc(s, func(r rune) bool { return r >= 0x80 }) < 0
		if got := isASCIIText([]byte(s)); got != want {
			t.Errorf("%q: %v", s, got)
		}
	}
}
