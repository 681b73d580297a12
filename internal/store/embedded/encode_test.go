package embedded

import (
	"testing"
	"time"

	"github.com/vigilsiem/vigil/internal/query"
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

// TestTokenizerFoldsTokens: the tokenizer lists each folded token of a
// run of rows once, ASCII or not, and a reset starts a new run.
func TestTokenizerFoldsTokens(t *testing.T) {
	var tz tokenizer
	tz.reset()
	hs := tz.addText(nil, "Failed password for ROOT")
	hs = tz.addText(hs, "failed login for root: Ärger")
	want := []string{"failed", "password", "for", "root", "login", query.Fold("Ärger")}
	if len(hs) != len(want) {
		t.Fatalf("%d hashes, want %d", len(hs), len(want))
	}
	for i, w := range want {
		if hs[i] != tokenHash(w) {
			t.Errorf("hash %d is not that of %q", i, w)
		}
	}
	tz.reset()
	if hs := tz.addText(nil, "ROOT"); len(hs) != 1 || hs[0] != tokenHash("root") {
		t.Errorf("after a reset: %v, want the hash of root", hs)
	}
}
