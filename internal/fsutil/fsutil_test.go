package fsutil

import (
	"os"
	"path/filepath"
	"testing"
)

func TestWriteFileAtomic(t *testing.T) {
	dir := t.TempDir()
	p := filepath.Join(dir, "sub", "state.json")
	for _, content := range []string{"one", "two, longer"} {
		if err := WriteFileAtomic(p, []byte(content), 0o600); err != nil {
			t.Fatal(err)
		}
		b, err := os.ReadFile(p)
		if err != nil || string(b) != content {
			t.Fatalf("read back %q, %v; want %q", b, err, content)
		}
	}
	st, _ := os.Stat(p)
	if st.Mode().Perm() != 0o600 {
		t.Errorf("mode %v", st.Mode())
	}
	ents, _ := os.ReadDir(filepath.Dir(p))
	if len(ents) != 1 {
		t.Errorf("temporary files left behind: %v", ents)
	}
	if err := WriteFileAtomic(filepath.Join(p, "x"), nil, 0o600); err == nil {
		t.Error("writing below a file succeeded")
	}
}

// TestAtomicFileAbort writes a replacement in pieces and aborts it: the
// old content stays and no temporary file is left; a commit after that
// fails.
func TestAtomicFileAbort(t *testing.T) {
	dir := t.TempDir()
	p := filepath.Join(dir, "state")
	if err := WriteFileAtomic(p, []byte("old"), 0o600); err != nil {
		t.Fatal(err)
	}
	f, err := CreateAtomic(p, 0o600)
	if err != nil {
		t.Fatal(err)
	}
	if _, err := f.Write([]byte("new, half written")); err != nil {
		t.Fatal(err)
	}
	f.Abort()
	if b, err := os.ReadFile(p); err != nil || string(b) != "old" {
		t.Errorf("after abort: %q, %v; want the old content", b, err)
	}
	if ents, _ := os.ReadDir(dir); len(ents) != 1 {
		t.Errorf("temporary files left behind: %v", ents)
	}
	if err := f.Commit(); err == nil {
		t.Error("a commit after abort succeeded")
	}
}
