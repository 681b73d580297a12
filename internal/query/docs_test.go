package query

import (
	"os"
	"path/filepath"
	"strings"
	"testing"

	"github.com/vigilsiem/vigil/internal/testutil"
)

// TestDocExamples keeps docs/search.md honest: every query of its code
// blocks parses, and every error it shows is the error Vigil gives.
func TestDocExamples(t *testing.T) {
	b, err := os.ReadFile(filepath.Join(testutil.RepoRoot(t), "docs", "search.md"))
	if err != nil {
		t.Fatal(err)
	}
	blocks := strings.Split(string(b), "```")
	checked := 0
	for i := 1; i < len(blocks); i += 2 {
		lines := strings.Split(strings.Trim(blocks[i], "\n"), "\n")
		if len(lines) == 2 && strings.HasPrefix(lines[1], "parse query at ") {
			_, err := Parse(lines[0])
			if err == nil || err.Error() != lines[1] {
				t.Errorf("docs/search.md shows\n%s\n%s\nbut Parse says %v", lines[0], lines[1], err)
			}
			checked++
			continue
		}
		for _, line := range lines {
			q, _, _ := strings.Cut(line, "  #")
			q = strings.TrimSpace(q)
			if q == "" {
				continue
			}
			if strings.Contains(q, "(* after") {
				q, _, _ = strings.Cut(q, "  ")
			}
			if _, err := Parse(q); err != nil {
				t.Errorf("docs/search.md: %q: %v", q, err)
			}
			checked++
		}
	}
	if checked < 15 {
		t.Errorf("checked only %d queries of docs/search.md", checked)
	}
}
