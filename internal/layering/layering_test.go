package layering

import (
	"bytes"
	"encoding/json"
	"errors"
	"io"
	"os/exec"
	"sort"
	"strings"
	"testing"

	"github.com/vigilsiem/vigil/internal/testutil"
)

// imports returns the module's packages (relative paths) and their direct
// imports inside the module, read with `go list -deps -json ./...`.
func imports(t *testing.T) map[string][]string {
	t.Helper()
	cmd := exec.Command("go", "list", "-deps", "-json", "./...")
	cmd.Dir = testutil.RepoRoot(t)
	var stderr bytes.Buffer
	cmd.Stderr = &stderr
	out, err := cmd.Output()
	if err != nil {
		t.Fatalf("go list: %v\n%s", err, stderr.String())
	}
	graph := map[string][]string{}
	dec := json.NewDecoder(bytes.NewReader(out))
	for {
		var p struct {
			ImportPath string
			Imports    []string
			Module     *struct{ Path string }
		}
		if err := dec.Decode(&p); errors.Is(err, io.EOF) {
			break
		} else if err != nil {
			t.Fatalf("read go list: %v", err)
		}
		if p.Module == nil || p.Module.Path != Module {
			continue
		}
		from := strings.TrimPrefix(p.ImportPath, Module+"/")
		graph[from] = nil
		for _, imp := range p.Imports {
			if to, ok := strings.CutPrefix(imp, Module+"/"); ok {
				graph[from] = append(graph[from], to)
			}
		}
	}
	if len(graph) < 50 {
		t.Fatalf("go list found %d packages of %s: not the module", len(graph), Module)
	}
	return graph
}

func TestModuleKeepsItsLayers(t *testing.T) {
	graph := imports(t)
	var bad []string
	for from, tos := range graph {
		if _, _, ok := Place(from); !ok {
			bad = append(bad, from+" is in no layer: add it to internal/layering")
			continue
		}
		for _, to := range tos {
			if _, _, ok := Place(to); !ok {
				continue // reported as the importing package of its own
			}
			if why := Check(from, to); why != "" {
				bad = append(bad, why)
			}
		}
	}
	sort.Strings(bad)
	for _, b := range bad {
		t.Error(b)
	}
}

// Check refuses what the layering forbids and allows what it allows; a
// rule that let everything through would make the test above pass always.
func TestCheckRefusesViolations(t *testing.T) {
	for _, c := range []struct {
		from, to string
		ok       bool
	}{
		// sources and outputs never import one another
		{"internal/source/kafka", "internal/forward/kafka", false},
		{"internal/forward/kafka", "internal/source/kafka", false},
		{"internal/source/nats", "internal/source/kafka", true}, // same component; busrecord is the shared one
		{"internal/source/kafka", "internal/kafkaconn", true},
		// stages do not reach sideways
		{"internal/detect", "internal/enrich/assets", false},
		{"internal/normalize", "internal/parse/evtx", true}, // down a layer
		{"internal/normalize/ingest", "internal/forward/filter", false},
		{"internal/normalize/ingest", "internal/query/filter", true},
		// nothing imports upwards
		{"internal/parse", "internal/pipeline", false},
		{"internal/event", "internal/parse", false},
		{"internal/pipeline", "internal/source/file", false},
		{"internal/store/embedded", "internal/api", false},
		{"internal/incident", "internal/api", false},
		{"internal/incident", "internal/response", false},
		{"internal/response", "internal/incident", true},
		{"internal/api", "internal/app", false},
		{"internal/app", "internal/api", true},
		{"cmd/vigil", "internal/app", true},
		{"internal/app", "cmd/vigil", false},
		// the store facade sits below the stages, its backends among them
		{"internal/dashboard", "internal/store", true},
		{"internal/dashboard", "internal/store/embedded", false},
		{"internal/store/embedded", "internal/store", true},
		// every package is placed
		{"internal/newthing", "internal/event", false},
	} {
		why := Check(c.from, c.to)
		if (why == "") != c.ok {
			t.Errorf("Check(%s → %s) = %q, want allowed %v", c.from, c.to, why, c.ok)
		}
	}
}
