package watch

import (
	"os"
	"path/filepath"
	"testing"
	"time"
)

func TestFiles(t *testing.T) {
	dir := t.TempDir()
	p := filepath.Join(dir, "a.csv")
	if err := os.WriteFile(p, []byte("one"), 0o644); err != nil {
		t.Fatal(err)
	}
	w := New(p)
	w.MarkCurrent()
	if w.Check() {
		t.Fatal("unchanged file reported")
	}
	if err := os.WriteFile(p, []byte("two, longer"), 0o644); err != nil {
		t.Fatal(err)
	}
	if w.Check() {
		t.Fatal("a file changed since the last poll must wait one more poll")
	}
	if !w.Check() {
		t.Fatal("a stable changed file not reported")
	}
	w.Loaded()
	if w.Check() {
		t.Fatal("reported again after Loaded")
	}
	// Not loaded (Loaded not called): reported on every stable poll.
	future := time.Now().Add(time.Hour)
	if err := os.Chtimes(p, future, future); err != nil {
		t.Fatal(err)
	}
	w.Check()
	if again, thrice := w.Check(), w.Check(); !again || !thrice {
		t.Fatal("an unloaded change must keep being reported")
	}
	// Removal is a change too.
	w.Loaded()
	os.Remove(p)
	w.Check()
	if !w.Check() {
		t.Fatal("removal not reported")
	}
}
