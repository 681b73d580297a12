package incident

import (
	"fmt"
	"testing"
)

// TestMemberFilter: every added key is held (no false negative), and
// keys never added are rarely said held, as sized (~1 in 15,000).
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
	if fp > 20 {
		t.Fatalf("%d false positives in %d, want about 3", fp, 2*n)
	}
	if f.full() {
		t.Fatal("full at its capacity")
	}
	f.add("acme", "one more")
	if !f.full() {
		t.Fatal("not full past its capacity")
	}
}
