package store_test

import (
	"os/exec"
	"strings"
	"testing"
)

// sqlImports are the packages that speak or write SQL: a database driver,
// database/sql, and the store's own SQL builders.
var sqlImports = []string{
	"database/sql",
	"github.com/duckdb/duckdb-go/",
	"github.com/vigilsiem/vigil/internal/store/sqlgen",
	"github.com/vigilsiem/vigil/internal/store/sqlrows",
}

// TestSQLOnlyInStore pins that no package outside internal/store imports a
// SQL package (tests may open a database to hand to a store): everything
// above the store reaches its data through the store's interfaces.
func TestSQLOnlyInStore(t *testing.T) {
	if _, err := exec.LookPath("go"); err != nil {
		t.Skip("go not in PATH")
	}
	out, err := exec.Command("go", "list", "-f", `{{.ImportPath}}{{range .Imports}} {{.}}{{end}}`, "github.com/vigilsiem/vigil/...").Output()
	if err != nil {
		t.Fatalf("go list: %v", err)
	}
	const home = "github.com/vigilsiem/vigil/internal/store"
	checked := 0
	for _, line := range strings.Split(strings.TrimSpace(string(out)), "\n") {
		f := strings.Fields(line)
		if len(f) == 0 {
			continue
		}
		pkg := f[0]
		checked++
		if pkg == home || strings.HasPrefix(pkg, home+"/") {
			continue
		}
		for _, imp := range f[1:] {
			for _, s := range sqlImports {
				if imp == s || strings.HasPrefix(imp, s+"/") || (strings.HasSuffix(s, "/") && strings.HasPrefix(imp, s)) {
					t.Errorf("%s imports %s: SQL belongs in internal/store", pkg, imp)
				}
			}
		}
	}
	if checked < 50 {
		t.Fatalf("go list named %d packages: the check did not see the module", checked)
	}
}
