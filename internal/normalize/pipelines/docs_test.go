package pipelines

import (
	"os"
	"path/filepath"
	"strings"
	"testing"

	"github.com/vigilsiem/vigil/internal/testutil"
)

// TestDocsListEveryPipeline keeps docs/pipelines.md's format list complete.
func TestDocsListEveryPipeline(t *testing.T) {
	doc, err := os.ReadFile(filepath.Join(testutil.RepoRoot(t), "docs", "pipelines.md"))
	if err != nil {
		t.Fatal(err)
	}
	for _, p := range builtinSet(t).Pipelines() {
		// Once: branches merged with the union strategy can leave a
		// pipeline's old row beside its new one.
		switch n := strings.Count(string(doc), "\n| `"+p.Name+"` |"); n {
		case 1:
		case 0:
			t.Errorf("docs/pipelines.md does not list pipeline %s", p.Name)
		default:
			t.Errorf("docs/pipelines.md lists pipeline %s %d times", p.Name, n)
		}
	}
}
