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
		if !strings.Contains(string(doc), "| `"+p.Name+"` |") {
			t.Errorf("docs/pipelines.md does not list pipeline %s", p.Name)
		}
	}
}
