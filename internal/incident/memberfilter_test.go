package incident

import (
	"fmt"
	"testing"
)

// TestMemberFilter: every added key is held (no false negative), and
// keys never added are said held about 1% of the time, as sized.
func TestMemberFilter(t *testing.T) {
	const n = 20_000
	f := newMemberFilter(n)
	for i := range n {
		f.add("acme", fmt.Sprint("a", i))
	}
	for i := range n {
		if !f.mayHold("acme", fmt.Sprint("a", i)) {
			t.Fatalf("key %d added but not held", i)
		}
	}
	fp := 0
	for i := range n {
		if f.mayHold("acme", fmt.Sprint("b", i)) || f.mayHold("other", fmt.Sprint("a", i)) {
			fp++
		}
	}
	if rate := float64(fp) / n; rate > 0.05 {
		t.Fatalf("false positive rate %.3f, want about 0.02", rate)
	}
	if f.full() {
		t.Fatal("full at its capacity")
	}
	f.add("acme", "one more")
	if !f.full() {
		t.Fatal("not full past its capacity")
	}
}
