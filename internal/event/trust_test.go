package event

import (
	"encoding/base64"
	"errors"
	"fmt"
	"strings"
	"testing"
)

func TestValidTenant(t *testing.T) {
	for _, ok := range []string{"default", "acme", "Acme-Corp_1", "a.b", "x", strings.Repeat("t", MaxTenantLen)} {
		if err := ValidTenant(ok); err != nil {
			t.Errorf("ValidTenant(%q) = %v", ok, err)
		}
	}
	for _, bad := range []string{"", strings.Repeat("t", MaxTenantLen+1), strings.Repeat("t", 300), "../etc", ".hidden",
		"-x", "a/b", "a b", "a\x00b", "caf\u00e9", "a\\b", "%41"} {
		if err := ValidTenant(bad); !errors.Is(err, ErrBadTenant) {
			t.Errorf("ValidTenant(%q) = %v, want ErrBadTenant", bad, err)
		}
	}
}

// Issue 9, finding 12: identical records of one delivery get distinct
// ids; counting the same delivery again gives the same ids; occurrence 0
// is the id of before occurrences existed.
func TestOccurrences(t *testing.T) {
	delivery := []string{"a", "b", "a", "a", "c", "b"}
	ids := func(window int) []string {
		o := NewOccurrences(window)
		var out []string
		for _, r := range delivery {
			out = append(out, NewID("t", "s", "", o.Next([]byte(r)), []byte(r)))
		}
		return out
	}
	for _, window := range []int{0, 1, 2} {
		first, again := ids(window), ids(window)
		seen := map[string]bool{}
		for i, id := range first {
			if seen[id] {
				t.Errorf("window %d: record %d (%q) repeats an id", window, i, delivery[i])
			}
			seen[id] = true
			if again[i] != id {
				t.Errorf("window %d: a replay gave record %d another id", window, i)
			}
		}
	}
	// Occurrence 0 hashes as before occurrences existed (this id was
	// made by that version), so the ids of stored data stay valid.
	if got := NewID("default", "syslog-tcp", "f:10", 0, []byte("hello")); got != "3d09430551ea24b7db0ece99b84dc1e9" {
		t.Fatalf("occurrence 0 changed the id: %s", got)
	}
	// The occurrence cannot be forged through the position.
	if NewID("t", "s", "p", 1, []byte("r")) == NewID("t", "s", "p\x00\x01\x00\x00\x00\x00\x00\x00\x00", 0, []byte("r")) {
		t.Error("occurrence 1 collides with a position")
	}
}

func TestKeepExactOriginal(t *testing.T) {
	for _, raw := range []string{"caf\xe9", "\xff\xfe", "ok \xc3\x28", "trailing \xe2\x82"} {
		e := &Event{Original: raw}
		e.KeepExactOriginal()
		got, err := base64.StdEncoding.DecodeString(e.GetString(FieldOriginalBase64))
		if err != nil || string(got) != raw {
			t.Errorf("%q: exact bytes %q, %v", raw, got, err)
		}
		if !strings.Contains(e.Original, "\uFFFD") {
			t.Errorf("%q: event.original %q", raw, e.Original)
		}
	}
	e := &Event{Original: "plain é"}
	e.KeepExactOriginal()
	if e.Has(FieldOriginalBase64) || e.Original != "plain é" {
		t.Errorf("valid UTF-8 changed: %s", e.AppendJSON(nil))
	}
}

func BenchmarkOccurrences(b *testing.B) {
	recs := make([][]byte, 1000)
	for i := range recs {
		recs[i] = fmt.Appendf(nil, "<34>Oct 11 22:14:15 mymachine su: 'su root' failed for lonvick on /dev/pts/%d", i%300)
	}
	b.ReportAllocs()
	b.SetBytes(int64(len(recs[0])))
	o := NewOccurrences(0)
	i := 0
	for b.Loop() {
		o.Next(recs[i%len(recs)])
		i++
	}
}

// FuzzValidTenant: every accepted name is a safe file name on its own (the
// store and the queues name directories after tenants).
func FuzzValidTenant(f *testing.F) {
	for _, s := range []string{"default", "../etc", "a.b", strings.Repeat("t", 65), "a\x00"} {
		f.Add(s)
	}
	f.Fuzz(func(t *testing.T, name string) {
		if ValidTenant(name) != nil {
			return
		}
		if len(name) == 0 || len(name) > MaxTenantLen || name[0] == '.' || strings.ContainsAny(name, "/\\\x00 %:") {
			t.Fatalf("accepted %q", name)
		}
	})
}
