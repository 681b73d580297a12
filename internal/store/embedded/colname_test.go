package embedded

import (
	"strings"
	"testing"
)

// FuzzColumnBase: whatever a sender names a field, its column name is safe
// to write into SQL, and a safe name is kept as it is.
func FuzzColumnBase(f *testing.F) {
	for _, s := range []string{"a\x00", "source.ip", "", "\xff\xfe", strings.Repeat("é", 300), "a\"b'c", "\x7f", "日本"} {
		f.Add(s)
	}
	f.Fuzz(func(t *testing.T, field string) {
		col := columnBase(field)
		if !safeColumn(col) {
			t.Fatalf("columnBase(%q) = %q, not safe", field, col)
		}
		if len(col) > maxColumnName-8 && col != field {
			t.Fatalf("columnBase(%q) = %q leaves no room for a suffix", field, col)
		}
		if safeColumn(field) && col != field {
			t.Fatalf("columnBase(%q) = %q, want the safe name kept", field, col)
		}
	})
}
